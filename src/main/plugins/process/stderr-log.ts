// A process plugin's error output → its log, one entry per line. A plugin may print anything
// there, as fast as it likes: lines are cut at 2000 characters (an endless line is not kept in
// memory), at most 50 a second are logged and the rest counted in one line, and the last line is
// kept for the message when the process ends.

import { StringDecoder } from 'node:string_decoder';
import type { LogLevel } from '../types';

/** Log lines (and the last line in the end message) are cut at this many characters. */
const MAX_LINE = 2000;
/** Error output lines logged per second; more are counted, not logged. */
const STDERR_PER_SEC = 50;

/** Error output → the plugin's log, line by line, kept cheap when a process floods it. */
export class StderrLog {
  /** The last non-blank line, for the message when the process ends. */
  last: string | null = null;
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');
  private windowStart = 0;
  private inWindow = 0;
  private skipped = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly log: (level: LogLevel, message: string) => void) {}

  push(b: Buffer): void {
    const text = this.decoder.write(b);
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      this.add(text.slice(from, nl));
      this.line();
      from = nl + 1;
    }
    this.add(text.slice(from));
  }

  end(): void {
    this.add(this.decoder.end());
    this.line();
    this.flushSkipped();
  }

  /** Keep only what can be logged of an endless line. */
  private add(s: string): void {
    if (this.partial.length <= MAX_LINE) this.partial += s.slice(0, MAX_LINE + 1 - this.partial.length);
  }

  private line(): void {
    const t = this.partial.trim();
    this.partial = '';
    if (!t) return;
    const l = t.length > MAX_LINE ? `${t.slice(0, MAX_LINE - 1)}…` : t;
    this.last = l;
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.flushSkipped();
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (++this.inWindow <= STDERR_PER_SEC) return this.log('warn', l);
    if (this.skipped++ === 0) {
      this.timer = setTimeout(() => this.flushSkipped(), this.windowStart + 1000 - now);
      this.timer.unref();
    }
  }

  private flushSkipped(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.skipped === 0) return;
    const n = this.skipped;
    this.skipped = 0;
    this.log(
      'warn',
      `${n} more line${n === 1 ? '' : 's'} of error output not shown (it printed more than ${STDERR_PER_SEC} a second)`,
    );
  }
}
