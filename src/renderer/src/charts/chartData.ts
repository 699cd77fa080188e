// uPlot's data from the live rings: one shared, sorted time column and one value column per
// metric. Metrics arrive in the same ticks, so most rows are shared; where a metric has no sample
// at a row its cell is `undefined` (uPlot draws across it), and where it paused for longer than
// GAP_MS one `null` row breaks its line (uPlot draws a gap). Columns are reused between calls so
// a redraw allocates nothing once the arrays have grown.
import type { Series } from '../live/series';

/** A pause longer than this between two samples of a metric breaks its line. */
export const GAP_MS = 2_000;

export type Cell = number | null | undefined;

export interface ChartColumns {
  x: number[];
  ys: Cell[][];
}

export function emptyColumns(n: number): ChartColumns {
  return { x: [], ys: Array.from({ length: n }, () => []) };
}

/** The plottable value of ring slot j: numbers (and booleans as 0/1); text is not plotted. */
function valueAt(s: Series, j: number): number | undefined {
  const v = s.last[j]!;
  return Number.isNaN(v) ? undefined : v;
}

/**
 * Fill `out` with the samples of `series` at or after `from`, merged on time. `out.ys` must have
 * one column per series (a missing series gives an empty column). Returns `out`.
 */
export function assemble(series: ReadonlyArray<Series | undefined>, from: number, out: ChartColumns): ChartColumns {
  const k = series.length;
  // Per series: samples left, the ring slot of the next one, its time (Infinity when done).
  const left = new Array<number>(k);
  const slot = new Array<number>(k);
  const curT = new Array<number>(k);
  const prevT = new Array<number>(k).fill(NaN);
  const gapDone = new Array<boolean>(k).fill(false);
  const next = new Array<number>(k);
  out.x.length = 0;
  for (let i = 0; i < k; i++) {
    out.ys[i]!.length = 0;
    const s = series[i];
    let p = s ? s.size : 0;
    // Newest first until the window's start: the ring is in time order.
    while (s && p > 0 && s.t[s.at(p - 1)]! >= from) p--;
    left[i] = s ? s.size - p : 0;
    slot[i] = s && p < s.size ? s.at(p) : 0;
    curT[i] = s && left[i]! > 0 ? s.t[slot[i]!]! : Infinity;
  }
  // Steps series i to its next sample (slots wrap around the ring; no modulo per sample).
  const step = (i: number): void => {
    const s = series[i]!;
    left[i]!--;
    slot[i] = slot[i]! + 1 === s.capacity ? 0 : slot[i]! + 1;
    curT[i] = left[i]! > 0 ? s.t[slot[i]]! : Infinity;
  };
  for (;;) {
    let tMin = Infinity;
    for (let i = 0; i < k; i++) {
      // Samples out of time order (the host's clock was corrected) are skipped, not drawn backwards.
      while (curT[i]! <= prevT[i]!) step(i);
      const t = curT[i]!;
      next[i] = t !== Infinity && !gapDone[i] && t - prevT[i]! > GAP_MS ? prevT[i]! + 1 : t;
      if (next[i]! < tMin) tMin = next[i]!;
    }
    if (tMin === Infinity) break;
    out.x.push(tMin);
    for (let i = 0; i < k; i++) {
      const col = out.ys[i]!;
      if (next[i] !== tMin) col.push(undefined);
      else if (curT[i] !== tMin) {
        col.push(null); // the gap row, one ms after the last sample before the pause
        gapDone[i] = true;
      } else {
        col.push(valueAt(series[i]!, slot[i]!));
        prevT[i] = tMin;
        gapDone[i] = false;
        step(i);
      }
    }
  }
  return out;
}

/** The newest time in the columns (NaN when empty): what a paused chart froze at. */
export function lastTime(c: ChartColumns): number {
  return c.x.length ? c.x[c.x.length - 1]! : NaN;
}

/** The newest number in column `i` of `c` (0: the time column), or null. */
export function latestIn(c: ChartColumns, i: number): number | null {
  const col = i === 0 ? c.x : c.ys[i - 1];
  if (!col) return null;
  for (let r = col.length - 1; r >= 0; r--) {
    const v = col[r];
    if (typeof v === 'number') return v;
  }
  return null;
}
