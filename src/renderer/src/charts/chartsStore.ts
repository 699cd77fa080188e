// Which charts are open and what each shows. Only what React draws lives here (the metrics, paused,
// zoomed); the view range and the data are the chart's own (liveChart.ts), outside React.
import { create } from 'zustand';
import { metricUnit } from '../stores/metricInfoStore';

/** Series one chart overlays at most: more lines than this cannot be told apart. */
export const MAX_SERIES = 8;
/** Charts open at once: opening another closes the oldest. */
export const MAX_CHARTS = 4;
/** Units one chart shows: one axis on each side. */
export const MAX_UNITS = 2;

export interface ChartSpec {
  id: number;
  metrics: string[];
  /** The view is frozen while recording continues. */
  paused: boolean;
  /** The time range was zoomed or panned away from "the last 60 s, following". */
  zoomed: boolean;
}

export interface ChartsStore {
  charts: ChartSpec[];
  /** The chart whose plot should take focus (just opened from the keyboard or a click). */
  focus: { id: number; n: number } | null;
}

export const useChartsStore = create<ChartsStore>(() => ({ charts: [], focus: null }));

let nextId = 1;

/** The units a set of metrics shows, in order of first appearance ("" for none). */
export function unitsOf(metrics: readonly string[], unitOf: (m: string) => string | undefined): string[] {
  const units: string[] = [];
  for (const m of metrics) {
    const u = unitOf(m) ?? '';
    if (!units.includes(u)) units.push(u);
  }
  return units;
}

/** Why `metric` cannot join a chart showing `metrics`, in the technician's words; null when it can. */
export function addProblem(
  metrics: readonly string[],
  metric: string,
  unitOf: (m: string) => string | undefined,
): string | null {
  if (metrics.includes(metric)) return `${metric} is already in this chart`;
  if (metrics.length >= MAX_SERIES) return `a chart overlays at most ${MAX_SERIES} metrics: open another chart`;
  if (unitsOf([...metrics, metric], unitOf).length > MAX_UNITS)
    return `a chart has one axis per side, so two units at most: open another chart for ${unitOf(metric) || 'unitless'} values`;
  return null;
}

function update(id: number, f: (c: ChartSpec) => ChartSpec | null): void {
  useChartsStore.setState((s) => ({
    charts: s.charts.flatMap((c) => {
      if (c.id !== id) return [c];
      const next = f(c);
      return next ? [next] : [];
    }),
  }));
}

/** Open a chart of `metric` (or bring forward the one that shows just it). */
export function openChart(metric: string): void {
  const s = useChartsStore.getState();
  const same = s.charts.find((c) => c.metrics.length === 1 && c.metrics[0] === metric);
  const id = same?.id ?? nextId++;
  const charts = same ? s.charts : [...s.charts, { id, metrics: [metric], paused: false, zoomed: false }];
  useChartsStore.setState({
    charts: charts.slice(-MAX_CHARTS),
    focus: { id, n: (s.focus?.n ?? 0) + 1 },
  });
}

/** Add `metric` to chart `id` (the newest chart when id is null, a new chart when there is none). */
export function addToChart(id: number | null, metric: string): string | null {
  const charts = useChartsStore.getState().charts;
  const chart = id === null ? charts[charts.length - 1] : charts.find((c) => c.id === id);
  if (!chart) {
    openChart(metric);
    return null;
  }
  const problem = addProblem(chart.metrics, metric, metricUnit);
  if (!problem) update(chart.id, (c) => ({ ...c, metrics: [...c.metrics, metric] }));
  return problem;
}

/** Take `metric` out of chart `id`; the chart closes with its last metric. */
export function removeFromChart(id: number, metric: string): void {
  update(id, (c) => {
    const metrics = c.metrics.filter((m) => m !== metric);
    return metrics.length ? { ...c, metrics } : null;
  });
}

export function closeChart(id: number): void {
  update(id, () => null);
}

export function setPaused(id: number, paused: boolean): void {
  update(id, (c) => (c.paused === paused ? c : { ...c, paused }));
}

export function setZoomed(id: number, zoomed: boolean): void {
  update(id, (c) => (c.zoomed === zoomed ? c : { ...c, zoomed }));
}
