// How a line of a past run is drawn: through each row's low and high, so a decimated column (one
// pixel's min and max) is a vertical stroke and neighbouring columns join into the band the data
// covers, while raw points (low = high) make an ordinary line. A pause longer than the line's gap
// lifts the pen; a row with no neighbour gets a short tick so a lone point is still seen.
import type uPlot from 'uplot';
import type { ReviewColumns } from './seriesColumns';

/** Half the width of a lone point's tick, in canvas pixels per device pixel. */
const TICK_PX = 1.5;

export function envelopePath(columns: () => ReviewColumns, line: number): uPlot.Series.PathBuilder {
  return (u, seriesIdx) => {
    const c = columns();
    const hi = c.hi[line];
    const lo = c.lo[line];
    const scale = u.series[seriesIdx]?.scale ?? 'y';
    const stroke = new Path2D();
    if (!hi || !lo) return { stroke, fill: null, clip: null };
    const gap = c.gapMs[line] ?? Infinity;
    const dpr = window.devicePixelRatio || 1;
    let prevX = NaN;
    let lonePx = NaN;
    let loneY = NaN;
    // A lone row becomes a tick once we know its next row is too far (or there is none).
    const flushLone = (): void => {
      if (Number.isNaN(lonePx)) return;
      stroke.moveTo(lonePx - TICK_PX * dpr, loneY);
      stroke.lineTo(lonePx + TICK_PX * dpr, loneY);
      lonePx = NaN;
    };
    for (let r = 0; r < c.x.length; r++) {
      const h = hi[r];
      if (h === undefined || !Number.isFinite(h)) continue;
      const l = lo[r] ?? h;
      const x = c.x[r]!;
      const px = u.valToPos(x, 'x', true);
      const pl = u.valToPos(l, scale, true);
      const ph = u.valToPos(h, scale, true);
      const joined = x - prevX <= gap;
      if (joined) {
        lonePx = NaN;
        stroke.lineTo(px, pl);
      } else {
        flushLone();
        stroke.moveTo(px, pl);
        if (pl === ph) {
          lonePx = px;
          loneY = pl;
        }
      }
      if (ph !== pl) stroke.lineTo(px, ph);
      prevX = x;
    }
    flushLone();
    return { stroke, fill: null, clip: null };
  };
}
