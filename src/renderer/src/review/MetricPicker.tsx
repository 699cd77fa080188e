// The run's metrics with what they hold (unit, points, lowest and highest), each with a box to
// plot it. Like a live chart, the plot overlays at most 8 lines and two units (one axis a side).
import { useState } from 'react';
import type { RunMetricView } from '../../../shared/contract';
import { MAX_SERIES, MAX_UNITS, unitsOf } from '../charts/chartsStore';
import { count } from '../common/format';
import { formatNumber } from '../live/formatValue';
import { decimalsFor } from './reviewLines';

interface Props {
  metrics: RunMetricView[];
  chosen: string[];
  onChange: (chosen: string[]) => void;
}

/** Why `metric` cannot join the plot, in the technician's words; null when it can. */
export function plotProblem(metrics: RunMetricView[], chosen: readonly string[], metric: string): string | null {
  if (chosen.length >= MAX_SERIES) return `The chart shows at most ${MAX_SERIES} metrics: untick one first.`;
  const unitOf = (m: string): string | undefined => metrics.find((x) => x.metric === m)?.unit;
  if (unitsOf([...chosen, metric], unitOf).length > MAX_UNITS)
    return `The chart has one axis a side, so two units at most: untick the metrics in another unit first.`;
  return null;
}

export function MetricPicker({ metrics, chosen, onChange }: Props): React.JSX.Element {
  const [problem, setProblem] = useState<string | null>(null);
  if (metrics.length === 0)
    return (
      <p className="empty" data-testid="review-no-metrics">
        This run holds no numbers to plot.
      </p>
    );
  const toggle = (metric: string, on: boolean): void => {
    if (!on) {
      setProblem(null);
      return onChange(chosen.filter((m) => m !== metric));
    }
    const p = plotProblem(metrics, chosen, metric);
    setProblem(p);
    if (!p) onChange([...chosen, metric]);
  };
  return (
    <div className="review-metrics">
      <ul className="review-metric-list" aria-label="Metrics of this run">
        {metrics.map((m) => {
          const i = chosen.indexOf(m.metric);
          const d = decimalsFor(m);
          return (
            <li key={m.metric} className={i >= 0 ? `review-metric chart-c${(i % 8) + 1}` : 'review-metric'}>
              <label className="check-row" title={m.metric}>
                <input
                  type="checkbox"
                  checked={i >= 0}
                  onChange={(e) => toggle(m.metric, e.target.checked)}
                  data-testid={`review-metric-${m.metric}`}
                />
                <span className="chart-swatch" aria-hidden />
                <span className="review-metric-name">{m.metric}</span>
                {m.unit && <span className="muted">{m.unit}</span>}
              </label>
              <span className="muted tabular review-metric-stats">
                {count(m.points)} pts · {formatNumber(m.min, d)} to {formatNumber(m.max, d)}
              </span>
            </li>
          );
        })}
      </ul>
      {problem && (
        <p className="warn-text review-metric-problem" role="status" data-testid="review-metric-problem">
          {problem}
        </p>
      )}
    </div>
  );
}
