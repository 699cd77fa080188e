// The review's chart: a uPlot built like the live chart (chartOptions, its theme, markers and
// events as labelled lines) over a past run, fed by `run.series` at the zoom level shown. Every
// zoom or pan redraws at once from the data already here, and asks the host for the new range
// 50 ms after the last move; only the newest request's answer is drawn (a slow answer to an
// older view is dropped). The root carries data-* attributes that tests and the bench read.
import uPlot from 'uplot';
import { placeAxisUnits } from '../charts/axisUnits';
import type { PreviewEvent } from '../../../shared/contract';
import { errorText, getBench } from '../bridge';
import { chartOptions } from '../charts/chartOptions';
import { drawEventLines, placeEventLabels } from '../charts/chartEvents';
import { readChartTheme, type ChartTheme } from '../charts/chartTheme';
import { unitsOf } from '../charts/chartsStore';
import { clockTime, clockTimeMs } from '../common/format';
import { formatNumber, withUnit } from '../live/formatValue';
import { clampRange, isZoomed, panBy, zoomAround, type Range } from './reviewRange';
import { emptyReviewColumns, extentOf, mergeSeries, type ReviewColumns } from './seriesColumns';
import { envelopePath } from './envelopePath';

/** Wait after the last zoom or pan before asking the host (one request per gesture, not per pixel). */
const DEBOUNCE_MS = 50;
const MAX_COLUMNS = 4000;

/** One line on the chart: a metric of a run, its times shifted by `offset`. */
export interface ReviewLine {
  runId: string;
  metric: string;
  unit: string | undefined;
  /** The legend's name for it (the metric; in a comparison, the run). */
  label: string;
  offset: number;
  decimals: number;
}

export interface ReviewChartOptions {
  /** Element the plot and legend go into; its width is the chart's. */
  target: HTMLElement;
  /** Element that carries the data-* attributes. */
  root: HTMLElement;
  lines: readonly ReviewLine[];
  /** Times since each line's offset, shown in seconds (a comparison), rather than clock times. */
  relative: boolean;
  /** The whole range that can be shown (x units: epoch ms, or ms since the offset). */
  full: Range;
  /** Markers and events, at x. */
  moments: readonly PreviewEvent[];
  /** The range to open at (kept when the chart is rebuilt with other metrics); the whole by default. */
  initial?: Range | undefined;
  height: number;
  /** Told whenever the range shown changes. */
  onView: (range: Range, zoomed: boolean) => void;
  onError: (message: string | null) => void;
}

/** "12.5 s" with as many decimals as the axis step needs. */
function seconds(ms: number, stepMs: number): string {
  const d = stepMs >= 1000 ? 0 : stepMs >= 100 ? 1 : stepMs >= 10 ? 2 : 3;
  return `${(ms / 1000).toFixed(d)} s`;
}

export class ReviewChart {
  private u: uPlot | null = null;
  private theme: ChartTheme = readChartTheme();
  private cols: ReviewColumns;
  private range: [number, number];
  private readonly labels = document.createElement('div');
  private readonly sizes: ResizeObserver;
  private readonly scheme = window.matchMedia('(prefers-color-scheme: dark)');
  private width = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Number of the newest request; an answer with another number is stale. */
  private seq = 0;
  private destroyed = false;
  private panFrom: { x: number; range: Range } | null = null;

