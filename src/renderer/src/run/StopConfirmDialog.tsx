// Stopping a run longer than a minute asks first, from the Stop button and the R key alike: a stray
// click or key press must not end a long test.
import { useEffect, useRef } from 'react';
import { Modal } from '../common/Modal';
import { useRunsStore } from '../stores/runsStore';
import { useUiStore } from '../stores/uiStore';
import { stopRun } from './recorderStore';

const cancel = (): void => useUiStore.setState({ stopConfirmOpen: false });

function Body(): React.JSX.Element {
  const name = useRunsStore((s) => s.run?.name ?? 'the run');
  const stopRef = useRef<HTMLButtonElement>(null);
  useEffect(() => stopRef.current?.focus(), []);
  return (
    <>
      <div className="modal-body">
        <p>
          Stop recording <strong>{name}</strong>? The run ends now; its points stay in the run library.
        </p>
      </div>
      <footer className="modal-foot">
        <button type="button" className="button" onClick={cancel} data-testid="run-stop-cancel">
          Keep recording
        </button>
        <button
          ref={stopRef}
          type="button"
          className="button button-danger"
          onClick={() => void stopRun()}
          data-testid="run-stop-confirm"
        >
          Stop recording
        </button>
      </footer>
    </>
  );
}

export function StopConfirmDialog(): React.JSX.Element {
  const open = useUiStore((s) => s.stopConfirmOpen);
  const recording = useRunsStore((s) => s.run !== null);
  return (
    <Modal open={open && recording} onClose={cancel} title="Stop recording?" testId="run-stop-dialog">
      <Body />
    </Modal>
  );
}
