// uPlot options for one chart: a time axis, one y axis per unit (left, then right), one series
// per metric coloured from the theme, and a legend that reads each series at the cursor with the
// metric's decimals and unit.
import type uPlot from 'uplot';
import { clockTime, clockTimeMs } from '../common/format';
import { formatNumber, withUnit } from '../live/formatValue';
import { getSeries } from '../live/liveData';
import type { ChartTheme } from './chartTheme';
import { unitsOf } from './chartsStore';

export interface ChartHooks {
  drawAxes: (u: uPlot) => void;
  draw: (u: uPlot) => void;
  setSelect: (u: uPlot) => void;
  /** The newest value drawn in column i (0: time), for the legend while the cursor is away. */
  latest: (i: number) => number | null;
}

/** Scale key of the i-th unit. */
const scaleKey = (i: number): string => `y${i}`;

function legendValue(metric: string, unit: string | undefined, latest: () => number | null) {
  return (_u: uPlot, hovered: number | null, _si: number, idx: number | null): string => {
    // Away from the plot the legend reads the newest value drawn (frozen while paused).
    const v = idx == null ? latest() : hovered;
    if (v == null) return '—';
    const d = getSeries(metric)?.decimals.value ?? 2;
    return withUnit(formatNumber(v, d), unit);
  };
}

export function chartOptions(
  metrics: readonly string[],
  unitOf: (m: string) => string | undefined,
  theme: ChartTheme,
  size: { width: number; height: number },
  hooks: ChartHooks,
): uPlot.Options {
  const units = unitsOf(metrics, unitOf);
  const axisBase = {
    stroke: theme.text,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 },
    font: '12px system-ui, sans-serif',
    labelFont: '12px system-ui, sans-serif',
  };
  return {
    width: size.width,
    height: size.height,
    // Times are epoch milliseconds, as the rings hold them.
    ms: 1,
    pxAlign: 0,
    // Room above the plot for the axes' units.
    padding: [20, 8, 0, 0],
    cursor: {
      drag: { x: true, y: false, setScale: false },
      points: { size: 7 },
    },
    legend: { live: true },
    scales: Object.fromEntries([
      ['x', { time: true, auto: false }],
      ...units.map((_, i) => [scaleKey(i), { auto: true }]),
    ]),
    series: [
      {
        label: 'Time',
        value: (_u, hovered, _si, idx) => {
          const v = idx == null ? hooks.latest(0) : hovered;
          return v == null ? '—' : clockTimeMs(v);
        },
      },
      ...metrics.map((m, i): uPlot.Series => {
        const unit = unitOf(m);
        return {
          label: m,
          scale: scaleKey(units.indexOf(unit ?? '')),
          stroke: theme.series[i % theme.series.length] ?? theme.text,
          // One pixel: without a GPU a wider line costs many times more to draw (Skia strokes a
          // one-pixel line as a hairline); at 1.5 two charts of 8 series took 26 ms of each frame.
          width: 1,
          spanGaps: false,
          points: { show: false },
          value: legendValue(m, unit, () => hooks.latest(i + 1)),
        };
      }),
    ],
    axes: [
      // Local clock time: a 60 s window needs no date.
      { ...axisBase, space: 70, values: (_u, splits) => splits.map((v) => clockTime(v)) },
      ...units.map((unit, i): uPlot.Axis => ({
        ...axisBase,
        scale: scaleKey(i),
        side: i === 0 ? 3 : 1,
        size: 52,
        ...(i > 0 ? { grid: { show: false } } : {}),
      })),
    ],
    hooks: {
      drawAxes: [hooks.drawAxes],
      draw: [hooks.draw],
      setSelect: [hooks.setSelect],
    },
  };
}
