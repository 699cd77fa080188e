// One open chart: a uPlot instance fed from the live rings. Each animation frame it checks whether
// its metrics got new samples or its view moved, and only then assembles the columns (reusing
// them) and redraws, once. Paused, it keeps the columns it last drew and only the view may move.
import uPlot from 'uplot';
import { canvasThemeVersion } from '../live/canvasTheme';
import { onFrame } from '../live/frameLoop';
import { getSeries, live } from '../live/liveData';
import { WINDOW_MS, type Series } from '../live/series';
import { benchPerf } from '../perf';
import { assemble, emptyColumns, lastTime, latestIn, type ChartColumns } from './chartData';
import { chartEvents, drawEventLines, placeEventLabels } from './chartEvents';
import { chartOptions } from './chartOptions';
import { readChartTheme, type ChartTheme } from './chartTheme';
import { placeAxisUnits } from './axisUnits';
import { unitsOf } from './chartsStore';
import { FULL_SPAN_MS, LIVE_VIEW, isZoomed, pan, rangeOf, zoomBy, zoomTo, type ChartView } from './chartView';

/** How often the legend's newest values change while the cursor is away from the plot. */
const LEGEND_MS = 250;

export interface LiveChartOptions {
  /** Element the plot and legend go into; its width is the chart's. */
  target: HTMLElement;
  /** Element that carries the data-* attributes tests and the bench read. */
  root: HTMLElement;
  metrics: readonly string[];
  unitOf: (m: string) => string | undefined;
  height: number;
  /** Told when the view leaves or returns to the full live window (for the Reset button). */
  onZoomed: (zoomed: boolean) => void;
}

export class LiveChart {
  private u: uPlot | null = null;
  private theme: ChartTheme = readChartTheme();
  private themeVersion = canvasThemeVersion();
  private readonly columns: ChartColumns;
  private view: ChartView = LIVE_VIEW;
  private paused = false;
  /** The live edge a paused chart froze at. */
  private frozenEnd = 0;
  /** Sum of the metrics' ring versions and the events seen, at the last assembly. */
  private drawnSig = -1;
  private drawnEnd = NaN;
  private viewDirty = true;
  /** The legend still shows older values than the plot (see LEGEND_MS). */
  private legendDirty = false;
  private legendAt = 0;
  private readonly labels = document.createElement('div');
  private readonly stopFrames: () => void;
  private readonly sizes: ResizeObserver;
  private width = 0;

