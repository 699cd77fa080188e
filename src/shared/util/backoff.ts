// Exponential backoff with jitter: base × factor^n, capped, ±jitter. The Plexus client uses it for
// WS reconnects and HTTP retries (1 s × 2ⁿ, cap 3 s, ±25 %: back within seconds of the gateway,
// never in step with other benches) and for a refused key (15 s × 2ⁿ up to authRetryMs, ±10 %).

export interface BackoffOptions {
  baseMs?: number;
  factor?: number;
  capMs?: number;
  /** Fraction of the delay added or removed at random, e.g. 0.25 for ±25 %. */
  jitter?: number;
}

export class Backoff {
  private readonly baseMs: number;
  private readonly factor: number;
  private readonly capMs: number;
  private readonly jitter: number;
  private n = 0;

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 1000;
    this.factor = opts.factor ?? 2;
    this.capMs = opts.capMs ?? 60_000;
    this.jitter = opts.jitter ?? 0.25;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.n;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const raw = Math.min(this.capMs, this.baseMs * this.factor ** this.n);
    this.n = Math.min(this.n + 1, 64);
    const spread = raw * this.jitter;
    return Math.max(0, Math.round(raw - spread + Math.random() * 2 * spread));
  }

  reset(): void {
    this.n = 0;
  }
}
