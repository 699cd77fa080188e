// One FFmpeg camera in the sources list: state, achieved vs asked fps, frames sent/dropped, start/stop.
import { getBench } from '../bridge';
import { ClampedText } from '../common/ClampedText';
import { count } from '../common/format';
import { useSourcesStore } from '../stores/sourcesStore';
import { SourceActions } from './SourceActions';
import { StateDot } from './StateDot';

export function CameraItem({ id, onEdit }: { id: string; onEdit: (id: string) => void }): React.JSX.Element | null {
  const c = useSourcesStore((st) => st.cameras.find((x) => x.id === id));
  if (!c) return null;
  const asked = c.config.fps;
  return (
    <article
      className="source-card"
      data-testid={`camera-${id}`}
      aria-label={`Camera ${c.config.name ?? c.config.cameraId}`}
    >
      <header className="source-head">
        <StateDot state={c.state} />
        <span className="source-title" title={`${c.config.url} · id ${c.config.cameraId}`}>
          {c.config.name ?? c.config.cameraId}
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
      <SourceActions
        kind="camera"
        id={id}
        on={c.enabled}
        onLabel="Start"
        offLabel="Stop"
        onTestId={`camera-start-${id}`}
        offTestId={`camera-stop-${id}`}
        name={c.config.cameraId}
        switchTo={(start) =>
          start ? getBench().invoke('camera.start', { id }) : getBench().invoke('camera.stop', { id })
        }
        onEdit={onEdit}
      />
    </article>
  );
}
