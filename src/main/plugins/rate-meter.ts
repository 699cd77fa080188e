// Points per second over the last few whole seconds: steady enough to read, quick to follow.

export class RateMeter {
  private readonly buckets: Array<{ at: number; n: number }> = [];

  add(n: number, nowMs = Date.now()): void {
    const second = Math.floor(nowMs / 1000);
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.at === second) last.n += n;
    else {
      this.buckets.push({ at: second, n });
      while (this.buckets.length > 4) this.buckets.shift();
    }
  }

  /** Mean of the last (up to) three complete seconds. */
  rate(nowMs = Date.now()): number {
    const second = Math.floor(nowMs / 1000);
    const done = this.buckets.filter((b) => b.at < second && b.at >= second - 3);
    if (done.length === 0) return 0;
    const span = Math.min(3, second - done[0]!.at);
    return Math.round(done.reduce((a, b) => a + b.n, 0) / Math.max(1, span));
  }
}
