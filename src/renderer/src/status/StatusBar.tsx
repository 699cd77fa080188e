// The top bar: recording state, device name (opens Settings), connection, throughput, backlog, clock.
import { count, shortMs } from '../common/format';
import { Elapsed } from '../run/Elapsed';
import { useRunsStore } from '../stores/runsStore';
import { useSettingsStore } from '../stores/settingsStore';
import { useStatusStore } from '../stores/statusStore';
import { openSettings } from '../stores/uiStore';
import { ConnectionStatus } from './ConnectionStatus';
import { backlogWords } from './connectionWords';

function RecordingSegment(): React.JSX.Element {
  const runName = useRunsStore((s) => s.run?.name ?? null);
  const startedAt = useRunsStore((s) => s.run?.startedAt ?? 0);
  if (runName === null) return <div className="sb-rec sb-rec-idle">Not recording</div>;
  return (
    <div className="sb-rec" data-testid="status-recording">
      <span className="rec-dot" aria-hidden />
      <span className="rec-label">REC</span>
      <Elapsed startedAt={startedAt} />
      <span className="sb-rec-name" title={runName}>
        {runName}
      </span>
    </div>
  );
}

function DeviceSegment(): React.JSX.Element {
  const name = useSettingsStore((s) => s.settings?.deviceName ?? '…');
  return (
    <button
      type="button"
      className="sb-device"
      data-testid="settings-open"
      onClick={() => openSettings('name')}
      title="Settings: device name, API key, gateway"
    >
      <span className="sb-device-name">{name}</span>
      <span aria-hidden>✎</span>
      <span className="visually-hidden">Open Settings</span>
    </button>
  );
}

/** A figure over its label, so three of them fit beside a long connection sentence at 1024 px. */
function Cell({ value, label, title, testId }: { value: string; label: string; title: string; testId: string }) {
  return (
    <div className="sb-cell" title={title}>
      <span className="sb-value tabular" data-testid={testId}>
        {value}
      </span>
      <span className="sb-label">{label}</span>
    </div>
  );
}

function Throughput(): React.JSX.Element {
  const pps = useStatusStore((s) => s.status?.pointsPerSec ?? null);
  return (
    <Cell
      value={pps === null ? '—' : count(pps)}
      label="points/s"
      title="Points recorded per second, all sources"
      testId="points-per-sec"
    />
  );
}

function Buffered(): React.JSX.Element {
  const buffered = useStatusStore((s) => s.status?.buffered ?? null);
  const status = useStatusStore((s) => s.status?.status ?? null);
  const words = backlogWords(status);
  return (
    <Cell value={buffered === null ? '—' : count(buffered)} label={words.label} title={words.title} testId="buffered" />
  );
}

function Clock(): React.JSX.Element {
  const offset = useStatusStore((s) => s.status?.clockOffsetMs ?? null);
  const unc = useStatusStore((s) => s.status?.clockUncertaintyMs ?? null);
  const source = useStatusStore((s) => s.status?.clockSource ?? 'local');
  const value =
    offset === null
      ? '—'
      : unc === null
        ? 'not synced'
        : `${offset >= 0 ? '+' : '−'}${shortMs(Math.abs(offset))} ± ${shortMs(unc)}`;
  const title =
    offset === null
      ? ''
      : `Gateway time − this machine's clock: ${shortMs(offset)}` +
        (unc === null ? ' (no sync with the gateway yet)' : `, uncertain by ±${shortMs(unc)}`) +
        ` · source: ${source}`;
  return <Cell value={value} label="clock offset" title={title} testId="clock" />;
}

export function StatusBar(): React.JSX.Element {
  return (
    <header className="status-bar" data-testid="status-bar">
      <RecordingSegment />
      <DeviceSegment />
      <ConnectionStatus />
      <Throughput />
      <Buffered />
      <Clock />
    </header>
  );
}
