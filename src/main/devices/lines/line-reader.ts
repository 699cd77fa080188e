// Bytes from any line-based source (a serial port, a plugin's stdout, a loopback socket) → lines →
// fields → points. One reader per stream: it frames lines (LineSplitter), detects the format from
// the first lines when asked to ('auto'), parses, and records each line's fields as one batch
// stamped at the chunk's arrival on the client's clock. Never trusts the bytes: every problem is
// counted per kind, the first few of each kind go to the log, and the good fields around a bad
// one are kept.

import { ValidationError } from '../../plexus';
import { createParser, detectParser } from '../parsers';
import type { FieldValue, LineParser, ParserKind, ProblemKind, TelemetrySink } from '../types';
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
}

export interface LineReaderStats {
  lines: number;
  points: number;
  bytes: number;
  problems: Record<ProblemKind, number>;
  parser: ParserKind | null;
  /** Why auto-detection chose the parser. */
  detected: string | null;
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

export class LineReader {
  private readonly splitter = new LineSplitter();
  private parser: LineParser | null;
  private detectBuffer: Array<{ line: string; at: number }> = [];
  private detectTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly counts: LineReaderStats;
  /** Fields of the lines of one chunk (they share its arrival time): recorded in one call. */
  private batch: Array<{ metric: string; value: FieldValue }> = [];
  private batchTime = 0;
  /** Prefixed metric name per field name: the same few names repeat on every line. */
  private readonly names = new Map<string, string>();
  private lineTime = 0;
  private readonly fieldSink = { field: (name: string, value: FieldValue) => this.pushField(name, value) };
  private readonly splitSink = {
    line: (text: string) => this.onLine(text, this.lineTime),
    problem: (kind: ProblemKind, message: string) => this.problem(kind, message),
  };

  constructor(
    private readonly sink: TelemetrySink,
    private readonly opts: LineReaderOptions,
  ) {
    this.parser = opts.parser === 'auto' ? null : createParser(opts.parser);
    this.counts = {
      lines: 0,
      points: 0,
      bytes: 0,
      problems: Object.fromEntries(PROBLEM_KINDS.map((k) => [k, 0])) as Record<ProblemKind, number>,
      parser: this.parser?.kind ?? null,
      detected: null,
    };
  }

  stats(): LineReaderStats {
    return { ...this.counts, problems: { ...this.counts.problems } };
  }

  /** Bytes as they arrived: every line they complete is stamped now, on the client's clock. */
  push(chunk: Buffer): void {
    this.counts.bytes += chunk.length;
    this.lineTime = Math.round(this.sink.now());
    this.splitter.push(chunk, this.splitSink);
    this.flushBatch();
  }

  /**
   * The stream ended (a socket closed, a datagram is complete): a last line without its line end
   * still counts, and lines held for detection are decided on now.
   */
  end(): void {
    this.lineTime = Math.round(this.sink.now());
    this.splitter.push(Buffer.from('\n'), this.splitSink);
    this.flushDetection();
    this.flushBatch();
  }

  /** Forget a partial line (the port reopened: what follows is a new stream). */
  reset(): void {
    this.splitter.reset();
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
    if (at !== this.batchTime) {
      this.flushBatch();
      this.batchTime = at;
    }
    const problems = this.parser.parse(line, this.fieldSink);
    if (problems)
      for (const p of problems) this.problem(p.kind, `${p.message} in line ${JSON.stringify(line.slice(0, 120))}`);
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
    this.batch.push({ metric, value });
  }

  /** Record the fields collected so far (all stamped with their chunk's arrival). */
  private flushBatch(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    const timestamp = this.batchTime;
    try {
      this.sink.sendBatch(batch, { timestamp });
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
        this.sink.send(p.metric, p.value, { timestamp });
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