  constructor(private readonly o: LiveChartOptions) {
    this.columns = emptyColumns(o.metrics.length);
    this.labels.className = 'chart-events';
    this.sizes = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0 && w !== this.width) {
        this.width = w;
        if (this.u) {
          this.u.setSize({ width: w, height: o.height });
          this.placeUnits(this.u);
        } else this.build();
      }
    });
    this.sizes.observe(o.target);
    this.stopFrames = onFrame(() => this.frame());
  }

  private build(): void {
    this.u?.destroy();
    this.theme = readChartTheme();
    this.themeVersion = canvasThemeVersion();
    const opts = chartOptions(
      this.o.metrics,
      this.o.unitOf,
      this.theme,
      { width: this.width, height: this.o.height },
      {
        drawAxes: (u) => drawEventLines(u, this.visibleEvents(u), this.theme),
        draw: (u) => this.afterDraw(u),
        setSelect: (u) => this.onSelect(u),
        latest: (i) => latestIn(this.columns, i),
      },
    );
    this.u = new uPlot(opts, [this.columns.x, ...this.columns.ys] as uPlot.AlignedData, this.o.target);
    this.u.over.appendChild(this.labels);
    this.placeUnits(this.u);
    this.drawnSig = -1;
    this.viewDirty = true;
  }

  private visibleEvents(u: uPlot) {
    const { min, max } = u.scales.x ?? {};
    return min == null || max == null ? [] : chartEvents(this.o.metrics, min, max);
  }

  /** Each y axis's unit, written level above it. */
  private placeUnits(u: uPlot): void {
    placeAxisUnits(u, unitsOf(this.o.metrics, this.o.unitOf));
  }

  private afterDraw(u: uPlot): void {
    placeEventLabels(u, this.labels, this.visibleEvents(u));
    const { min, max } = u.scales.x ?? {};
    const d = this.o.root.dataset;
    d.lastT = String(lastTime(this.columns));
    d.rows = String(this.columns.x.length);
    d.spanMs = min == null || max == null ? '' : String(Math.round(max - min));
  }

  private onSelect(u: uPlot): void {
    const { left, width } = u.select;
    if (width > 2) this.setView(zoomTo(u.posToVal(left, 'x'), u.posToVal(left + width, 'x')));
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
  }

  private end(): number {
    return this.paused ? this.frozenEnd : live.latestT;
  }

  private setView(v: ChartView): void {
    this.view = v;
    this.viewDirty = true;
    this.o.onZoomed(isZoomed(v));
  }

  /** Freeze (or release) the data shown; recording is not affected. */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    this.frozenEnd = live.latestT;
    // A fixed view of the frozen data stays; resuming from it keeps it until Reset.
    this.viewDirty = true;
  }

  /** Back to the whole live window, following. */
  reset(): void {
    this.setView(LIVE_VIEW);
  }

  /** Move the range by a fraction of its width (negative: back in time). */
  pan(fraction: number): void {
    const end = this.end();
    this.setView(pan(this.view, end, end - FULL_SPAN_MS, fraction));
  }

  /** Narrow (factor < 1) or widen the range around its middle. */
  zoom(factor: number): void {
    this.setView(zoomBy(this.view, this.end(), factor));
  }

  private signature(series: ReadonlyArray<Series | undefined>): number {
    let sig = live.events;
    for (const s of series) sig += s ? s.version + 1 : 0;
    return sig;
  }

  private frame(): void {
    if (!this.u) return;
    if (this.themeVersion !== canvasThemeVersion()) this.build();
    const u = this.u;
    const end = this.end();
    let newData = false;
    if (!this.paused) {
      const series = this.o.metrics.map(getSeries);
      const sig = this.signature(series);
      if (sig !== this.drawnSig) {
        this.drawnSig = sig;
        assemble(series, end - WINDOW_MS, this.columns);
        newData = true;
      }
    }
    const moved = this.view.follow && end !== this.drawnEnd;
    if (!newData && !moved && !this.viewDirty) {
      if (this.legendDirty) this.newestInLegend(u);
      return;
    }
    this.drawnEnd = end;
    this.viewDirty = false;
    const [min, max] = rangeOf(this.view, end);
    u.batch(() => {
      if (newData) u.setData([this.columns.x, ...this.columns.ys] as uPlot.AlignedData, false);
      u.setScale('x', { min, max });
    });
    this.legendDirty = true;
    this.newestInLegend(u);
    benchPerf.chartDraws++;
  }

  /**
   * With the cursor away, the legend reads the newest values; uPlot refreshes it only on moves.
   * At most every LEGEND_MS: digits that change 15 times a second cannot be read, and each change
   * repaints the chart card around the plot (a quarter of the window's frame time with two charts
   * open, on the bench machine). The plot itself still moves with every tick.
   */
  private newestInLegend(u: uPlot): void {
    if ((u.cursor.left ?? -1) >= 0) {
      this.legendDirty = false; // uPlot shows the values under the cursor
      return;
    }
    const now = performance.now();
    if (now - this.legendAt < LEGEND_MS) return;
    this.legendAt = now;
    this.legendDirty = false;
    // (uPlot takes idx null, "no point under the cursor", though its types say number.)
    u.setLegend({ idx: null } as unknown as { idx: number }, false);
  }

  destroy(): void {
    this.stopFrames();
    this.sizes.disconnect();
    this.u?.destroy();
    this.u = null;
  }
}
