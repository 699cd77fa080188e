// What the review says about the run beside the chart: when and how long, its points and size,
// who ran it and why, its fields and the sources it recorded; Edit details opens the dialog.
import type { RunView } from '../../../shared/contract';
import { count, dateTime } from '../common/format';
import { runDuration } from '../run/PastRuns';
import { bytesText } from './bytes';
import { fieldsText } from './detailsDraft';
import { openDetails } from './reviewStore';

export function RunSummary({ run }: { run: RunView }): React.JSX.Element {
  const meta = run.meta;
  return (
    <section className="review-summary" data-testid="review-summary" aria-label="About this run">
      <p className="tabular">
        {dateTime(run.startedAt)} · {run.endedAt ? runDuration(run.endedAt - run.startedAt) : 'recording'} ·{' '}
        {count(run.points)} pts
        {run.storage && <> · {bytesText(run.storage.bytes)}</>}
      </p>
      {run.storage && !run.storage.delivered && <p className="warn-text">Not yet delivered to the platform.</p>}
      {meta?.operator && <p data-testid="review-operator">Operator: {meta.operator}</p>}
      {meta?.description && <p className="review-description">{meta.description}</p>}
      {meta && Object.keys(meta.fields).length > 0 && (
        <p className="review-fields" data-testid="review-fields">
          {fieldsText(meta.fields)}
        </p>
      )}
      {meta && meta.sources.length > 0 && <p className="muted">Recorded: {meta.sources.join(', ')}</p>}
      <div className="button-row">
        <button
          type="button"
          className="button button-small"
          onClick={() => openDetails(run.id)}
          data-testid="review-edit"
        >
          Edit details
        </button>
      </div>
    </section>
  );
}
