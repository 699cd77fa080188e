// How long to wait before connecting again. A restarted broker should be picked up within a second,
// but one that is down for an hour should not be knocked on twice a second all that time; and a
// lab full of recorders should not all knock at the same instant when it comes back (the jitter).

export interface BackoffOptions {
  /** The first wait (ms). */
  minMs: number;
  /** The longest wait (ms). */
  maxMs: number;
  /** ± this fraction of randomness on each wait, 0 for none. */
  jitter: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;

  constructor(private readonly opts: BackoffOptions) {}

  /** The wait before the next attempt; each call doubles the following one, up to the maximum. */
  next(): number {
    const base = Math.min(this.opts.maxMs, this.opts.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const r = this.opts.random ?? Math.random;
    const spread = base * this.opts.jitter * (2 * r() - 1);
    return Math.max(0, Math.round(Math.min(this.opts.maxMs, base + spread)));
  }

  /** After a connection that held: the next failure is retried quickly again. */
  reset(): void {
    this.attempt = 0;
  }
}
