// The review chart with its tools: earlier/later, zoom in/out, Reset zoom, and the range shown.
// The plot: drag to zoom into a range, wheel to zoom around the pointer, Shift + drag to pan;
// with the keyboard ←/→ pan, + and − zoom, 0 resets. `focus` moves the view from outside (a
// marker clicked in the list).
import { useEffect, useRef, useState } from 'react';
import 'uplot/dist/uPlot.min.css';
import '../styles/charts.css';
import '../styles/review.css';
import type { PreviewEvent } from '../../../shared/contract';
import { clockTime, clockTimeMs } from '../common/format';
import { ErrorText } from '../common/ErrorText';
import { handleChartKey, PAN_STEP } from '../charts/chartKeys';
import { ReviewChart, type ReviewLine } from './reviewChart';
import { isZoomed, type Range } from './reviewRange';

export interface ViewRequest {
  range: Range;
  /** Bumped per request, so asking for the same range twice moves the view back to it. */
  n: number;
}

interface Props {
  lines: ReviewLine[];
  relative: boolean;
  full: Range;
  moments: PreviewEvent[];
  focus: ViewRequest | null;
  height: number;
  testId: string;
  /** What the plot is, for a screen reader ("Plot of psu.volts over run 12"). */
  label: string;
}

function rangeText(r: Range, relative: boolean): string {
  const span = r[1] - r[0];
  if (relative) return `${(r[0] / 1000).toFixed(1)} s to ${(r[1] / 1000).toFixed(1)} s`;
  return span < 10_000 ? `${clockTimeMs(r[0])} – ${clockTimeMs(r[1])}` : `${clockTime(r[0])} – ${clockTime(r[1])}`;
}

export function ReviewChartView(p: Props): React.JSX.Element {
  const rootRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<ReviewChart | null>(null);
  const [view, setView] = useState<Range>(p.full);
  // The view survives a rebuild over the same range (a metric ticked or unticked).
  const kept = useRef<{ full: Range; view: Range } | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The chart is rebuilt when what it draws changes, not when the parent re-renders.
  const key = JSON.stringify([p.lines, p.relative, p.full, p.moments.length, p.height]);

  useEffect(() => {
    const was = kept.current;
    const initial = was && was.full[0] === p.full[0] && was.full[1] === p.full[1] ? was.view : p.full;
    const c = new ReviewChart({
      target: plotRef.current!,
      root: rootRef.current!,
      lines: p.lines,
      relative: p.relative,
      full: p.full,
      moments: p.moments,
      initial,
      height: p.height,
      onView: (r) => {
        kept.current = { full: p.full, view: r };
        setView(r);
      },
      onError: setError,
    });
    chartRef.current = c;
    kept.current = { full: p.full, view: initial };
    setView(initial);
    return () => {
      c.destroy();
      chartRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for them
  }, [key]);

  useEffect(() => {
    if (p.focus) chartRef.current?.setRange(p.focus.range);
  }, [p.focus]);

  const onKey = (e: React.KeyboardEvent): void => handleChartKey(e, plotRef.current, chartRef.current);

  const zoomed = isZoomed(view, p.full);
  return (
    <div className="review-chart chart" ref={rootRef} data-testid={p.testId}>
      <div className="chart-tools review-tools">
        <button
          type="button"
          className="button button-small"
          onClick={() => chartRef.current?.pan(-PAN_STEP)}
          disabled={!zoomed || view[0] <= p.full[0]}
          aria-label="Earlier"
          title="Earlier (←)"
          data-testid={`${p.testId}-earlier`}
        >
          ◀
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => chartRef.current?.pan(PAN_STEP)}
          disabled={!zoomed || view[1] >= p.full[1]}
          aria-label="Later"
          title="Later (→)"
          data-testid={`${p.testId}-later`}
        >
          ▶
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => chartRef.current?.zoom(0.5)}
          title="Zoom in (+)"
          data-testid={`${p.testId}-zoom-in`}
        >
          Zoom in
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => chartRef.current?.zoom(2)}
          disabled={!zoomed}
          title="Zoom out (−)"
          data-testid={`${p.testId}-zoom-out`}
        >
          Zoom out
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => chartRef.current?.reset()}
          disabled={!zoomed}
          title="Show the whole run (0)"
          data-testid={`${p.testId}-reset`}
        >
          Reset zoom
        </button>
        <span className="muted tabular review-range" data-testid={`${p.testId}-range`}>
          {rangeText(view, p.relative)}
        </span>
      </div>
      <div
        className="chart-plot review-plot"
        ref={plotRef}
        tabIndex={0}
        role="img"
        aria-label={`${p.label}. Drag to zoom, wheel zooms, Shift and drag pans; arrow keys pan, plus and minus zoom, 0 shows all.`}
        onKeyDown={onKey}
        data-testid={`${p.testId}-plot`}
      />
      <p className="field-hint review-hint">Drag to zoom in · wheel to zoom · Shift + drag to move along</p>
      <ErrorText error={error} testId={`${p.testId}-error`} />
    </div>
  );
}
