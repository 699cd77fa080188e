// Copies runs out of the client's log into the run library as they are recorded. It follows the
// log from a cursor kept in the library (so a restart resumes where it stopped, and a crash
// copies again at most what was not yet written), a bounded number of blocks per step so the
// recorder never stalls behind it. A point belongs to the run its `run_id` tag names; the
// library keeps its line as it is, its number in the run's series, its event in the moments.

import type { LoggedPoint, Plexus } from '../../plexus';
import type { LibraryStatements } from './library-db';
import type { SeriesIndex } from './series-index';
import { markerNote } from '../run-markers';

/** A run's open piece of lines: rewritten in place on each step until it holds this much. */
const PIECE_BYTES = 64 * 1024;
/** Longest text a moment keeps (the full value stays in the run's lines). */
const MOMENT_TEXT = 200;
const NL = 0x0a;
/** What a moment's row costs besides its text (time, kind, name, run id, row overhead). */
const MOMENT_ROW_BYTES = 48;
const RUN_TAG = Buffer.from('"run_id":"');

interface OpenPiece {
  firstSeq: number;
  lines: Buffer[];
  seqs: number[];
  bytes: number;
  /** Bytes already counted in the run's size. */
  counted: number;
  /** Seqs run consecutively (no line of another run or of no run in between). */
  consecutive: boolean;
}

interface Moment {
  runId: string;
  t: number;
  kind: 'marker' | 'event';
  name: string;
  text: string;
}

export interface FollowerHooks {
  /** A run seen for the first time: make its library row (name and start from the client). */
  ensureRun(runId: string): void;
  /** Writes of a step, in one transaction. */
  transaction(fn: () => void): void;
  /** A step failed: a fresh review index, read from the file (its memory may be ahead of it). */
  reloadSeries(): SeriesIndex;
}

export class RunFollower {
  private cursor: number;
  private readonly open = new Map<string, OpenPiece>();
  private moments: Moment[] = [];
  private readonly touched = new Set<string>();

  constructor(
    private readonly client: Plexus,
    private readonly st: LibraryStatements,
    private series: SeriesIndex,
    private readonly hooks: FollowerHooks,
  ) {
    this.cursor = Number(st.getMeta.get('cursor')?.value ?? 0);
    // Retention must not prune what the library has not copied yet (a fast gateway confirms
    // points long before the next step).
    client.holdLogAfter(this.cursor);
  }

  /** Last log seq copied. */
  get copiedSeq(): number {
    return this.cursor;
  }

  /**
   * Copy at most `maxBlocks` × 64 blocks the log committed since the last step; returns the
   * number of blocks read (0: caught up). `commit`: write the client's pending points first.
   */
  step(maxBlocks = 4, commit = false): number {
    let read = 0;
    const from = this.cursor;
    try {
      for (let i = 0; i < maxBlocks; i++) {
        const blocks = this.client.logBlocksAfter(this.cursor, commit && i === 0);
        if (blocks.length === 0) break;
        for (const b of blocks) this.block(b.firstSeq, b.body);
        this.cursor = blocks[blocks.length - 1]!.firstSeq + blocks[blocks.length - 1]!.n - 1;
        read += blocks.length;
      }
      if (read > 0) this.write();
    } catch (e) {
      // Nothing of this step was written (one transaction): read it again next time, from the
      // log, which keeps it (holdLogAfter). Open pieces start afresh: what they held before this
      // step is in their rows already. The index reloads its tails from the file.
      this.cursor = from;
      this.open.clear();
      this.moments = [];
      this.touched.clear();
      this.series = this.hooks.reloadSeries();
      throw e;
    }
    return read;
  }

  /** Copy everything committed so far (before an export or a review reads the library). */
  catchUp(): void {
    // One read of 64 blocks per write: what a step holds in memory stays a few MB.
    while (this.step(1, true) > 0);
  }

  /** A run was deleted: drop what is still open for it. */
  forget(runId: string): void {
    this.open.delete(runId);
    this.moments = this.moments.filter((m) => m.runId !== runId);
  }

  private block(firstSeq: number, body: Buffer): void {
    let start = 0;
    for (let seq = firstSeq; start <= body.length; seq++) {
      let end = body.indexOf(NL, start);
      if (end === -1) end = body.length;
      if (seq > this.cursor && end > start) {
        const tag = body.indexOf(RUN_TAG, start);
        if (tag !== -1 && tag < end) this.line(seq, body.subarray(start, end));
      }
      start = end + 1;
    }
  }

  private line(seq: number, line: Buffer): void {
    let p: LoggedPoint;
    try {
      p = JSON.parse(line.toString('utf8')) as LoggedPoint;
    } catch {
      return; // the log only holds lines the client encoded; nothing else is a run's point
    }
    const runId = p.tags?.run_id;
    if (typeof runId !== 'string') return;
    let piece = this.open.get(runId);
    if (!piece) {
      this.hooks.ensureRun(runId);
      piece = { firstSeq: seq, lines: [], seqs: [], bytes: 0, counted: 0, consecutive: true };
      this.open.set(runId, piece);
    }
    const lastSeq = piece.seqs.length > 0 ? piece.seqs[piece.seqs.length - 1]! : seq - 1;
    if (seq !== lastSeq + 1) piece.consecutive = false;
    piece.lines.push(Buffer.from(line)); // a copy: `line` is a view of the log's block
    piece.seqs.push(seq);
    piece.bytes += line.length + 1;
    this.touched.add(runId);
    if (typeof p.value === 'number') this.series.append(runId, p.metric, p.timestamp, p.value);
    else if (p.class === 'event' && p.metric !== 'run.start' && p.metric !== 'run.end') {
      const marker = p.metric === 'marker';
      this.moments.push({
        runId,
        t: p.timestamp,
        kind: marker ? 'marker' : 'event',
        name: p.metric,
        text: (marker ? (markerNote(p.value) ?? '') : textOf(p.value)).slice(0, MOMENT_TEXT),
      });
    }
  }

  private write(): void {
    const closing: string[] = [];
    this.hooks.transaction(() => {
      for (const runId of this.touched) {
        const piece = this.open.get(runId)!;
        const seqs = piece.consecutive ? null : Buffer.from(new Float64Array(piece.seqs).buffer);
        const body = Buffer.concat(piece.lines.flatMap((l, i) => (i === 0 ? [l] : [NL_BUF, l])));
        this.st.insertLines.run(runId, piece.firstSeq, piece.lines.length, body, seqs);
        this.st.grow.run(piece.bytes - piece.counted, piece.seqs[piece.seqs.length - 1]!, runId);
        piece.counted = piece.bytes;
        if (piece.bytes >= PIECE_BYTES) closing.push(runId);
      }
      for (const m of this.moments) {
        this.st.insertMoment.run(m.runId, m.t, m.kind, m.name, m.text);
        this.st.grow.run(MOMENT_ROW_BYTES + Buffer.byteLength(m.text), 0, m.runId);
      }
      this.series.flush();
      this.st.setMeta.run('cursor', String(this.cursor));
    });
    this.client.holdLogAfter(this.cursor);
    for (const runId of closing) this.open.delete(runId);
    this.moments = [];
    this.touched.clear();
  }
}

const NL_BUF = Buffer.from('\n');

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? '';
}
