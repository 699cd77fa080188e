// A device's recent log lines (open/close, parser detection, bad lines), newest first, on demand.
import type { SerialSourceView } from '../../../shared/contract';
import { clockTime } from '../common/format';

const SHOWN = 50;

export function SerialLog({ id, log }: { id: string; log: SerialSourceView['log'] }): React.JSX.Element {
  const entries = log.slice(-SHOWN).reverse();
  return (
    <details className="source-log" data-testid={`serial-log-${id}`}>
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
