// One serial device in the sources list: live state, counters, connect/disconnect, log, send.
import { getBench } from '../bridge';
import { ClampedText } from '../common/ClampedText';
import { ErrorText } from '../common/ErrorText';
import { count } from '../common/format';
import { useAction } from '../common/useAction';
import { useSourcesStore } from '../stores/sourcesStore';
import { SourceActions } from './SourceActions';
import { SendLine } from './SendLine';
import { SerialLog } from './SerialLog';
import { StateDot } from './StateDot';

export function SerialItem({ id, onEdit }: { id: string; onEdit: (id: string) => void }): React.JSX.Element | null {
  const s = useSourcesStore((st) => st.serial.find((x) => x.id === id));
  const redetect = useAction(async () => {
    await getBench().invoke('serial.redetect', { id });
  });
  if (!s) return null;
  const problems = Object.entries(s.problems).filter(([, n]) => n > 0);
  const problemTotal = problems.reduce((a, [, n]) => a + n, 0);
  const where = s.path ?? s.config.path ?? (s.config.serialNumber ? `USB ${s.config.serialNumber}` : '');
  return (
    <article className="source-card" data-testid={`serial-${id}`} aria-label={`Serial device ${s.config.name}`}>
      <header className="source-head">
        <StateDot state={s.state} />
        <span className="source-title" title={where}>
          {s.config.name}
          {where && <span className="muted"> ({where.replace(/^\/dev\//, '')})</span>}
        </span>
      </header>
      <p className="source-line muted">
        {s.config.baudRate.toLocaleString('en-US')} baud · {s.parser ?? s.config.parser}
        {s.config.prefix === '' ? '' : ` · ${s.config.prefix ?? s.config.name}.*`}
      </p>
      {s.message && s.message !== s.state && s.message !== s.formatChanged && (
        <ClampedText
          text={s.message}
          className={s.state === 'error' ? 'source-line error-text' : 'source-line'}
          testId={`serial-message-${id}`}
        />
      )}
      <p className="source-line tabular">
        {count(s.lines)} lines · {count(s.points)} points
        {problemTotal > 0 && (
          <span
            className="warn-text"
            title={problems.map(([k, n]) => `${k}: ${n}`).join('\n')}
            data-testid={`serial-problems-${id}`}
          >
            {' '}
            · {count(problemTotal)} problem{problemTotal === 1 ? '' : 's'} (
            {problems.map(([k, n]) => `${k} ${count(n)}`).join(', ')})
          </span>
        )}
      </p>
      {s.formatChanged && (
        <div className="source-line warn-text" role="status" data-testid={`serial-format-changed-${id}`}>
          {s.formatChanged}{' '}
          <button
            type="button"
            className="button button-small"
            onClick={() => void redetect.run()}
            disabled={redetect.busy}
            data-testid={`serial-redetect-${id}`}
          >
            Re-detect format
          </button>
        </div>
      )}
      <ErrorText error={redetect.error} testId={`serial-redetect-error-${id}`} />
      <SourceActions
        kind="serial"
        id={id}
        on={s.enabled}
        onLabel="Connect"
        offLabel="Disconnect"
        onTestId={`serial-connect-${id}`}
        offTestId={`serial-disconnect-${id}`}
        name={s.config.name}
        switchTo={(connect) =>
          connect ? getBench().invoke('serial.connect', { id }) : getBench().invoke('serial.disconnect', { id })
        }
        onEdit={onEdit}
      />
      <SerialLog id={id} log={s.log} />
      <SendLine id={id} disabled={s.state !== 'open'} />
    </article>
  );
}
