// Drop an event marker: a big button (or M) with an optional note. Markers show on every sparkline.
import { clockTimeMs } from '../common/format';
import { ErrorText } from '../common/ErrorText';
import { dropMarker, setMarkerNote, useMarkerStore } from './markerStore';

export function MarkerControl(): React.JSX.Element {
  const note = useMarkerStore((s) => s.note);
  const last = useMarkerStore((s) => s.last);
  const error = useMarkerStore((s) => s.error);
  return (
    <section className="marker" aria-label="Event marker">
      <button
        type="button"
        className="big-button big-button-mark"
        onClick={() => void dropMarker()}
        aria-keyshortcuts="M"
        data-testid="marker-button"
      >
        <span aria-hidden>⚑</span> Mark <kbd>M</kbd>
      </button>
      <input
        className="marker-note"
        value={note}
        onChange={(e) => setMarkerNote(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void dropMarker();
          }
        }}
        placeholder="Note for the next marker (optional)"
        aria-label="Note for the next marker"
        maxLength={200}
        data-testid="marker-note"
      />
      {last && !error && (
        <p className="muted" data-testid="marker-last" role="status">
          Marker at <span className="tabular">{clockTimeMs(last.t)}</span>
          {last.note ? ` — ${last.note}` : ''}
          {last.outsideRun && (
            <span className="warn-text" data-testid="marker-outside-run">
              {' '}
              · marker recorded outside a run (start a run to have markers in its export)
            </span>
          )}
        </p>
      )}
      <ErrorText error={error} testId="marker-error" />
    </section>
  );
}
