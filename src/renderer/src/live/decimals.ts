// Fixed decimals per metric, derived from the values it actually carries, so a reading never
// jitters between "82.3" and "82.31". More decimals are adopted at once; fewer only after the
// metric went HOLD_MS without needing them.

const HOLD_MS = 10_000;
const MAX_DECIMALS = 6;
/** Significant digits worth showing; beyond that decimals are noise on a glance-at display. */
const SIGNIFICANT = 5;

/** Decimals needed to show v: as few as represent it exactly, but no more than SIGNIFICANT digits. */
export function decimalsNeeded(v: number): number {
  if (!Number.isFinite(v) || v === 0 || Number.isInteger(v)) return 0;
  const a = Math.abs(v);
  const bySignificance = Math.max(0, Math.min(MAX_DECIMALS, SIGNIFICANT - 1 - Math.floor(Math.log10(a))));
  for (let d = 0; d < bySignificance; d++) {
    if (Math.abs(Number(v.toFixed(d)) - v) <= 1e-9 * Math.max(1, a)) return d;
  }
  return bySignificance;
}

export class DecimalsTracker {
  /** Decimals to display now. */
  value = 0;
  /** The most decimals needed since `since` while below `value`. */
  private lowerNeed = 0;
  private since = 0;

  observe(v: number, t: number): void {
    const need = decimalsNeeded(v);
    if (need >= this.value) {
      this.value = need;
      this.lowerNeed = 0;
      this.since = t;
    } else {
      this.lowerNeed = Math.max(this.lowerNeed, need);
      if (t - this.since > HOLD_MS) {
        this.value = this.lowerNeed;
        this.lowerNeed = 0;
        this.since = t;
      }
    }
  }
}
