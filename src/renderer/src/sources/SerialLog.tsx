// A source's recent log lines (open/close, parser detection, bad lines, a plugin's own log),
// newest first, on demand. Serial devices, plugins and network sources share it.
import type { LogEntryView } from '../../../shared/contract';
import { clockTime } from '../common/format';

const SHOWN = 50;

export function SerialLog({
  id,
  log,
  testId,
}: {
  id: string;
  log: readonly LogEntryView[];
  /** Default `serial-log-<id>`. */
  testId?: string;
}): React.JSX.Element {
  const entries = log.slice(-SHOWN).reverse();
  return (
    <details className="source-log" data-testid={testId ?? `serial-log-${id}`}>
      <summary>
        Log <span className="muted">({log.length})</span>
      </summary>
      {entries.length === 0 ? (
        <p className="muted">Nothing logged yet.</p>
      ) : (
        <ol className="log-list">
          {entries.map((e, i) => (
            <li key={`${e.at}-${i}`} className={`log-${e.level}`}>
              <time className="tabular">{clockTime(e.at)}</time> {e.message}
            </li>
          ))}
        </ol>
      )}
      {log.length > SHOWN && (
        <p className="muted">
          showing the last {SHOWN} of {log.length} entries
        </p>
      )}
    </details>
  );
}
