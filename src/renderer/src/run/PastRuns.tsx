// The run library: finished runs newest first, with duration, point count and CSV export. A run
// the recorder did not end itself (killed or quit mid-run) says "interrupted" and where it ended.
import { useMemo } from 'react';
import type { RunView } from '../../../shared/contract';
import { clockTime, count, dateTime, duration } from '../common/format';
import { useRunsStore } from '../stores/runsStore';
import { ExportButton } from './ExportButton';

const SHOWN = 100;

/** A finished run's length, to the nearest second (9.9 s is 00:00:10, not 00:00:09). */
export function runDuration(ms: number): string {
  return duration(Math.round(ms / 1000) * 1000);
}

function PastRun({ run }: { run: RunView }): React.JSX.Element {
  return (
    <li className={run.interrupted ? 'past-run past-run-interrupted' : 'past-run'} data-testid={`past-run-${run.id}`}>
      <div className="past-run-main">
        <span className="past-run-name" title={run.name}>
          {run.name}
        </span>
        <span className="muted tabular">
          {dateTime(run.startedAt)} · {run.endedAt ? runDuration(run.endedAt - run.startedAt) : 'recording'} ·{' '}
          {count(run.points)} pts
        </span>
        {run.interrupted && run.endedAt !== null && (
          <span className="warn-text" data-testid={`past-run-interrupted-${run.id}`}>
            interrupted — the recorder stopped while recording; last point at {clockTime(run.endedAt)}
          </span>
        )}
      </div>
      <ExportButton runId={run.id} />
    </li>
  );
}

export function PastRuns(): React.JSX.Element {
  const runs = useRunsStore((s) => s.runs);
  const loaded = useRunsStore((s) => s.loaded);
  const currentId = useRunsStore((s) => s.run?.id ?? null);
  const past = useMemo(
    () => runs.filter((r) => r.id !== currentId).sort((a, b) => b.startedAt - a.startedAt),
    [runs, currentId],
  );
  return (
    <section className="past-runs" aria-labelledby="past-runs-heading">
      <h2 id="past-runs-heading" className="panel-title">
        Past runs {past.length > 0 && <span className="muted">({count(past.length)})</span>}
      </h2>
      {!loaded ? null : past.length === 0 ? (
        <p className="empty" data-testid="runs-empty">
          Press Start to record a run; press M to drop a marker.
        </p>
      ) : (
        <ol className="past-run-list">
          {past.slice(0, SHOWN).map((r) => (
            <PastRun key={r.id} run={r} />
          ))}
        </ol>
      )}
      {past.length > SHOWN && (
        <p className="muted">
          showing the latest {SHOWN} of {count(past.length)} runs
        </p>
      )}
    </section>
  );
}