  constructor(private readonly o: ReviewChartOptions) {
    this.cols = emptyReviewColumns(o.lines.length);
    this.range = clampRange(o.initial ?? o.full, o.full);
    this.labels.className = 'chart-events';
    o.root.dataset.reviewReady = '0';
    this.sizes = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w <= 0 || w === this.width) return;
      const first = this.width === 0;
      this.width = w;
      if (this.u) {
        this.u.setSize({ width: w, height: o.height });
        this.placeUnits(this.u);
      } else this.build();
      // A wider plot has more pixel columns to fill.
      this.schedule(first ? 0 : DEBOUNCE_MS);
    });
    this.sizes.observe(o.target);
    this.scheme.addEventListener('change', this.onScheme);
    o.target.addEventListener('mousedown', this.onMouseDown, { capture: true });
    o.target.addEventListener('wheel', this.onWheel, { passive: false });
  }

  private readonly onScheme = (): void => {
    // The theme's custom properties change with the scheme: rebuild once they have.
    requestAnimationFrame(() => {
      if (!this.destroyed && this.width > 0) this.build();
    });
  };

  private build(): void {
    this.u?.destroy();
    this.theme = readChartTheme();
    const o = this.o;
    const unitByLabel = new Map(o.lines.map((l) => [l.label, l.unit]));
    const labels = o.lines.map((l) => l.label);
    const opts = chartOptions(
      labels,
      (m) => unitByLabel.get(m),
      this.theme,
      { width: this.width, height: o.height },
      {
        drawAxes: (u) => drawEventLines(u, this.visibleMoments(), this.theme),
        draw: (u) => this.afterDraw(u),
        setSelect: (u) => this.onSelect(u),
        latest: () => null,
      },
    );
    this.adapt(
      opts,
      unitsOf(labels, (m) => unitByLabel.get(m)),
    );
    this.u = new uPlot(opts, this.data(), o.target);
    this.u.over.appendChild(this.labels);
    this.placeUnits(this.u);
    this.u.setScale('x', { min: this.range[0], max: this.range[1] });
  }

  /** The live chart's options, for a past run: its own x axis, lines drawn as envelopes, y from both ends. */
  private adapt(opts: uPlot.Options, units: string[]): void {
    const o = this.o;
    const xAxis = opts.axes?.[0];
    const xScale = opts.scales?.x;
    if (xScale) xScale.time = !o.relative;
    if (xAxis) {
      // Splits come as floats (…33.19999): round to the millisecond before writing them.
      xAxis.values = (_u, splits, _ai, _space, incr) =>
        splits.map((v) =>
          o.relative ? seconds(v, incr) : incr < 1000 ? clockTimeMs(Math.round(v)) : clockTime(Math.round(v)),
        );
      // Labels with milliseconds are wider: give them room.
      xAxis.space = (_u, _ai, min, max) => (!o.relative && max - min < 10_000 ? 110 : 70);
    }
    // Room for the longest label of each y axis ("13.175"), not a fixed width that cuts it.
    opts.axes?.slice(1).forEach((a) => {
      a.size = (_u, values) => Math.max(44, 14 + 7 * Math.max(0, ...(values ?? []).map((v) => v.length)));
    });
    const time = opts.series[0];
    if (time)
      time.value = (_u, v, _si, idx) =>
        idx == null || v == null ? '—' : o.relative ? seconds(v, 1) : clockTimeMs(Math.round(v));
    o.lines.forEach((line, i) => {
      const s = opts.series[i + 1];
      if (!s) return;
      s.paths = envelopePath(() => this.cols, i);
      s.value = (_u, _v, _si, idx) => this.legendValue(i, idx);
    });
    units.forEach((unit, k) => {
      const key = `y${k}`;
      const which = o.lines.flatMap((l, i) => ((l.unit ?? '') === unit ? [i] : []));
      const scale = opts.scales?.[key];
      // uPlot ranges a scale from the data column (the highs): the lows count too.
      if (scale)
        scale.range = () => {
          const ext = extentOf(this.cols, which, this.range[0], this.range[1]);
          if (!ext) return [0, 1];
          const [min, max] = uPlot.rangeNum(ext[0], ext[1], 0.1, true);
          return [min, max];
        };
    });
  }

  private legendValue(i: number, idx: number | null): string {
    const line = this.o.lines[i]!;
    if (idx == null) return '—';
    const h = this.cols.hi[i]?.[idx];
    const l = this.cols.lo[i]?.[idx];
    if (h === undefined) return '—';
    const d = line.decimals;
    const text = l === undefined || l === h ? formatNumber(h, d) : `${formatNumber(l, d)} … ${formatNumber(h, d)}`;
    return withUnit(text, line.unit);
  }

  private data(): uPlot.AlignedData {
    return [this.cols.x, ...this.cols.hi] as uPlot.AlignedData;
  }

  private visibleMoments(): PreviewEvent[] {
    const [min, max] = this.range;
    return this.o.moments.filter((m) => m.t >= min && m.t <= max);
  }

  /** Each y axis's unit, level above it (as the live chart writes them). */
  private placeUnits(u: uPlot): void {
    placeAxisUnits(
      u,
      unitsOf(
        this.o.lines.map((l) => l.label),
        (m) => this.o.lines.find((l) => l.label === m)?.unit,
      ),
    );
  }

  private afterDraw(u: uPlot): void {
    placeEventLabels(u, this.labels, this.visibleMoments());
    this.o.root.dataset.range = `${Math.round(this.range[0])},${Math.round(this.range[1])}`;
  }

  private onSelect(u: uPlot): void {
    const { left, width } = u.select;
    if (width > 2) this.setRange([u.posToVal(left, 'x'), u.posToVal(left + width, 'x')]);
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
  }

  /** Shift + drag pans (a plain drag selects a range to zoom into, as on the live chart). */
  private readonly onMouseDown = (e: MouseEvent): void => {
    if (!e.shiftKey || e.button !== 0 || !this.u) return;
    // Before uPlot sees it: no selection starts.
    e.preventDefault();
    e.stopPropagation();
    this.panFrom = { x: e.clientX, range: this.range };
    window.addEventListener('mousemove', this.onPanMove);
    window.addEventListener('mouseup', this.onPanEnd, { once: true });
  };

  private readonly onPanMove = (e: MouseEvent): void => {
    const from = this.panFrom;
    const u = this.u;
    if (!from || !u) return;
    const plotPx = u.bbox.width / (window.devicePixelRatio || 1);
    if (plotPx <= 0) return;
    const fraction = -(e.clientX - from.x) / plotPx;
    this.setRange(panBy(from.range, this.o.full, fraction), DEBOUNCE_MS);
  };

  private readonly onPanEnd = (): void => {
    this.panFrom = null;
    window.removeEventListener('mousemove', this.onPanMove);
  };

  /** The wheel zooms around the time under the pointer; a sideways wheel (or trackpad) pans. */
  private readonly onWheel = (e: WheelEvent): void => {
    const u = this.u;
    if (!u) return;
    e.preventDefault();
    if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      this.setRange(panBy(this.range, this.o.full, Math.sign(e.deltaX) * 0.1), DEBOUNCE_MS);
      return;
    }
    if (e.deltaY === 0) return;
    const rect = u.over.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const at = x >= 0 && x <= rect.width ? u.posToVal(x, 'x') : undefined;
    this.setRange(zoomAround(this.range, this.o.full, e.deltaY < 0 ? 0.8 : 1.25, at), DEBOUNCE_MS);
  };

  /**
   * Show [min, max] (kept inside the run), now from the data at hand and soon at its own detail:
   * at once for a single step (a button, a key, a drag-select), after `wait` for a gesture that
   * moves on every event (the wheel, a pan drag), so only where it stops is asked for.
   */
  setRange(r: Range, wait = 0): void {
    const next = clampRange(r, this.o.full);
    if (next[0] === this.range[0] && next[1] === this.range[1]) return;
    this.range = next;
    this.u?.setScale('x', { min: next[0], max: next[1] });
    this.o.onView(next, isZoomed(next, this.o.full));
    this.schedule(wait);
  }

  pan(fraction: number): void {
    this.setRange(panBy(this.range, this.o.full, fraction));
  }

  zoom(factor: number): void {
    this.setRange(zoomAround(this.range, this.o.full, factor));
  }

  reset(): void {
    this.setRange(this.o.full);
  }

  private schedule(wait: number): void {
    this.o.root.dataset.pending = '1';
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.fetch();
    }, wait);
  }

  private async fetch(): Promise<void> {
    const u = this.u;
    if (!u || this.destroyed || this.o.lines.length === 0) return;
    const seq = ++this.seq;
    const [min, max] = this.range;
    const columns = Math.max(10, Math.min(MAX_COLUMNS, Math.round(u.bbox.width / (window.devicePixelRatio || 1))));
    // One request per run (and offset): a run's metrics travel together.
    const groups = new Map<string, { runId: string; offset: number; metrics: string[] }>();
    for (const l of this.o.lines) {
      const key = `${l.runId}\n${l.offset}`;
      const g = groups.get(key) ?? { runId: l.runId, offset: l.offset, metrics: [] };
      if (!g.metrics.includes(l.metric)) g.metrics.push(l.metric);
      groups.set(key, g);
    }
    const started = performance.now();
    const d = this.o.root.dataset;
    d.requests = String(Number(d.requests ?? 0) + 1);
    try {
      const asked = [...groups.values()];
      const answers = await Promise.all(
        asked.map((g) =>
          getBench().invoke('run.series', {
            runId: g.runId,
            metrics: g.metrics,
            from: min + g.offset,
            to: max + g.offset,
            columns,
          }),
        ),
      );
      if (seq !== this.seq || this.destroyed || !this.u) return; // a newer view was asked for
      const byKey = new Map(asked.map((g, k) => [`${g.runId}\n${g.offset}`, answers[k] ?? []]));
      const lines = this.o.lines.map((l) => ({
        view: byKey.get(`${l.runId}\n${l.offset}`)?.find((s) => s.metric === l.metric),
        offset: l.offset,
      }));
      this.cols = mergeSeries(lines, (max - min) / columns);
      this.u.batch(() => {
        this.u!.setData(this.data(), false);
        this.u!.setScale('x', { min: this.range[0], max: this.range[1] });
      });
      d.points = String(this.cols.points);
      d.entries = String(this.cols.entries);
      d.kind = this.cols.kind;
      d.loadedRange = `${Math.round(min)},${Math.round(max)}`;
      d.columns = String(columns);
      d.answerMs = String(Math.round(performance.now() - started));
      d.reviewReady = '1';
      this.o.onError(null);
    } catch (e) {
      if (seq !== this.seq || this.destroyed) return;
      this.o.onError(`Could not read this part of the run: ${errorText(e)}. Try again, or reopen the run.`);
    } finally {
      if (seq === this.seq && !this.timer) d.pending = '0';
    }
  }

  destroy(): void {
    this.destroyed = true;
    if (this.timer) clearTimeout(this.timer);
    this.onPanEnd();
    this.sizes.disconnect();
    this.scheme.removeEventListener('change', this.onScheme);
    this.o.target.removeEventListener('mousedown', this.onMouseDown, { capture: true });
    this.o.target.removeEventListener('wheel', this.onWheel);
    this.u?.destroy();
    this.u = null;
  }
}
