// Bytes from any line-based source (a serial port, a plugin's stdout, a loopback socket) → lines →
// fields → points. One reader per stream: it frames lines (LineSplitter), detects the format from
// the first lines when asked to ('auto'), parses, and records each line's fields stamped at the
// line's arrival on the client's clock. Lines read in one chunk arrived over the time it took to
// read them, so their times are spread across that interval, and no two lines of one reader ever
// share a time. Never trusts the bytes: every problem is
// counted per kind, the first few of each kind go to the log, and the good fields around a bad
// one are kept.

import { ValidationError } from '../../plexus';
import { createParser, detectParser } from '../parsers';
import type { FieldValue, LineParser, ParserKind, ProblemKind, TelemetrySink } from '../types';
import { FormatWatch } from './format-watch';
import { LineSplitter } from './line-splitter';

export type LogLevel = 'info' | 'warn' | 'error';

export interface LineReaderOptions {
  /** Metric prefix: `<prefix>.<field>`; '' for none. */
  prefix: string;
  /** Line format, or 'auto' to detect it from the first lines. */
  parser: ParserKind | 'auto';
  /** Non-empty lines used for auto-detection (default 5). */
  detectLines?: number;
  /** Decide on fewer lines after this long without enough of them (ms, default 2000). */
  detectWaitMs?: number;
  /** Where the reader's own messages go (detection, the first problems of each kind). */
  log: (level: LogLevel, message: string) => void;
  /**
   * Sees every line before the parser; returning true consumes it (a process plugin's command
   * answers travel on the same stdout as its data).
   */
  intercept?: (line: string) => boolean;
  /**
   * How fast bytes can arrive (a serial port: baud / 10): a chunk took at least its length at
   * this rate to arrive, which bounds how far back its first line is stamped. Unknown: 100 ms.
   */
  bytesPerSecond?: number;
  /** An auto-detected format stopped fitting the lines (the message says so and offers re-detection). */
  formatChanged?: (message: string) => void;
}

export interface LineReaderStats {
  lines: number;
  points: number;
  bytes: number;
  problems: Record<ProblemKind, number>;
  parser: ParserKind | null;
  /** Why auto-detection chose the parser. */
  detected: string | null;
  /** The detected format stopped fitting the lines: one line for a person, else null. */
  formatChanged: string | null;
}

export const PROBLEM_KINDS: readonly ProblemKind[] = [
  'garbage',
  'invalid-utf8',
  'overlong',
  'non-numeric',
  'not-finite',
  'malformed',
  'invalid-field',
];

/** The first this-many problems of each kind go to the log (all are counted). */
const LOG_FIRST = 5;
/** How far back a chunk's first line may be stamped when the byte rate is unknown (ms). */
const DEFAULT_SPREAD_MS = 100;
/** The smallest step between two lines' times (ms): a microsecond. */
const STEP_MS = 0.001;

export class LineReader {
  private readonly splitter = new LineSplitter();
  private parser: LineParser | null;
  private detectBuffer: Array<{ line: string; at: number }> = [];
  private detectTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly counts: LineReaderStats;
  /** Fields of the lines of one chunk, each with its line's time: recorded in one call. */
  private batch: Array<{ metric: string; value: FieldValue; timestamp: number }> = [];
  /** The lines of the chunk being split, stamped once the chunk is whole. */
  private chunkLines: string[] = [];
  /** When the previous chunk arrived, and the last time given to a line. */
  private lastChunkAt = 0;
  private lastLineAt = 0;
  private fieldsOfLine = 0;
  private readonly watch = new FormatWatch();
  /** Prefixed metric name per field name: the same few names repeat on every line. */
  private readonly names = new Map<string, string>();
  private lineTime = 0;
  private readonly fieldSink = { field: (name: string, value: FieldValue) => this.pushField(name, value) };
  private readonly splitSink = {
    line: (text: string) => this.chunkLines.push(text),
    problem: (kind: ProblemKind, message: string) => this.problem(kind, message),
  };

  constructor(
    private readonly sink: TelemetrySink,
    private readonly opts: LineReaderOptions,
  ) {
    this.parser = opts.parser === 'auto' ? null : createParser(opts.parser);
    // Nothing was read before the stream began: its first chunk is not spread back before that.
    this.lastChunkAt = sink.now();
    this.counts = {
      lines: 0,
      points: 0,
      bytes: 0,
      problems: Object.fromEntries(PROBLEM_KINDS.map((k) => [k, 0])) as Record<ProblemKind, number>,
      parser: this.parser?.kind ?? null,
      detected: null,
      formatChanged: null,
    };
  }

  stats(): LineReaderStats {
    return { ...this.counts, problems: { ...this.counts.problems } };
  }

  /**
   * Bytes as they arrived: the lines they complete are stamped across the interval the chunk was
   * read in (the last one now, on the client's clock), each later than the one before.
   */
  push(chunk: Buffer): void {
    this.counts.bytes += chunk.length;
    this.splitter.push(chunk, this.splitSink);
    this.stampLines(chunk.length);
  }

