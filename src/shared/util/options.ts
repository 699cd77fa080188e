// Numeric options are checked the same way everywhere (client, cameras, devices): a clear
// message naming the option, never a NaN or a negative interval reaching a timer.

/**
 * `v` when it is a finite number > 0 (≥ 0 with `allowZero`), `dflt` when undefined; otherwise a
 * RangeError naming the option. Callers that have their own error class wrap it.
 */
export function positive(name: string, v: number | undefined, dflt: number, allowZero = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new RangeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(v)}`);
  }
  return v;
}
