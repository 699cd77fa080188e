// Start/stop a named run in one click; while recording, the elapsed time in large digits and
// the points recorded. The name is prefilled (next in sequence, or a timestamp) and editable; the
// optional details (operator, description, fields, sources to record) fold under it. Stop
// behaves as the R key does: a run longer than a minute asks first (recorderStore.requestStop).
// The last finished run can be reviewed from here; the recording run's details edited.
import { useMemo } from 'react';
import '../styles/review.css';
import { count } from '../common/format';
import { ErrorText } from '../common/ErrorText';
import { openDetails, openReview } from '../review/reviewStore';
import { StartDetails } from '../review/StartDetails';
import { useRunsStore } from '../stores/runsStore';
import { Elapsed } from './Elapsed';
import { requestStop, setDraft, startRun, useRecorderStore } from './recorderStore';

function Recording(): React.JSX.Element {
  const id = useRunsStore((s) => s.run?.id ?? '');
  const name = useRunsStore((s) => s.run?.name ?? '');
  const startedAt = useRunsStore((s) => s.run?.startedAt ?? 0);
  const points = useRunsStore((s) => s.run?.points ?? 0);
  const pending = useRecorderStore((s) => s.pending);
  return (
    <>
      <p className="run-name-live" data-testid="run-name-live" title={name}>
        <span className="rec-dot" aria-hidden /> {name}
      </p>
      <button
        type="button"
        className="big-button big-button-stop"
        onClick={() => requestStop()}
        disabled={pending === 'stop'}
        aria-keyshortcuts="R"
        data-testid="run-stop"
      >
        <span className="big-icon" aria-hidden>
          ■
        </span>{' '}
        {pending === 'stop' ? 'Stopping…' : 'Stop'}
      </button>
      <div className="run-figures">
        <Elapsed startedAt={startedAt} testId="run-elapsed" className="run-elapsed" />
        <span className="run-points">
          <span className="tabular" data-testid="run-points">
            {count(points)}
          </span>{' '}
          points
        </span>
      </div>
      <button
        type="button"
        className="button button-small run-details-edit"
        onClick={() => openDetails(id)}
        data-testid="run-details-edit"
      >
        Edit details
      </button>
    </>
  );
}

/** "Review last run": the run that ended last, the one a technician most often wants to look at. */
function ReviewLast(): React.JSX.Element | null {
  const runs = useRunsStore((s) => s.runs);
  const last = useMemo(
    () =>
      runs.reduce<(typeof runs)[number] | null>(
        (a, r) => (r.endedAt !== null && (!a || r.endedAt > (a.endedAt ?? 0)) ? r : a),
        null,
      ),
    [runs],
  );
  if (!last) return null;
  return (
    <button
      type="button"
      className="button button-small run-review-last"
      onClick={() => openReview(last.id)}
      title={`Open ${last.name} for review`}
      data-testid="review-last-run"
    >
      Review last run: {last.name}
    </button>
  );
}

function Idle(): React.JSX.Element {
  const draft = useRecorderStore((s) => s.draft);
  const pending = useRecorderStore((s) => s.pending);
  return (
    <>
      <form
        className="run-idle"
        onSubmit={(e) => {
          e.preventDefault();
          void startRun();
        }}
      >
        <label className="field">
          <span>Run name</span>
          <input
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            spellCheck={false}
            maxLength={200}
            data-testid="run-name-input"
          />
        </label>
        <button
          type="submit"
          className="big-button big-button-start"
          disabled={pending === 'start' || !draft.trim()}
          aria-keyshortcuts="R"
          data-testid="run-start"
        >
          <span className="big-icon" aria-hidden>
            ●
          </span>{' '}
          {pending === 'start' ? 'Starting…' : 'Start'}
        </button>
      </form>
      {/* Outside the form: Enter in the operator's field must not start the run. */}
      <StartDetails />
      <ReviewLast />
    </>
  );
}

export function RunRecorder(): React.JSX.Element {
  const recording = useRunsStore((s) => s.run !== null);
  const error = useRecorderStore((s) => s.error);
  return (
    <section className={recording ? 'run-recorder recording' : 'run-recorder'} aria-labelledby="run-heading">
      <h2 id="run-heading" className="panel-title">
        Run {recording ? <span className="rec-label">● recording</span> : null}
      </h2>
      {recording ? <Recording /> : <Idle />}
      <ErrorText error={error} testId="run-error" />
    </section>
  );
}
