// The middle column: the open charts, the live preview of every metric (tiles or table) and the
// events list.
import { useEffect } from 'react';
import { ChartArea } from '../charts/ChartArea';
import { usePreviewStore } from '../stores/previewStore';
import { useSourcesStore } from '../stores/sourcesStore';
import { EventsList } from './EventsList';
import { LiveToolbar } from './LiveToolbar';
import { MetricTable } from './MetricTable';
import { MetricTiles } from './MetricTiles';
import { watchRetiredSources } from './retireWatch';
import { useShownNames } from './useShownNames';

function Empty({ total }: { total: number }): React.JSX.Element {
  const filter = usePreviewStore((s) => s.filter);
  const demoOn = useSourcesStore((s) => s.demoEnabled);
  if (total > 0)
    return (
      <p className="empty" data-testid="metrics-empty">
        No metric name contains “{filter}”. <kbd>Esc</kbd> in the filter clears it.
      </p>
    );
  return (
    <p className="empty" data-testid="metrics-empty">
      {demoOn === false
        ? 'No data yet. Turn on the demo sensor or add a source on the left.'
        : 'Waiting for the first values…'}
    </p>
  );
}

export function LivePanel(): React.JSX.Element {
  const shown = useShownNames();
  const view = usePreviewStore((s) => s.view);
  useEffect(() => watchRetiredSources(), []);
  return (
    <section className="panel live-panel" aria-label="Live preview">
      <LiveToolbar shown={shown} />
      <ChartArea />
      {/* Focusable so the metric list can be scrolled from the keyboard. */}
      <div className="live-scroll" tabIndex={0} aria-label="Metrics">
        {shown.names.length === 0 ? (
          <Empty total={shown.total} />
        ) : view === 'tiles' ? (
          <MetricTiles names={shown.names} />
        ) : (
          <MetricTable names={shown.names} />
        )}
      </div>
      <EventsList />
    </section>
  );
}
