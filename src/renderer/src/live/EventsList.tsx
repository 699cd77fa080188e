// Recent events, newest first (markers have their own list, MarkersList: a device sending text
// often would push them out of this one). Re-renders only when the (throttled) events version
// moves, never per tick.
import { useMemo } from 'react';
import { brief, clockTimeMs, count } from '../common/format';
import { usePreviewStore } from '../stores/previewStore';
import { isMarker, live, recentEvents } from './liveData';

const SHOWN = 100;
/** Events looked at to find SHOWN that are not markers. */
const LOOKED_AT = 500;

export function EventsList(): React.JSX.Element {
  const version = usePreviewStore((s) => s.eventsVersion);
  const { events, dropped } = useMemo(() => {
    void version;
    const events = recentEvents(LOOKED_AT)
      .filter((e) => !isMarker(e))
      .slice(0, SHOWN);
    return { events, dropped: live.eventsDropped };
  }, [version]);
  return (
    <section className="events" aria-labelledby="events-heading" data-testid="events-list">
      <h3 id="events-heading" className="events-title">
        Events <span className="muted">({events.length === SHOWN ? `last ${SHOWN}` : events.length})</span>
        {dropped > 0 && (
          <span className="warn-text" data-testid="events-dropped">
            {' '}
            · {count(dropped)} more arrived too fast to list
          </span>
        )}
      </h3>
      {events.length === 0 ? (
        <p className="muted events-empty">No events yet. Markers (M) are listed under the Mark button.</p>
      ) : (
        <ol className="events-items">
          {events.map((e, i) => (
            <li key={`${e.t}-${e.metric}-${i}`} className="event">
              <time className="tabular">{clockTimeMs(e.t)}</time>
              <span className="event-metric">{e.metric}</span>
              <span className="event-value" title={brief(e.value, 2000)}>
                {brief(e.value)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
