// Delete a past run, after an inline confirmation that says what is lost (and, for a run the
// platform does not have yet, that it would be lost everywhere). The host refuses to delete the
// run recording; its words are shown here.
import { useState } from 'react';
import type { RunView } from '../../../shared/contract';
import { getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { useAction } from '../common/useAction';
import { forgetRun } from './runLibrary';
import { closeReview, useReviewStore } from './reviewStore';

export function DeleteRunButton({ run }: { run: RunView }): React.JSX.Element {
  const [asking, setAsking] = useState(false);
  const del = useAction(async () => {
    await getBench().invoke('run.delete', { runId: run.id });
    if (useReviewStore.getState().runId === run.id) closeReview();
    forgetRun(run.id);
  });
  const delivered = run.storage?.delivered;
  return (
    <>
      {!asking ? (
        <button
          type="button"
          className="button button-small"
          onClick={() => {
            del.clearError();
            setAsking(true);
          }}
          data-testid={`run-delete-${run.id}`}
        >
          Delete
        </button>
      ) : (
        <span className="inline-confirm run-delete-confirm">
          <span>
            Delete this run from this computer?{' '}
            {delivered === false && (
              <strong className="warn-text">The platform does not have all of it yet: it would be lost.</strong>
            )}
            {delivered === true && 'The platform keeps its copy.'}
          </span>
          <button
            type="button"
            className="button button-small button-danger"
            onClick={() => void del.run().then(() => setAsking(false))}
            disabled={del.busy}
            data-testid={`run-delete-${run.id}-confirm`}
            autoFocus
          >
            {del.busy ? 'Deleting…' : 'Delete'}
          </button>
          <button type="button" className="button button-small" onClick={() => setAsking(false)}>
            Keep
          </button>
        </span>
      )}
      <ErrorText error={del.error} testId={`run-delete-error-${run.id}`} />
    </>
  );
}
