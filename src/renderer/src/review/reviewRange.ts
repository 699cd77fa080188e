// The review chart's time range: always inside the run (or the compared runs), never narrower than
// a few milliseconds. Pure, so the rules hold without a canvas.

export type Range = readonly [number, number];

/** The narrowest view, ms: a handful of raw points at a fast sensor's rate. */
export const MIN_SPAN_MS = 20;

/** `r` moved and shrunk as needed to lie inside `full`, at least MIN_SPAN_MS wide. */
export function clampRange(r: Range, full: Range): [number, number] {
  const fullSpan = full[1] - full[0];
  let span = Math.max(Math.min(r[1] - r[0], fullSpan), Math.min(MIN_SPAN_MS, fullSpan));
  if (!(span > 0)) span = fullSpan;
  const mid = (r[0] + r[1]) / 2;
  let min = mid - span / 2;
  if (min < full[0]) min = full[0];
  if (min + span > full[1]) min = full[1] - span;
  return [min, min + span];
}

/** Narrow (factor < 1) or widen `r` keeping `at` (a time in it) where it is on screen. */
export function zoomAround(r: Range, full: Range, factor: number, at = (r[0] + r[1]) / 2): [number, number] {
  const span = Math.max(MIN_SPAN_MS, (r[1] - r[0]) * factor);
  const share = r[1] > r[0] ? (at - r[0]) / (r[1] - r[0]) : 0.5;
  const min = at - span * share;
  return clampRange([min, min + span], full);
}

/** `r` moved by `fraction` of its width (negative: back in time), stopping at the run's ends. */
export function panBy(r: Range, full: Range, fraction: number): [number, number] {
  const shift = (r[1] - r[0]) * fraction;
  const span = r[1] - r[0];
  let min = r[0] + shift;
  min = Math.max(full[0], Math.min(full[1] - span, min));
  return [min, min + span];
}

/**
 * The view around a marker or event at `t`: 5 % of the run either side, at least 1 s and at most
 * 10 s, so the moments just before and after it can be read.
 */
export function rangeAround(t: number, full: Range): [number, number] {
  const half = Math.min(10_000, Math.max(1_000, (full[1] - full[0]) * 0.05));
  return clampRange([t - half, t + half], full);
}

/** Whether `r` shows less than the whole of `full`. */
export function isZoomed(r: Range, full: Range): boolean {
  const tol = (full[1] - full[0]) * 1e-6;
  return r[0] > full[0] + tol || r[1] < full[1] - tol;
}
