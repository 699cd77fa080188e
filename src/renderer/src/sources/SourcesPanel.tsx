// The left column: every data source with its live state, and the way to add more.
import { useState } from 'react';
import { Modal } from '../common/Modal';
import { useShallow } from 'zustand/react/shallow';
import { useSourcesStore } from '../stores/sourcesStore';
import { CameraForm } from './CameraForm';
import { CameraItem } from './CameraItem';
import { DemoSource } from './DemoSource';
import { SerialForm } from './SerialForm';
import { SerialItem } from './SerialItem';
import { WebcamSource } from './WebcamSource';

type Editing = { kind: 'serial' | 'camera'; id: string | null } | null;

export function SourcesPanel(): React.JSX.Element {
  const serialIds = useSourcesStore(useShallow((s) => s.serial.map((x) => x.id)));
  const cameraIds = useSourcesStore(useShallow((s) => s.cameras.map((x) => x.id)));
  const demoOn = useSourcesStore((s) => s.demoEnabled);
  const [editing, setEditing] = useState<Editing>(null);
  const editedSerial = useSourcesStore((s) =>
    editing?.kind === 'serial' && editing.id ? (s.serial.find((x) => x.id === editing.id) ?? null) : null,
  );
  const editedCamera = useSourcesStore((s) =>
    editing?.kind === 'camera' && editing.id ? (s.cameras.find((x) => x.id === editing.id) ?? null) : null,
  );
  const close = (): void => setEditing(null);
  const nothingAdded = serialIds.length === 0 && cameraIds.length === 0;

  return (
    <section className="panel sources-panel" aria-labelledby="sources-heading">
      <h2 id="sources-heading" className="panel-title">
        Sources
      </h2>
      <div className="panel-scroll">
        <DemoSource />
        {nothingAdded && (
          <p className="empty" data-testid="sources-empty">
            {demoOn === false ? 'The demo sensor is off.' : 'The demo sensor is running.'} Add a serial device, a camera
            or your webcam.
          </p>
        )}
        {serialIds.map((id) => (
          <SerialItem key={id} id={id} onEdit={(i) => setEditing({ kind: 'serial', id: i })} />
        ))}
        {cameraIds.map((id) => (
          <CameraItem key={id} id={id} onEdit={(i) => setEditing({ kind: 'camera', id: i })} />
        ))}
        <WebcamSource />
        <div className="add-sources">
          <button
            type="button"
            className="button"
            onClick={() => setEditing({ kind: 'serial', id: null })}
            data-testid="serial-add-open"
          >
            + Serial device
          </button>
          <button
            type="button"
            className="button"
            onClick={() => setEditing({ kind: 'camera', id: null })}
            data-testid="camera-add-open"
          >
            + Camera
          </button>
        </div>
      </div>
      <Modal
        open={editing?.kind === 'serial'}
        onClose={close}
        title={editing?.id ? 'Edit serial device' : 'Add a serial device'}
        testId="serial-dialog"
        wide
      >
        <SerialForm editing={editedSerial} onDone={close} />
      </Modal>
      <Modal
        open={editing?.kind === 'camera'}
        onClose={close}
        title={editing?.id ? 'Edit camera' : 'Add a camera'}
        testId="camera-dialog"
        wide
      >
        <CameraForm editing={editedCamera} onDone={close} />
      </Modal>
    </section>
  );
}
