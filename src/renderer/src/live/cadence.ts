// When a metric counts as stale, judged by its own cadence: one that arrived every 50 ms and went
// quiet for seconds has stopped, while an event that comes every few minutes is healthy after one
// minute of silence. Stale means "arrived regularly, and now is well past its usual gap".

/** Intervals remembered: enough to see the usual gap, few enough to follow a changed rate. */
const KEPT = 8;
/** Intervals needed before a cadence is judged at all (two samples say nothing). */
const MIN_INTERVALS = 3;
/** Silence tolerated as a multiple of the longest recent interval. */
const FACTOR = 3;
/** Never stale sooner than this: ticks arrive in bursts when the window is busy. */
const MIN_STALE_MS = 5_000;

export class Cadence {
  private readonly gaps = new Float64Array(KEPT);
  private n = 0;
  private lastT = NaN;

  note(t: number): void {
    if (!Number.isNaN(this.lastT) && t > this.lastT) this.gaps[this.n++ % KEPT] = t - this.lastT;
    if (Number.isNaN(this.lastT) || t > this.lastT) this.lastT = t;
  }

  /** Silence after which the metric is stale; null while its cadence is unknown. */
  staleAfterMs(): number | null {
    if (this.n < MIN_INTERVALS) return null;
    let longest = 0;
    for (let i = 0; i < Math.min(this.n, KEPT); i++) longest = Math.max(longest, this.gaps[i]!);
    return Math.max(MIN_STALE_MS, FACTOR * longest);
  }

  /** Whether, at host time `now`, the metric has been quiet for longer than its cadence allows. */
  isStale(now: number): boolean {
    const after = this.staleAfterMs();
    return after !== null && now - this.lastT > after;
  }
}
