// Device setup: name, API key, gateway. One Save sends what changed (name, then gateway, then key:
// a key is kept for the gateway it was entered for); each request's error is shown under its own
// section and the dialog stays open.
import { useState } from 'react';
import { deviceNameProblem, type SettingsView } from '../../../shared/contract';
import { errorText, getBench } from '../bridge';
import { LogFolderButton } from '../common/LogFolderButton';
import { Modal } from '../common/Modal';
import { useSettingsStore } from '../stores/settingsStore';
import { closeSettings, useUiStore, type SettingsFocus } from '../stores/uiStore';
import { ApiKeyField, keyProblem } from './ApiKeyField';
import { DeviceNameField } from './DeviceNameField';
import { FfmpegField } from './FfmpegField';
import { GatewayField } from './GatewayField';
import { draftFrom, draftProblem, sameGateway, settingFrom } from './gatewayDraft';

interface Errors {
  name: string | null;
  key: string | null;
  gateway: string | null;
}

const NO_ERRORS: Errors = { name: null, key: null, gateway: null };

function SettingsForm({ settings, focus }: { settings: SettingsView; focus: SettingsFocus }): React.JSX.Element {
  const [name, setName] = useState(settings.deviceName);
  const [key, setKey] = useState('');
  const [replacing, setReplacing] = useState(false);
  const [gateway, setGateway] = useState(() => draftFrom(settings.gateway));
  const [errors, setErrors] = useState<Errors>(NO_ERRORS);
  const [saving, setSaving] = useState(false);
  const [triedInvalid, setTriedInvalid] = useState(false);
  const gwProblems = draftProblem(gateway);
  const invalid = !!deviceNameProblem(name) || !!keyProblem(key) || !!gwProblems.url || !!gwProblems.wsUrl;

  async function save(): Promise<void> {
    setTriedInvalid(invalid);
    if (invalid) return;
    setSaving(true);
    const next: Errors = { ...NO_ERRORS };
    const bench = getBench();
    const apply = (s: SettingsView): void => useSettingsStore.setState({ settings: s });
    if (name !== settings.deviceName) {
      try {
        apply(await bench.invoke('settings.setDeviceName', { name }));
      } catch (e) {
        next.name = errorText(e);
      }
    }
    // The gateway first: a key is kept for the gateway it was entered for.
    const g = settingFrom(gateway);
    if (!sameGateway(g, settings.gateway)) {
      try {
        apply(await bench.invoke('settings.setGateway', { gateway: g }));
      } catch (e) {
        next.gateway = errorText(e);
      }
    }
    if (key.trim()) {
      try {
        apply(await bench.invoke('settings.setApiKey', { apiKey: key.trim() }));
        setKey('');
        setReplacing(false);
      } catch (e) {
        next.key = errorText(e);
      }
    }
    setSaving(false);
    setErrors(next);
    if (!next.name && !next.key && !next.gateway) closeSettings();
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
          error={errors.name}
          autoFocus={focus === 'name'}
        />
        <ApiKeyField
          settings={settings}
          value={key}
          onChange={setKey}
          replacing={replacing}
          onReplacing={setReplacing}
          error={errors.key}
          autoFocus={focus === 'key'}
        />
        <GatewayField
          draft={gateway}
          onChange={setGateway}
          problems={gwProblems}
          error={errors.gateway}
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
        {triedInvalid && invalid && (
          <p className="error-text" role="alert">
            Fix the marked fields first.
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
    <Modal open={open} onClose={closeSettings} title="Device setup" testId="settings-dialog" wide>
      {settings ? (
        <SettingsForm settings={settings} focus={focus} />
      ) : (
        <p className="empty modal-body">Waiting for the recorder to send its settings…</p>
      )}
    </Modal>
  );
}
