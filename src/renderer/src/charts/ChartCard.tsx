// One chart: which metrics it overlays (each removable), Add metric, Pause, Reset zoom, Close, and
// the plot. The plot takes keyboard focus: ←/→ pan, +/− zoom, 0 resets, Space pauses.
import { useEffect, useRef } from 'react';
import { useMetricInfoStore, metricUnit } from '../stores/metricInfoStore';
import { unitFor } from '../live/units';
import { middleCut } from '../live/middleEllipsis';
import { AddMetric } from './AddMetric';
import { handleChartKey } from './chartKeys';
import { LiveChart } from './liveChart';
import { closeChart, removeFromChart, setPaused, setZoomed, useChartsStore, type ChartSpec } from './chartsStore';

const PLOT_HEIGHT = 230;
/** Characters of a metric's name in its chip (cut in the middle; the title has it whole). */
const CHIP_CHARS = 30;

/** The units of the chart's metrics as one string, so a new metricInfo with the same units changes nothing. */
function useUnitsKey(metrics: readonly string[]): string {
  return useMetricInfoStore((s) => metrics.map((m) => unitFor(m, s.metricInfo[m]?.unit) ?? '').join('\n'));
}

export function ChartCard({ chart }: { chart: ChartSpec }): React.JSX.Element {
  const rootRef = useRef<HTMLElement>(null);
  const plotRef = useRef<HTMLDivElement>(null);
  const liveRef = useRef<LiveChart | null>(null);
  const unitsKey = useUnitsKey(chart.metrics);
  const focus = useChartsStore((s) => (s.focus?.id === chart.id ? s.focus.n : 0));
  const metricsKey = chart.metrics.join('\n');

  useEffect(() => {
    const c = new LiveChart({
      target: plotRef.current!,
      root: rootRef.current!,
      metrics: metricsKey.split('\n'),
      unitOf: metricUnit,
      height: PLOT_HEIGHT,
      onZoomed: (z) => setZoomed(chart.id, z),
    });
    c.setPaused(useChartsStore.getState().charts.find((x) => x.id === chart.id)?.paused ?? false);
    liveRef.current = c;
    return () => {
      c.destroy();
      liveRef.current = null;
    };
  }, [chart.id, metricsKey, unitsKey]);

  useEffect(() => liveRef.current?.setPaused(chart.paused), [chart.paused]);
  useEffect(() => {
    if (focus > 0) plotRef.current?.focus();
  }, [focus]);

  const onKey = (e: React.KeyboardEvent): void =>
    handleChartKey(e, plotRef.current, liveRef.current, { ' ': () => setPaused(chart.id, !chart.paused) });

  return (
    <section
      className={chart.paused ? 'chart paused' : 'chart'}
      ref={rootRef}
      aria-label={`Chart of ${chart.metrics.join(', ')}`}
      data-testid="chart"
      data-paused={chart.paused}
    >
      <header className="chart-head">
        <ul className="chart-metrics" aria-label="Metrics in this chart">
          {chart.metrics.map((m, i) => (
            <li key={m} className={`chart-chip chart-c${(i % 8) + 1}`} title={m}>
              <span className="chart-swatch" aria-hidden />
              <span className="chart-chip-name">{middleCut(m, CHIP_CHARS)}</span>
              {metricUnit(m) && <span className="chart-chip-unit">{metricUnit(m)}</span>}
              <button
                type="button"
                className="chart-chip-remove"
                aria-label={`Remove ${m} from the chart`}
                onClick={() => removeFromChart(chart.id, m)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <button
          type="button"
          className="icon-button chart-close"
          aria-label="Close chart"
          onClick={() => closeChart(chart.id)}
          data-testid="chart-close"
        >
          ×
        </button>
      </header>
      <div className="chart-tools">
        <AddMetric chartId={chart.id} metrics={chart.metrics} />
        <button
          type="button"
          className="button button-small"
          aria-pressed={chart.paused}
          onClick={() => setPaused(chart.id, !chart.paused)}
          data-testid="chart-pause"
        >
          {chart.paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={!chart.zoomed}
          onClick={() => liveRef.current?.reset()}
          data-testid="chart-reset"
        >
          Reset zoom
        </button>
        {chart.paused && (
          <span className="chart-paused-badge" role="status">
            Paused — still recording
          </span>
        )}
      </div>
      <div
        className="chart-plot"
        ref={plotRef}
        tabIndex={0}
        role="img"
        aria-label={`Plot of ${chart.metrics.join(', ')}. Drag to zoom; arrow keys pan, plus and minus zoom, 0 resets, space pauses.`}
        onKeyDown={onKey}
        onWheel={(e) => {
          const d = Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY;
          if (d !== 0) liveRef.current?.pan(Math.sign(d) * 0.1);
        }}
        data-testid="chart-plot"
      />
    </section>
  );
}
