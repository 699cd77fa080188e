// Reading the log's point lines fast. The client writes every line in
// one shape (validate.ts PointEncoder): {"class":"metric","metric":…,"value":…,"timestamp":…,
// "tags":{…}}. Copying a run into the library reads every line, and a full parse of each is most
// of that work; a metric line is read here from its known places instead, and anything unusual
// (an escaped name, a run id with escapes, another shape) is left to JSON.parse by returning null.

import type { LoggedPoint } from '../../plexus';

const HEAD = '{"class":"metric","metric":"';
const VALUE = '","value":';
const TIME = ',"timestamp":';
const RUN = '"run_id":"';

export interface MetricLine {
  metric: string;
  value: number;
  timestamp: number;
  runId: string;
}

/** A numeric point's fields, or null when the line is not one this reads (JSON.parse it). */
export function readMetricLine(line: string): MetricLine | null {
  if (!line.startsWith(HEAD)) return null;
  const v = line.indexOf(VALUE, HEAD.length);
  if (v === -1) return null;
  const metric = line.slice(HEAD.length, v);
  if (metric.includes('\\') || metric.includes('"')) return null;
  const t = line.indexOf(TIME, v + VALUE.length);
  if (t === -1) return null;
  const value = Number(line.slice(v + VALUE.length, t));
  let end = line.indexOf(',', t + TIME.length);
  if (end === -1) end = line.indexOf('}', t + TIME.length);
  if (end === -1) return null;
  const timestamp = Number(line.slice(t + TIME.length, end));
  const r = line.indexOf(RUN, end);
  if (r === -1) return null;
  const rEnd = line.indexOf('"', r + RUN.length);
  if (rEnd === -1) return null;
  const runId = line.slice(r + RUN.length, rEnd);
  if (runId.includes('\\') || !Number.isFinite(value) || !Number.isFinite(timestamp)) return null;
  return { metric, value, timestamp, runId };
}

/**
 * A metric line of the log, as the client writes it (validate.ts PointEncoder), matched where a
 * line starts (sticky): name, value and time as written, and the tags' JSON. One match costs a
 * third of reading the fields with indexOf and slice, and most of a run's lines are these.
 */
export const METRIC_LINE =
  /\{"class":"metric","metric":"([^"\\\n]*)","value":([^,\n]+),"timestamp":([^,}\n]+)(?:,"tags":(\{[^\n]*\}))?\}(?=\n|$)/y;

const TAGS = ',"tags":';

/** A piece of the log: lines joined by "\n", the first with seq `firstSeq` (each its own in `seqs`). */
export interface LinePiece {
  body: string;
  firstSeq: number;
  seqs: Float64Array | null;
}

/** What PointLineReader.visit() hands a writer, line by line. */
export interface LineVisitor {
  /** A metric line with a number: its name, value and time as written, its tags' JSON ('' when none). */
  number(seq: number, metric: string, valueText: string, timeText: string, tagsJson: string): void;
  /** Any other line, parsed. */
  other(p: LoggedPoint): void;
}

/** Whether a JSON value's text is a number (it starts as only a number can: "-" or a digit). */
function numberText(s: string): boolean {
  const c = s.charCodeAt(0);
  return c === 45 || (c >= 48 && c <= 57);
}
/** Distinct tag sets kept parsed (a run's points share a handful). */
const TAG_SETS = 4096;

/**
 * Any line of the log as a point, for reading a run back: a metric line from its known places
 * (its tags parsed once per distinct set and shared: read-only), anything else by JSON.parse.
 * scan() reads a metric line's fields as text into this reader (no object per line), for writers
 * that copy them as they are (the long CSV).
 */
export class PointLineReader {
  private readonly tagSets = new Map<string, Record<string, string>>();
  private lastJson = '';
  private lastTags: Record<string, string> | null = null;
  /** The last line scan() accepted: its fields as written. */
  metric = '';
  valueText = '';
  timeText = '';
  /** The tags' JSON object ('' when the point has none). */
  tagsJson = '';

