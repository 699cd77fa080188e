// Recent events and markers, newest first. Re-renders only when the (throttled) events version
// moves, never per tick.
import { useMemo } from 'react';
import { brief, clockTimeMs, count } from '../common/format';
import { usePreviewStore } from '../stores/previewStore';
import { isMarker, live, recentEvents } from './liveData';

const SHOWN = 100;

export function EventsList(): React.JSX.Element {
  const version = usePreviewStore((s) => s.eventsVersion);
  const { events, dropped } = useMemo(() => {
    void version;
    return { events: recentEvents(SHOWN), dropped: live.eventsDropped };
  }, [version]);
  return (
    <section className="events" aria-labelledby="events-heading" data-testid="events-list">
      <h3 id="events-heading" className="events-title">
        Events &amp; markers{' '}
        <span className="muted">({events.length === SHOWN ? `last ${SHOWN}` : events.length})</span>
        {dropped > 0 && (
          <span className="warn-text" data-testid="events-dropped">
            {' '}
            · {count(dropped)} more arrived too fast to list
          </span>
        )}
      </h3>
      {events.length === 0 ? (
        <p className="muted events-empty">No events yet. Press M to drop a marker.</p>
      ) : (
        <ol className="events-items">
          {events.map((e, i) => (
            <li key={`${e.t}-${e.metric}-${i}`} className={isMarker(e) ? 'event event-marker' : 'event'}>
              <time className="tabular">{clockTimeMs(e.t)}</time>
              <span className="event-metric">{isMarker(e) ? '⚑ marker' : e.metric}</span>
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
