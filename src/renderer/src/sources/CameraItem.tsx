// One FFmpeg camera in the sources list: state, achieved vs asked fps, frames sent/dropped, start/stop.
import { getBench } from '../bridge';
import { ClampedText } from '../common/ClampedText';
import { ErrorText } from '../common/ErrorText';
import { count } from '../common/format';
import { useAction } from '../common/useAction';
import { useSourcesStore } from '../stores/sourcesStore';
import { RemoveButton } from './RemoveButton';
import { StateDot } from './StateDot';

export function CameraItem({ id, onEdit }: { id: string; onEdit: (id: string) => void }): React.JSX.Element | null {
  const c = useSourcesStore((st) => st.cameras.find((x) => x.id === id));
  const toggle = useAction((start: boolean) =>
    start ? getBench().invoke('camera.start', { id }) : getBench().invoke('camera.stop', { id }),
  );
  if (!c) return null;
  const asked = c.config.fps;
  return (
    <article className="source-card" data-testid={`camera-${id}`} aria-label={`Camera ${c.config.cameraId}`}>
      <header className="source-head">
        <StateDot state={c.state} />
        <span className="source-title" title={c.config.url}>
          {c.config.cameraId}
        </span>
      </header>
      <p className="source-line muted" title={c.config.url}>
        {c.config.url}
      </p>
      {c.message && c.message !== c.state && (
        <ClampedText
          text={c.message}
          className={c.state === 'error' ? 'source-line error-text' : 'source-line'}
          testId={`camera-message-${id}`}
        />
      )}
      <p className="source-line tabular" data-testid={`camera-fps-${id}`}>
        {c.fps.toFixed(1)} fps{asked !== undefined ? ` of ${asked}` : ''} · {count(c.framesSent)} sent
        {c.framesDropped > 0 && <span className="warn-text"> · {count(c.framesDropped)} dropped</span>}
      </p>
      <div className="button-row">
        {c.enabled ? (
          <button
            type="button"
            className="button button-small"
            disabled={toggle.busy}
            onClick={() => void toggle.run(false)}
            data-testid={`camera-stop-${id}`}
          >
            Stop
          </button>
        ) : (
          <button
            type="button"
            className="button button-small button-primary"
            disabled={toggle.busy}
            onClick={() => void toggle.run(true)}
            data-testid={`camera-start-${id}`}
          >
            Start
          </button>
        )}
        <button
          type="button"
          className="button button-small"
          onClick={() => onEdit(id)}
          data-testid={`camera-edit-${id}`}
        >
          Edit
        </button>
        <RemoveButton
          what={c.config.cameraId}
          testId={`camera-remove-${id}`}
          onRemove={() => getBench().invoke('camera.remove', { id })}
        />
      </div>
      <ErrorText error={toggle.error} testId={`camera-error-${id}`} />
    </article>
  );
}