  /** Whether `line` is a metric line read from its known places (its fields are then set). */
  scan(line: string): boolean {
    if (!line.startsWith(HEAD)) return false;
    const v = line.indexOf(VALUE, HEAD.length);
    if (v === -1) return false;
    const t = line.indexOf(TIME, v + VALUE.length);
    if (t === -1) return false;
    const metric = line.slice(HEAD.length, v);
    if (metric.includes('\\') || metric.includes('"')) return false;
    const tg = line.indexOf(TAGS, t + TIME.length);
    this.metric = metric;
    this.valueText = line.slice(v + VALUE.length, t);
    this.timeText = line.slice(t + TIME.length, tg === -1 ? line.length - 1 : tg);
    this.tagsJson = tg === -1 ? '' : line.slice(tg + TAGS.length, line.length - 1);
    return true;
  }

  /** The points of a piece of the log (lines joined by "\n"), the first with seq `firstSeq`. */
  *readLines(body: string, firstSeq: number, seqs: Float64Array | null): Generator<LoggedPoint> {
    let pos = 0;
    for (let i = 0; pos < body.length; i++) {
      const seq = seqs ? seqs[i]! : firstSeq + i;
      METRIC_LINE.lastIndex = pos;
      const m = METRIC_LINE.exec(body);
      if (m) {
        pos = METRIC_LINE.lastIndex + 1;
        const value = Number(m[2]);
        const timestamp = Number(m[3]);
        if (Number.isFinite(value) && Number.isFinite(timestamp)) {
          yield m[4] === undefined
            ? { seq, class: 'metric', metric: m[1]!, value, timestamp }
            : { seq, class: 'metric', metric: m[1]!, value, timestamp, tags: this.tags(m[4]) };
          continue;
        }
      }
      let nl = body.indexOf('\n', pos);
      if (nl === -1) nl = body.length;
      const p = JSON.parse(body.slice(pos, nl)) as LoggedPoint;
      p.seq = seq;
      yield p;
      pos = nl + 1;
    }
  }

  /**
   * Each line of a piece, in order: a number's fields as text, without building a point (the
   * fastest way through a run for a writer that copies the text), anything else parsed.
   * Returns how many lines it visited.
   */
  visit(piece: LinePiece, v: LineVisitor): number {
    const { body, firstSeq, seqs } = piece;
    let pos = 0;
    let i = 0;
    for (; pos < body.length; i++) {
      const seq = seqs ? seqs[i]! : firstSeq + i;
      METRIC_LINE.lastIndex = pos;
      const m = METRIC_LINE.exec(body);
      if (m && numberText(m[2]!) && numberText(m[3]!)) {
        pos = METRIC_LINE.lastIndex + 1;
        v.number(seq, m[1]!, m[2]!, m[3]!, m[4] ?? '');
        continue;
      }
      let nl = body.indexOf('\n', pos);
      if (nl === -1) nl = body.length;
      const p = JSON.parse(body.slice(pos, nl)) as LoggedPoint;
      p.seq = seq;
      v.other(p);
      pos = nl + 1;
    }
    return i;
  }

  read(line: string, seq: number): LoggedPoint {
    if (this.scan(line)) {
      const value = Number(this.valueText);
      const timestamp = Number(this.timeText);
      if (Number.isFinite(value) && Number.isFinite(timestamp)) {
        if (this.tagsJson === '') return { seq, class: 'metric', metric: this.metric, value, timestamp };
        return { seq, class: 'metric', metric: this.metric, value, timestamp, tags: this.tags(this.tagsJson) };
      }
    }
    const p = JSON.parse(line) as LoggedPoint;
    p.seq = seq;
    return p;
  }

  /** A tag set by its JSON, parsed once and shared. */
  tags(json: string): Record<string, string> {
    // Consecutive points mostly carry the same set: comparing with the last beats hashing.
    if (json === this.lastJson) return this.lastTags!;
    let t = this.tagSets.get(json);
    if (!t) {
      t = JSON.parse(json) as Record<string, string>;
      if (this.tagSets.size >= TAG_SETS) this.tagSets.clear();
      this.tagSets.set(json, t);
    }
    this.lastJson = json;
    this.lastTags = t;
    return t;
  }
}
