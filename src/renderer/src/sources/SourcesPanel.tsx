// The left column: every data source with its live state, and the way to add more. Plugin
// instances come first (the demo sensor is one), then devices, cameras and network lines.
import { useState } from 'react';
import { Modal } from '../common/Modal';
import { useShallow } from 'zustand/react/shallow';
import { useSourcesStore } from '../stores/sourcesStore';
import { CameraForm } from './CameraForm';
import { CameraItem } from './CameraItem';
import { NetworkForm } from './NetworkForm';
import { NetworkItem } from './NetworkItem';
import { PluginAddDialog } from './PluginAddDialog';
import { PluginAllowDialog } from './PluginAllowDialog';
import { PluginConfigForm } from './PluginConfigForm';
import { PluginItem } from './PluginItem';
import { SerialForm } from './SerialForm';
import { SerialItem } from './SerialItem';
import { WebcamSource } from './WebcamSource';

/** The shipped demo plugin's folder: its instance does not count as "a source you added". */
const DEMO_FOLDER = 'builtin:demo-signals';

type Editing =
  | { kind: 'serial' | 'camera' | 'network'; id: string | null }
  | { kind: 'plugin-settings' | 'plugin-review'; id: string }
  | { kind: 'plugin-add' }
  | null;

export function SourcesPanel(): React.JSX.Element {
  const pluginIds = useSourcesStore(useShallow((s) => s.plugins.map((x) => x.id)));
  const serialIds = useSourcesStore(useShallow((s) => s.serial.map((x) => x.id)));
  const cameraIds = useSourcesStore(useShallow((s) => s.cameras.map((x) => x.id)));
  const networkIds = useSourcesStore(useShallow((s) => s.network.map((x) => x.id)));
  const ownPlugins = useSourcesStore((s) => s.plugins.filter((p) => p.folder !== DEMO_FOLDER).length);
  const demoOn = useSourcesStore((s) => s.demoEnabled);
  const [editing, setEditing] = useState<Editing>(null);
  const editId = editing && 'id' in editing ? editing.id : null;
  const editedSerial = useSourcesStore((s) =>
    editing?.kind === 'serial' && editId ? (s.serial.find((x) => x.id === editId) ?? null) : null,
  );
  const editedCamera = useSourcesStore((s) =>
    editing?.kind === 'camera' && editId ? (s.cameras.find((x) => x.id === editId) ?? null) : null,
  );
  const editedNetwork = useSourcesStore((s) =>
    editing?.kind === 'network' && editId ? (s.network.find((x) => x.id === editId) ?? null) : null,
  );
  const editedPlugin = useSourcesStore((s) =>
    editing?.kind.startsWith('plugin-') && editId ? (s.plugins.find((x) => x.id === editId) ?? null) : null,
  );
  const close = (): void => setEditing(null);
  const nothingAdded = serialIds.length + cameraIds.length + networkIds.length + ownPlugins === 0;
  const add = (kind: 'serial' | 'camera' | 'network'): void => setEditing({ kind, id: null });

  return (
    <section className="panel sources-panel" aria-labelledby="sources-heading">
      <h2 id="sources-heading" className="panel-title">
        Sources
      </h2>
      <div className="panel-scroll">
        {pluginIds.map((id) => (
          <PluginItem
            key={id}
            id={id}
            onSettings={(i) => setEditing({ kind: 'plugin-settings', id: i })}
            onReview={(i) => setEditing({ kind: 'plugin-review', id: i })}
          />
        ))}
        {nothingAdded && (
          <p className="empty" data-testid="sources-empty">
            {demoOn === false ? 'The demo sensor is off.' : 'The demo sensor is running.'} Add a serial device, a
            camera, a plugin, network lines or your webcam.
          </p>
        )}
        {serialIds.map((id) => (
          <SerialItem key={id} id={id} onEdit={(i) => setEditing({ kind: 'serial', id: i })} />
        ))}
        {cameraIds.map((id) => (
          <CameraItem key={id} id={id} onEdit={(i) => setEditing({ kind: 'camera', id: i })} />
        ))}
        {networkIds.map((id) => (
          <NetworkItem key={id} id={id} onEdit={(i) => setEditing({ kind: 'network', id: i })} />
        ))}
        <WebcamSource />
        <div className="add-sources">
          <button type="button" className="button" onClick={() => add('serial')} data-testid="serial-add-open">
            + Serial device
          </button>
          <button type="button" className="button" onClick={() => add('camera')} data-testid="camera-add-open">
            + Camera
          </button>
          <button
            type="button"
            className="button"
            onClick={() => setEditing({ kind: 'plugin-add' })}
            data-testid="plugin-add-open"
          >
            + Plugin
          </button>
          <button type="button" className="button" onClick={() => add('network')} data-testid="network-add-open">
            + Network lines
          </button>
        </div>
      </div>
      <Modal
        open={editing?.kind === 'serial'}
        onClose={close}
        title={editId ? 'Edit serial device' : 'Add a serial device'}
        testId="serial-dialog"
        wide
      >
        <SerialForm editing={editedSerial} onDone={close} />
      </Modal>
      <Modal
        open={editing?.kind === 'camera'}
        onClose={close}
        title={editId ? 'Edit camera' : 'Add a camera'}
        testId="camera-dialog"
        wide
      >
        <CameraForm editing={editedCamera} onDone={close} />
      </Modal>
      <Modal
        open={editing?.kind === 'network'}
        onClose={close}
        title={editId ? 'Edit network lines' : 'Add network lines'}
        testId="network-dialog"
      >
        <NetworkForm editing={editedNetwork} onDone={close} />
      </Modal>
      <Modal open={editing?.kind === 'plugin-add'} onClose={close} title="Add a plugin" testId="plugin-add-dialog" wide>
        <PluginAddDialog onDone={close} />
      </Modal>
      <Modal
        open={editing?.kind === 'plugin-settings' && !!editedPlugin}
        onClose={close}
        title={`Settings of ${editedPlugin?.name ?? 'the plugin'}`}
        testId="plugin-config-dialog"
        wide={Object.values(editedPlugin?.configSchema?.properties ?? {}).some((f) => f.type === 'array')}
      >
        {editedPlugin && <PluginConfigForm plugin={editedPlugin} onDone={close} />}
      </Modal>
      <Modal
        open={editing?.kind === 'plugin-review' && !!editedPlugin}
        onClose={close}
        title={`Review ${editedPlugin?.name ?? 'the plugin'}`}
        testId="plugin-allow-dialog"
        wide
      >
        {editedPlugin && <PluginAllowDialog plugin={editedPlugin} onDone={close} />}
      </Modal>
    </section>
  );
}
