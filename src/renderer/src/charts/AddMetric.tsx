// Overlay another metric: type (with suggestions from every metric seen) and Enter or Add. A metric
// the chart cannot take (a third unit, a ninth line) is refused with the reason beside the field.
import { useMemo, useState } from 'react';
import { metricNames } from '../live/liveData';
import { usePreviewStore } from '../stores/previewStore';
import { addToChart } from './chartsStore';

export function AddMetric({ chartId, metrics }: { chartId: number; metrics: readonly string[] }): React.JSX.Element {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const namesVersion = usePreviewStore((s) => s.namesVersion);
  const options = useMemo(() => {
    void namesVersion; // the names are read from the module; the version says when they changed
    return metricNames().filter((n) => !metrics.includes(n));
  }, [namesVersion, metrics]);
  const listId = `chart-${chartId}-metrics`;
  const add = (): void => {
    const name = text.trim();
    if (!name) return;
    const known = metricNames().includes(name);
    const p = known ? addToChart(chartId, name) : `no metric is named “${name}”`;
    setProblem(p);
    if (!p) setText('');
  };
  return (
    <div className="chart-add">
      <input
        type="text"
        list={listId}
        value={text}
        placeholder="Add metric…"
        aria-label="Add a metric to this chart"
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${listId}-problem` : undefined}
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          setProblem(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add();
          }
        }}
        data-testid="chart-add-input"
      />
      <datalist id={listId}>
        {options.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <button type="button" className="button button-small" onClick={add} data-testid="chart-add">
        Add
      </button>
      {problem && (
        <span className="error-text chart-add-problem" id={`${listId}-problem`} role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