  /**
   * The stream ended (a socket closed, a datagram is complete): a last line without its line end
   * still counts, and lines held for detection are decided on now.
   */
  end(): void {
    this.splitter.push(Buffer.from('\n'), this.splitSink);
    this.stampLines(0);
    this.flushDetection();
    this.flushBatch();
  }

  /** Detect the format again from the next lines (the technician asked: the device changed format). */
  redetect(): void {
    if (this.opts.parser !== 'auto') return;
    this.flushBatch();
    this.parser = null;
    this.counts.parser = null;
    this.counts.detected = null;
    this.counts.formatChanged = null;
    this.watch.reset();
    this.opts.log('info', 'detecting the line format again from the next lines');
  }

  private stampLines(bytes: number): void {
    const lines = this.chunkLines;
    const now = this.sink.now();
    if (lines.length > 0) {
      this.chunkLines = [];
      const rate = this.opts.bytesPerSecond;
      const longest = rate && rate > 0 ? (bytes * 1000) / rate : DEFAULT_SPREAD_MS;
      // The chunk arrived over [start, now]: since the previous read (or the stream's start), but no
      // longer than its bytes take.
      const start = Math.max(now - longest, this.lastChunkAt);
      const span = Math.max(0, now - start);
      for (let i = 0; i < lines.length; i++) {
        let at = round3(start + (span * (i + 1)) / lines.length);
        if (at <= this.lastLineAt) at = round3(this.lastLineAt + STEP_MS);
        this.lastLineAt = at;
        this.onLine(lines[i]!, at);
      }
    }
    this.lastChunkAt = now;
    this.flushBatch();
  }

  /** Forget a partial line (the port reopened: what follows is a new stream). */
  reset(): void {
    this.splitter.reset();
    this.lastChunkAt = this.sink.now();
  }

  /** Stop timers; lines held for detection are decided on and recorded. */
  close(): void {
    this.flushDetection();
    this.flushBatch();
  }

  private onLine(line: string, at: number): void {
    if (this.opts.intercept?.(line)) return;
    if (!this.parser) {
      if (line.trim() === '') return;
      this.detectBuffer.push({ line, at });
      if (this.detectBuffer.length >= (this.opts.detectLines ?? 5)) this.flushDetection();
      // A slow source: decide on what came within the wait rather than hold its data back.
      else this.detectTimer ??= setTimeout(() => this.flushDetection(), this.opts.detectWaitMs ?? 2000);
      return;
    }
    this.counts.lines++;
    this.lineTime = at;
    this.fieldsOfLine = 0;
    const problems = this.parser.parse(line, this.fieldSink);
    if (problems)
      for (const p of problems) this.problem(p.kind, `${p.message} in line ${JSON.stringify(line.slice(0, 120))}`);
    if (this.opts.parser === 'auto') {
      const changed = this.watch.note(this.parser.kind, line, this.fieldsOfLine, problems?.length ?? 0);
      if (changed) {
        this.counts.formatChanged = changed;
        this.opts.log('warn', changed);
        this.opts.formatChanged?.(changed);
      }
    }
  }

  /** Decide the parser from what arrived so far and replay those lines. */
  private flushDetection(): void {
    if (this.detectTimer) clearTimeout(this.detectTimer);
    this.detectTimer = null;
    if (this.parser || this.detectBuffer.length === 0) return;
    const d = detectParser(this.detectBuffer.map((l) => l.line));
    this.parser = createParser(d.kind);
    this.counts.parser = d.kind;
    this.counts.detected = d.reason;
    this.opts.log('info', `detected the ${d.kind} format: ${d.reason}`);
    const lines = this.detectBuffer;
    this.detectBuffer = [];
    for (const l of lines) this.onLine(l.line, l.at);
    this.flushBatch();
  }

  private pushField(name: string, value: FieldValue): void {
    let metric = this.names.get(name);
    if (metric === undefined) {
      metric = this.opts.prefix ? `${this.opts.prefix}.${name}` : name;
      // Only names a metric may have: a long one would keep its whole (up to 64 KiB) line alive.
      if (this.names.size < 10_000 && name.length <= 256) this.names.set(name, metric);
    }
    this.fieldsOfLine++;
    this.batch.push({ metric, value, timestamp: this.lineTime });
  }

  /** Record the fields collected so far (each stamped with its line's arrival). */
  private flushBatch(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    try {
      this.sink.sendBatch(batch);
      this.counts.points += batch.length;
      return;
    } catch (e) {
      if (!(e instanceof ValidationError)) {
        this.opts.log('error', `cannot record: ${(e as Error).message}`);
        return;
      }
    }
    // One field the gateway would refuse (a name too long, an event too big): keep the others.
    for (const p of batch) {
      try {
        this.sink.send(p.metric, p.value, { timestamp: p.timestamp });
        this.counts.points++;
      } catch (e) {
        this.problem('invalid-field', (e as Error).message);
      }
    }
  }

  private problem(kind: ProblemKind, message: string): void {
    const n = ++this.counts.problems[kind];
    if (n <= LOG_FIRST)
      this.opts.log('warn', `${kind}: ${message}${n === LOG_FIRST ? ' (further ones are only counted)' : ''}`);
  }
}

/** A time to the microsecond: fine enough to order lines, short enough to stay readable. */
function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
