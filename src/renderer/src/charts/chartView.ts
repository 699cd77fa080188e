// A chart's time range: either following the live edge (the last `span` ms up to the newest
// data) or fixed (zoomed or panned). Pure, so the rules are tested without a canvas.

/** What a chart shows when opened or reset: the whole live window. */
export const FULL_SPAN_MS = 60_000;
/** The narrowest zoom: a few ticks. */
export const MIN_SPAN_MS = 500;

export type ChartView = { follow: true; span: number } | { follow: false; min: number; max: number };

export const LIVE_VIEW: ChartView = { follow: true, span: FULL_SPAN_MS };

/** The range shown when the newest data is at `end`. */
export function rangeOf(v: ChartView, end: number): [number, number] {
  return v.follow ? [end - v.span, end] : [v.min, v.max];
}

/** The view after selecting [a, b] (drag to zoom); a selection narrower than MIN_SPAN_MS widens. */
export function zoomTo(a: number, b: number): ChartView {
  let min = Math.min(a, b);
  let max = Math.max(a, b);
  if (max - min < MIN_SPAN_MS) {
    const mid = (min + max) / 2;
    min = mid - MIN_SPAN_MS / 2;
    max = mid + MIN_SPAN_MS / 2;
  }
  return { follow: false, min, max };
}

/**
 * The view moved by `fraction` of its span (negative: back in time). Panning to the live edge
 * follows it again; panning back stops at the oldest data kept (`start`).
 */
export function pan(v: ChartView, end: number, start: number, fraction: number): ChartView {
  const [min, max] = rangeOf(v, end);
  const span = max - min;
  let shift = span * fraction;
  if (max + shift >= end) return { follow: true, span };
  if (min + shift < start) shift = Math.min(0, start - min);
  return { follow: false, min: min + shift, max: max + shift };
}

/** The view scaled by `factor` around its middle (< 1 zooms in), within [MIN_SPAN_MS, FULL_SPAN_MS]. */
export function zoomBy(v: ChartView, end: number, factor: number): ChartView {
  const [min, max] = rangeOf(v, end);
  const span = Math.min(FULL_SPAN_MS, Math.max(MIN_SPAN_MS, (max - min) * factor));
  if (v.follow) return { follow: true, span };
  const mid = (min + max) / 2;
  return { follow: false, min: mid - span / 2, max: mid + span / 2 };
}

/** Whether the view is anything but the full live window. */
export function isZoomed(v: ChartView): boolean {
  return !v.follow || v.span !== FULL_SPAN_MS;
}
