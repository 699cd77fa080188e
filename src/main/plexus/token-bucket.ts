// A local mirror of the gateway's per-connection token buckets, with a safety margin, so we
// pace ourselves instead of discovering RATE_LIMITED after the gateway has dropped a frame.

export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    private readonly capacity: number,
    private readonly perSec: number,
  ) {
    this.tokens = capacity;
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSec);
    this.last = now;
  }

  /** Take a token if one is there. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until a token will be available (0 if one is there now). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSec) * 1000);
  }

  /** Start from full again (a new connection gets a fresh bucket at the gateway). */
  reset(): void {
    this.tokens = this.capacity;
    this.last = performance.now();
  }
}
