// Parts of the network line source: checking its config, explaining a refused listen or a broken
// connection in a technician's words, one peer (connection or sender) with its reader, summing
// reader counts, and a log limiter so a script reconnecting in a loop cannot push everything else
// out of the log tail.

import type { Socket } from 'node:net';
import { LINE_FORMATS, orList } from '../../../shared/line-format';
import { ValidationError } from '../../plexus';
import { LineReader, PROBLEM_KINDS, type LineReaderStats } from '../../devices/lines/line-reader';
import type { ParserKind, ProblemKind, TelemetrySink } from '../../devices/types';
import type { LogLevel, NetworkLinesConfig } from './types';

/** Only loopback: a script on this computer may feed the recorder, nothing on the network may. */
export const HOST = '127.0.0.1';

/** Throws a ValidationError saying what to fix; the window checks the same rules as one types. */
export function validateNetworkLinesConfig(c: NetworkLinesConfig): void {
  const fail = (m: string): never => {
    throw new ValidationError('network.config', c, `network source "${String(c?.name ?? '?')}": ${m}`);
  };
  if (!c || typeof c.name !== 'string' || c.name.length === 0 || c.name.length > 64 || /\s/.test(c.name))
    fail('name must be 1–64 characters without spaces (it prefixes the metric names)');
  if (c.protocol !== 'tcp' && c.protocol !== 'udp') fail('protocol must be tcp or udp');
  if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535)
    fail(`port must be a whole number from 1 to 65535, got ${String(c.port)}`);
  if (!(LINE_FORMATS as readonly string[]).includes(c.parser)) fail(`parser must be ${orList(LINE_FORMATS)}`);
}

export function protoName(c: NetworkLinesConfig): string {
  return c.protocol === 'tcp' ? 'TCP' : 'UDP';
}

/** Why listening failed, naming the port and what to do about it. */
export function explainListenError(c: NetworkLinesConfig, e: Error & { code?: string }): string {
  const port = `port ${c.port} (${protoName(c)})`;
  switch (e.code) {
    case 'EADDRINUSE':
      return `${port} is in use by another program — choose another port`;
    case 'EACCES':
      return c.port < 1024
        ? `${port} needs administrator rights (ports below 1024 do) — choose a port from 1024 to 65535`
        : `the system does not allow listening on ${port} (Windows reserves some port ranges for Hyper-V and WSL) — choose another port`;
    case 'EADDRNOTAVAIL':
      return `${HOST} is not available on this computer, so nothing can listen on ${port} — check that the loopback network interface is up`;
    default:
      return `cannot listen on ${HOST}:${c.port} (${protoName(c)}): ${e.message} — choose another port, or restart Plexus Bench if it keeps happening`;
  }
}

/** A connection's error, in words: the sender's side usually caused it, so it is no alarm. */
export function describeSocketError(e: Error & { code?: string }): string {
  switch (e.code) {
    case 'ECONNRESET':
      return 'the sending program closed the connection abruptly (ECONNRESET); lines up to then are kept';
    case 'ETIMEDOUT':
      return 'the connection timed out (ETIMEDOUT)';
    default:
      return `connection error: ${e.message}`;
  }
}

/** One TCP connection or UDP sender: its own reader, so its own format and its own partial line. */
export class Peer {
  readonly reader: LineReader;
  /** Set once the reader knows its parser (configured or detected). */
  parser: ParserKind | null = null;
  readonly openedAt = Date.now();
  lastSeen = this.openedAt;
  done = false;

  constructor(
    /** ip:port, as the log names it. */
    readonly name: string,
    sink: TelemetrySink,
    config: NetworkLinesConfig,
    log: (peer: Peer, level: LogLevel, message: string) => void,
    /** null for a UDP sender. */
    readonly socket: Socket | null,
  ) {
    if (config.parser !== 'auto') this.parser = config.parser;
    this.reader = new LineReader(sink, {
      prefix: config.name,
      parser: config.parser,
      log: (level, message) => log(this, level, message),
    });
  }
}

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000).toLocaleString('en-US')} s`;
}

/** Counts of readers that are gone (closed connections, forgotten senders). */
export interface Totals {
  lines: number;
  points: number;
  problems: Record<ProblemKind, number>;
}

export function emptyTotals(): Totals {
  return {
    lines: 0,
    points: 0,
    problems: Object.fromEntries(PROBLEM_KINDS.map((k) => [k, 0])) as Record<ProblemKind, number>,
  };
}

/** Adds one reader's counts into `into`. */
export function addReaderStats(into: Totals, s: LineReaderStats): void {
  into.lines += s.lines;
  into.points += s.points;
  for (const k of PROBLEM_KINDS) into.problems[k] += s.problems[k];
}

/**
 * Lets the first `limit` messages of each window through and counts the rest; when the window
 * closes it says how many were skipped, so the log still tells that something kept happening.
 */
export class LogLimiter {
  private windowStart = -Infinity;
  private sent = 0;
  private skipped = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly out: (level: LogLevel, message: string) => void,
    /** What the skipped messages were about, e.g. "connection messages". */
    private readonly what: string,
    private readonly limit = 20,
    private readonly windowMs = 10_000,
  ) {}

  log(level: LogLevel, message: string): void {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      this.flush();
      this.windowStart = now;
      this.sent = 0;
    }
    if (this.sent < this.limit) {
      this.sent++;
      this.out(level, message);
      return;
    }
    this.skipped++;
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), Math.max(1, this.windowStart + this.windowMs - now));
      // The summary must not keep the app alive on its own.
      this.timer.unref?.();
    }
  }

  /** Say how many were skipped (if any) and stop the timer: called when the window ends and by stop(). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.skipped === 0) return;
    const n = this.skipped;
    this.skipped = 0;
    this.out(
      'info',
      `${n.toLocaleString('en-US')} more ${this.what} in ${Math.round(this.windowMs / 1000)} s were not logged (too many)`,
    );
  }
}
