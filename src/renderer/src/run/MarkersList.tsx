// The markers, in a list of their own (a chatty device's events can never push one out): the
// current run's, the last run's, and those dropped while no run recorded — which go to no run's
// export, so they are labelled as such.
import { useMemo } from 'react';
import type { MarkerView } from '../../../shared/contract';
import { clockTimeMs } from '../common/format';
import { useMarkersStore } from '../stores/markersStore';
import { useRunsStore } from '../stores/runsStore';

function Group({
  title,
  markers,
  testId,
}: {
  title: string;
  markers: MarkerView[];
  testId: string;
}): React.JSX.Element {
  return (
    <div className="markers-group" data-testid={testId}>
      <h3 className="events-title">
        {title} <span className="muted">({markers.length})</span>
      </h3>
      <ol className="events-items">
        {[...markers].reverse().map((m) => (
          <li key={m.seq} className="event event-marker" data-testid={`marker-item-${m.seq}`}>
            <time className="tabular">{clockTimeMs(m.t)}</time>
            <span className="event-metric">⚑</span>
            <span className={m.note ? 'event-value' : 'event-value muted'}>{m.note ?? '(no note)'}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function MarkersList(): React.JSX.Element | null {
  const markers = useMarkersStore((s) => s.markers);
  const run = useRunsStore((s) => s.run);
  const runs = useRunsStore((s) => s.runs);
  const groups = useMemo(() => {
    const lastRun =
      [...runs].filter((r) => r.endedAt !== null && r.id !== run?.id).sort((a, b) => b.startedAt - a.startedAt)[0] ??
      null;
    return {
      current: run ? markers.filter((m) => m.runId === run.id) : [],
      last: lastRun ? markers.filter((m) => m.runId === lastRun.id) : [],
      lastName: lastRun?.name ?? '',
      outside: markers.filter((m) => m.runId === null),
    };
  }, [markers, run, runs]);
  if (groups.current.length + groups.last.length + groups.outside.length === 0) return null;
  return (
    <section className="markers-list" aria-label="Markers" data-testid="markers-list">
      <h2 className="panel-title">Markers</h2>
      {run && groups.current.length > 0 && (
        <Group title={`This run (${run.name})`} markers={groups.current} testId="markers-current" />
      )}
      {groups.last.length > 0 && (
        <Group title={`Last run (${groups.lastName})`} markers={groups.last} testId="markers-last" />
      )}
      {groups.outside.length > 0 && (
        <Group title="Outside any run (in no run’s export)" markers={groups.outside} testId="markers-outside" />
      )}
    </section>
  );
}
