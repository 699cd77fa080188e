// The run library: finished runs newest first, with duration, points, size and whether the
// platform has them all, who ran them and the sources they recorded; each can be opened for
// review, have its details edited, be deleted or exported. Above the list: the room the runs take
// and the disk's, with the host's warning before the quota deletes anything. A run the recorder
// did not end itself (killed or quit mid-run) says "interrupted" and where it ended.
import { useEffect, useMemo } from 'react';
import '../styles/review.css';
import type { RunView } from '../../../shared/contract';
import { clockTime, count, dateTime, duration } from '../common/format';
import { bytesText } from '../review/bytes';
import { DeleteRunButton } from '../review/DeleteRunButton';
import { fieldsText } from '../review/detailsDraft';
import { watchExportProgress } from '../review/exportProgress';
import { LibrarySummary } from '../review/LibrarySummary';
import { watchLibrary } from '../review/runLibrary';
import { openDetails, openReview } from '../review/reviewStore';
import { useRunsStore } from '../stores/runsStore';
import { ExportButton } from './ExportButton';

const SHOWN = 100;

/** A finished run's length, to the nearest second (9.9 s is 00:00:10, not 00:00:09). */
export function runDuration(ms: number): string {
  return duration(Math.round(ms / 1000) * 1000);
}

function RunFacts({ run }: { run: RunView }): React.JSX.Element {
  const meta = run.meta;
  const fields = fieldsText(meta?.fields);
  return (
    <>
      <span className="muted tabular">
        {dateTime(run.startedAt)} · {run.endedAt ? runDuration(run.endedAt - run.startedAt) : 'recording'} ·{' '}
        {count(run.points)} pts
        {run.storage && (
          <>
            {' · '}
            <span data-testid={`past-run-size-${run.id}`}>{bytesText(run.storage.bytes)}</span>
          </>
        )}
      </span>
      {run.storage && !run.storage.delivered && (
        <span className="warn-text" data-testid={`past-run-undelivered-${run.id}`}>
          not yet delivered
        </span>
      )}
      {meta?.operator && (
        <span className="past-run-detail" data-testid={`past-run-operator-${run.id}`}>
          operator: {meta.operator}
        </span>
      )}
      {fields && (
        <span className="past-run-detail" title={fields} data-testid={`past-run-fields-${run.id}`}>
          {fields}
        </span>
      )}
      {meta && meta.sources.length > 0 && (
        <span className="past-run-detail muted" data-testid={`past-run-sources-${run.id}`}>
          recorded: {meta.sources.join(', ')}
        </span>
      )}
    </>
  );
}

function PastRun({ run }: { run: RunView }): React.JSX.Element {
  return (
    <li className={run.interrupted ? 'past-run past-run-interrupted' : 'past-run'} data-testid={`past-run-${run.id}`}>
      <div className="past-run-main">
        <span className="past-run-name" title={run.name}>
          {run.name}
        </span>
        <RunFacts run={run} />
        {run.interrupted && run.endedAt !== null && (
          <span className="warn-text" data-testid={`past-run-interrupted-${run.id}`}>
            interrupted — the recorder stopped while recording; last point at {clockTime(run.endedAt)}
          </span>
        )}
      </div>
      <div className="button-row past-run-actions">
        <button
          type="button"
          className="button button-small button-primary"
          onClick={() => openReview(run.id)}
          data-testid={`run-open-${run.id}`}
        >
          Open
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => openDetails(run.id)}
          data-testid={`run-edit-${run.id}`}
        >
          Edit details
        </button>
        <DeleteRunButton run={run} />
      </div>
      <ExportButton runId={run.id} />
    </li>
  );
}

export function PastRuns(): React.JSX.Element {
  const runs = useRunsStore((s) => s.runs);
  const loaded = useRunsStore((s) => s.loaded);
  const currentId = useRunsStore((s) => s.run?.id ?? null);
  useEffect(() => {
    watchLibrary();
    watchExportProgress();
  }, []);
  const past = useMemo(
    () => runs.filter((r) => r.id !== currentId).sort((a, b) => b.startedAt - a.startedAt),
    [runs, currentId],
  );
  return (
    <section className="past-runs" aria-labelledby="past-runs-heading">
      <h2 id="past-runs-heading" className="panel-title">
        Past runs {past.length > 0 && <span className="muted">({count(past.length)})</span>}
      </h2>
      <LibrarySummary />
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
