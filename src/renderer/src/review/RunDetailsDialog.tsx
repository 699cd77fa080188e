// Edit a run's name and details, during the run or after it: saved with `run.update`. The keys
// are checked here first (the contract's rule); what the host still refuses is shown in the form,
// which stays open with everything typed.
import { useState } from 'react';
import { errorText, getBench } from '../bridge';
import { Field } from '../common/Field';
import { FormFooter } from '../common/FormFooter';
import { Modal } from '../common/Modal';
import { useRunsStore } from '../stores/runsStore';
import { DetailsFields } from './DetailsFields';
import { draftFrom, fieldsOf, firstFieldProblem } from './detailsDraft';
import { noteRun, runWithDetails } from './runLibrary';
import { closeDetails, useReviewStore } from './reviewStore';

function DetailsForm({ runId }: { runId: string }): React.JSX.Element {
  const [run] = useState(() => runWithDetails(runId));
  const [name, setName] = useState(run?.name ?? '');
  const [draft, setDraft] = useState(() => draftFrom(run?.meta));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const recording = useRunsStore((s) => s.run?.id === runId);
  const nameProblem = name.trim() ? null : 'give the run a name';

  async function save(): Promise<void> {
    const problem = nameProblem ?? firstFieldProblem(draft.fields);
    if (problem) return setError(`Nothing was saved: ${problem}.`);
    setBusy(true);
    setError(null);
    try {
      const saved = await getBench().invoke('run.update', {
        runId,
        name: name.trim(),
        operator: draft.operator.trim(),
        description: draft.description.trim(),
        fields: fieldsOf(draft.fields),
      });
      noteRun(saved);
      closeDetails();
    } catch (e) {
      setError(`Nothing was saved: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="modal-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="modal-body run-details-form">
        {recording && <p className="note">This run is recording: the details apply to all of it.</p>}
        <Field label="Run name" problem={nameProblem}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              maxLength={200}
              spellCheck={false}
              data-testid="run-details-name"
            />
          )}
        </Field>
        <DetailsFields draft={draft} onChange={setDraft} prefix="run-details" />
        {run?.meta && run.meta.sources.length > 0 && (
          <p className="field-hint">Recorded sources: {run.meta.sources.join(', ')}</p>
        )}
      </div>
      <FormFooter
        error={error}
        errorTestId="run-details-error"
        busy={busy}
        editing
        addLabel="Save"
        addTestId="run-details-save"
        saveTestId="run-details-save"
        onCancel={closeDetails}
      />
    </form>
  );
}

export function RunDetailsDialog(): React.JSX.Element {
  const runId = useReviewStore((s) => s.detailsRunId);
  return (
    <Modal open={runId !== null} onClose={closeDetails} title="Run details" testId="run-details-dialog" wide>
      {runId &&
        (runWithDetails(runId) ? (
          <DetailsForm key={runId} runId={runId} />
        ) : (
          <p className="empty modal-body">This run is no longer kept on this computer.</p>
        ))}
    </Modal>
  );
}
