// The run's markers and events in time order; clicking one zooms the chart to the moments around
// it. Shown as time into the run, as a technician thinks of a test ("the valve opened at 2:10").
import type { RunMomentView } from '../../../shared/contract';
import { clockTime, count, duration } from '../common/format';
import { momentText } from './reviewLines';

interface Props {
  moments: RunMomentView[];
  cut: boolean;
  startedAt: number;
  onPick: (m: RunMomentView) => void;
}

export function MomentsList({ moments, cut, startedAt, onPick }: Props): React.JSX.Element {
  const markers = moments.filter((m) => m.kind === 'marker').length;
  const events = moments.length - markers;
  return (
    <section className="review-moments" aria-labelledby="review-moments-heading">
      <h3 id="review-moments-heading" className="review-heading">
        <span className="panel-title">Markers and events</span>{' '}
        <span className="muted">
          ({count(markers)} {markers === 1 ? 'marker' : 'markers'}, {count(events)} {events === 1 ? 'event' : 'events'})
        </span>
      </h3>
      {moments.length === 0 ? (
        <p className="empty">No markers or events in this run.</p>
      ) : (
        <ol className="review-moment-list" data-testid="review-moments">
          {moments.map((m, i) => {
            const text = momentText(m);
            return (
              <li key={i}>
                <button
                  type="button"
                  className={m.kind === 'marker' ? 'review-moment review-moment-marker' : 'review-moment'}
                  onClick={() => onPick(m)}
                  title={`${clockTime(m.t)} — show the moments around it`}
                  data-testid={`review-moment-${i}`}
                  data-t={m.t}
                  data-kind={m.kind}
                >
                  <span className="tabular muted">{duration(m.t - startedAt)}</span>
                  <span className="review-moment-text">
                    {m.kind === 'marker' ? `⚑ ${text || 'marker'}` : text ? `${m.name}: ${text}` : m.name}
                  </span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
      {cut && <p className="muted">Only the first {count(moments.length)} are listed.</p>}
    </section>
  );
}
