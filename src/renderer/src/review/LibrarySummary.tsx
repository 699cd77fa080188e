// The run library's room: what the kept runs take and what the disk has left, the warning the host
// gives before the quota would delete a run (prominent: the technician can still act), and the
// runs it deleted to make room.
import { dateTime } from '../common/format';
import { bytesText } from './bytes';
import { useLibraryStore } from './runLibrary';

/** Deleted runs listed by name; the rest counted. */
const DELETED_SHOWN = 5;

export function LibrarySummary(): React.JSX.Element | null {
  const lib = useLibraryStore((s) => s.library);
  if (!lib) return null;
  const deleted = [...lib.deleted].sort((a, b) => b.at - a.at);
  return (
    <div className="run-library" data-testid="run-library">
      <p className="muted tabular">
        Runs take <span data-testid="run-library-size">{bytesText(lib.totalBytes)}</span> · disk{' '}
        <span data-testid="run-library-free">
          {bytesText(lib.diskFreeBytes)} free of {bytesText(lib.diskBytes)}
        </span>
      </p>
      {lib.warning && (
        <p className="warning run-library-warning" role="alert" data-testid="run-library-warning">
          {lib.warning}
        </p>
      )}
      {deleted.length > 0 && (
        <div className="run-library-deleted" data-testid="run-library-deleted">
          <p className="warn-text">
            Deleted to keep {lib.keepFreePercent} % of the disk free (oldest delivered runs first):
          </p>
          <ul>
            {deleted.slice(0, DELETED_SHOWN).map((d, i) => (
              <li key={i}>
                {d.name} <span className="muted">(deleted {dateTime(d.at)})</span>
              </li>
            ))}
          </ul>
          {deleted.length > DELETED_SHOWN && <p className="muted">and {deleted.length - DELETED_SHOWN} more</p>}
        </div>
      )}
    </div>
  );
}
