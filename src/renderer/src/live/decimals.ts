// Fixed decimals per metric, derived from the values it actually carries, so a reading never
// jitters between "82.3" and "82.31". StableDecimals (what the window uses) only ever adds
// decimals: a metric that showed "10.25" keeps two, so "10.00" never turns into "5" and then
// "5.0". DecimalsTracker is the earlier rule (fewer after a 10 s hold); the window no longer uses it.

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

/** Digits a value may show in all: past this, decimals give way to the integer part. */
const MAX_DIGITS = 8;

/**
 * Decimals per metric that only grow with what the metric needed, so a column of readings keeps
 * its shape; bounded by MAX_DIGITS over the largest magnitude seen, so one tiny early value does
 * not pad every later thousand with six zeros.
 */
export class StableDecimals {
  value = 0;
  private needed = 0;
  private maxAbs = 0;

  observe(v: number): void {
    if (!Number.isFinite(v)) return;
    const need = decimalsNeeded(v);
    const a = Math.abs(v);
    if (need <= this.needed && a <= this.maxAbs) return;
    this.needed = Math.max(this.needed, need);
    this.maxAbs = Math.max(this.maxAbs, a);
    const intDigits = this.maxAbs >= 1 ? Math.floor(Math.log10(this.maxAbs)) + 1 : 1;
    this.value = Math.min(this.needed, Math.max(0, MAX_DIGITS - intDigits));
  }
}
