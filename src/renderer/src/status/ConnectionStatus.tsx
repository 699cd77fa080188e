// The connection segment of the status bar: a dot, the host's sentence, and the one action that helps.
import { openSettings } from '../stores/uiStore';
import { useStatusStore } from '../stores/statusStore';
import { useSettingsStore } from '../stores/settingsStore';
import { ACTION, TONE, connectionSentence } from './connectionWords';

export function ConnectionStatus(): React.JSX.Element {
  const status = useStatusStore((s) => s.status?.status ?? null);
  const hostMessage = useStatusStore((s) => s.status?.message ?? 'Waiting for the recorder…');
  const detail = useStatusStore((s) => s.status?.detail ?? null);
  const mode = useSettingsStore((s) => s.settings?.gateway.mode ?? null);
  const message = connectionSentence(status, hostMessage, mode);
  // Local only by choice needs no key: offer the gateway choice instead of "Add API key".
  const action =
    status === 'local-only' && mode === 'local'
      ? { label: 'Gateway settings', focus: 'gateway' as const }
      : status
        ? ACTION[status]
        : undefined;
  return (
    <div className="sb-connection" title={detail ? `${message}\n${detail}` : message}>
      <span className={`dot dot-${status ? TONE[status] : 'idle'}`} aria-hidden />
      <div className="sb-connection-text">
        <span data-testid="connection-status" data-status={status ?? 'unknown'} role="status">
          {message}
        </span>
        {detail && <span className="sb-detail">{detail}</span>}
      </div>
      {action && (
        <button
          type="button"
          className="button button-small"
          data-testid="connection-action"
          onClick={() => openSettings(action.focus)}
        >
          {action.label}
        </button>
      )}
    </div>
  );
}
