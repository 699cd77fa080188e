// Settings: device name, API key, gateway. Save checks every field here first (the same shared
// rules the host applies) and sends nothing while one is wrong; then one request applies what
// changed, all or nothing (settings.save). A refusal keeps the dialog open with the reason.
import { useState } from 'react';
import { deviceNameProblem, type RequestPayload, type SettingsView } from '../../../shared/contract';
import { errorText, getBench } from '../bridge';
import { LogFolderButton } from '../common/LogFolderButton';
import { Modal } from '../common/Modal';
import { useSettingsStore } from '../stores/settingsStore';
import { closeSettings, useUiStore, type SettingsFocus } from '../stores/uiStore';
import { ApiKeyField, keyProblem } from './ApiKeyField';
import { DeviceNameField } from './DeviceNameField';
import { FfmpegField } from './FfmpegField';
import { GatewayField } from './GatewayField';
import { draftFrom, draftProblem, sameGateway, settingFrom, type GatewayDraft } from './gatewayDraft';

/** What Save sends: only what changed (nothing at all when nothing did). */
export function settingsChanges(
  saved: SettingsView,
  name: string,
  key: string,
  gateway: GatewayDraft,
): RequestPayload<'settings.save'> {
  const out: RequestPayload<'settings.save'> = {};
  if (name !== saved.deviceName) out.deviceName = name;
  const g = settingFrom(gateway);
  if (!sameGateway(g, saved.gateway)) out.gateway = g;
  if (key.trim()) out.apiKey = key.trim();
  return out;
}

function SettingsForm({ settings, focus }: { settings: SettingsView; focus: SettingsFocus }): React.JSX.Element {
  const [name, setName] = useState(settings.deviceName);
  const [key, setKey] = useState('');
  const [replacing, setReplacing] = useState(false);
  const [gateway, setGateway] = useState(() => draftFrom(settings.gateway));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [triedInvalid, setTriedInvalid] = useState(false);
  const gwProblems = draftProblem(gateway);
  const invalid = !!deviceNameProblem(name) || !!keyProblem(key) || !!gwProblems.url || !!gwProblems.wsUrl;

  async function save(): Promise<void> {
    setTriedInvalid(invalid);
    if (invalid) return;
    const changes = settingsChanges(settings, name, key, gateway);
    if (Object.keys(changes).length === 0) return closeSettings();
    setSaving(true);
    setError(null);
    try {
      useSettingsStore.setState({ settings: await getBench().invoke('settings.save', changes) });
      setKey('');
      setReplacing(false);
      closeSettings();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
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
      <div className="modal-body settings-form">
        <DeviceNameField
          value={name}
          saved={settings.deviceName}
          onChange={setName}
          error={null}
          autoFocus={focus === 'name'}
        />
        <ApiKeyField
          settings={settings}
          value={key}
          onChange={setKey}
          replacing={replacing}
          onReplacing={setReplacing}
          error={null}
          autoFocus={focus === 'key'}
        />
        <GatewayField
          draft={gateway}
          onChange={setGateway}
          problems={gwProblems}
          error={null}
          autoFocus={focus === 'gateway'}
        />
        <FfmpegField />
        <p className="field-hint">
          Data folder: <code>{settings.dataDir}</code>
        </p>
        <p className="field-hint">
          Log folder: <code>{settings.logDir}</code> <LogFolderButton testId="settings-open-log-folder" />
        </p>
      </div>
      <footer className="modal-foot">
        {error && (
          <p className="error-text" role="alert" data-testid="settings-error">
            Nothing was saved: {error}
          </p>
        )}
        {triedInvalid && invalid && (
          <p className="error-text" role="alert" data-testid="settings-fix-first">
            Nothing was saved: fix the marked fields first.
          </p>
        )}
        <button type="button" className="button" onClick={closeSettings}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-primary"
          disabled={saving}
          aria-disabled={invalid}
          data-testid="save-settings"
        >
          {saving ? 'Saving…' : 'Save'}
        </button>
      </footer>
    </form>
  );
}

export function SettingsDialog(): React.JSX.Element {
  const open = useUiStore((s) => s.settingsOpen);
  const focus = useUiStore((s) => s.settingsFocus);
  const settings = useSettingsStore((s) => s.settings);
  return (
    <Modal open={open} onClose={closeSettings} title="Settings" testId="settings-dialog" wide>
      {settings ? (
        <SettingsForm settings={settings} focus={focus} />
      ) : (
        <p className="empty modal-body">Waiting for the recorder to send its settings…</p>
      )}
    </Modal>
  );
}
