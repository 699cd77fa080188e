// This window's webcam as a source: pick a camera, preview it, stream frames to the host at the
// chosen rate. The achieved fps comes from the host (frames it really received).
import { useEffect, useRef, useState } from 'react';
import { errorText } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { count } from '../common/format';
import { useSourcesStore } from '../stores/sourcesStore';
import { StateDot } from './StateDot';
import { useVideoInputs } from './useVideoInputs';
import { WebcamStreamer, type StreamerStats } from './webcamStreamer';

const DEFAULT_FPS = 10;

export function WebcamSource(): React.JSX.Element {
  const videoRef = useRef<HTMLVideoElement>(null);
  const streamerRef = useRef<WebcamStreamer | null>(null);
  const { inputs, reload, unsupported } = useVideoInputs();
  const [deviceId, setDeviceId] = useState('');
  const [cameraId, setCameraId] = useState('webcam');
  const [fps, setFps] = useState(String(DEFAULT_FPS));
  const [streaming, setStreaming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [stats, setStats] = useState<StreamerStats | null>(null);
  const hostView = useSourcesStore((s) => s.webcams.find((w) => w.cameraId === cameraId.trim()));

  const fpsNum = Number(fps);
  const fpsProblem = !Number.isFinite(fpsNum) || fpsNum < 1 || fpsNum > 30 ? 'from 1 to 30' : null;
  const chosen = inputs?.find((d) => d.deviceId === deviceId) ?? inputs?.[0] ?? null;

  function streamer(): WebcamStreamer | null {
    if (!streamerRef.current && videoRef.current) {
      streamerRef.current = new WebcamStreamer(videoRef.current, (why) => {
        setStreaming(false);
        setError(why);
      });
    }
    return streamerRef.current;
  }

  // Local counters refresh once a second while streaming (the streamer mutates them in place).
  useEffect(() => {
    if (!streaming) return;
    const id = setInterval(() => setStats({ ...streamerRef.current!.stats }), 1000);
    return () => clearInterval(id);
  }, [streaming]);

  // Leaving the page (a reload, a closed tab) or unmounting stops the camera and tells the host
  // why, so the webcam says it stopped instead of looking as if it still streamed.
  useEffect(() => {
    const stop = (): void => void streamerRef.current?.stop('window-closed').catch(() => undefined);
    window.addEventListener('pagehide', stop);
    return () => {
      window.removeEventListener('pagehide', stop);
      stop();
    };
  }, []);

  // The platform asked to stop it (stop_camera): the host says so, this window stops the camera.
  const stopRequested = streaming && hostView?.stopRequested === true && !hostView.streaming;
  useEffect(() => {
    if (!stopRequested) return;
    const s = streamerRef.current;
    void (s ? s.stop() : Promise.resolve()).catch(() => undefined).finally(() => setStreaming(false));
  }, [stopRequested]);

  async function start(): Promise<void> {
    const s = streamer();
    if (!s || fpsProblem || !cameraId.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await s.start({
        deviceId: chosen?.deviceId || null,
        cameraId: cameraId.trim(),
        fps: fpsNum,
        label: chosen?.label,
      });
      setStreaming(true);
      reload(); // labels become readable once permission is granted
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function stop(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await streamerRef.current?.stop();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setStreaming(false);
      setBusy(false);
    }
  }

  async function changeFps(value: string): Promise<void> {
    setFps(value);
    const n = Number(value);
    if (!streaming || !Number.isFinite(n) || n < 1 || n > 30) return;
    try {
      await streamerRef.current?.setFps(n);
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <article className="source-card webcam" data-testid="webcam" aria-label="Webcam">
      <header className="source-head">
        <StateDot state={streaming ? 'streaming' : 'off'} />
        <span className="source-title">Webcam</span>
      </header>
      <video
        ref={videoRef}
        className={streaming ? 'webcam-preview' : 'webcam-preview webcam-preview-off'}
        muted
        playsInline
        aria-label="Webcam preview"
        data-testid="webcam-preview"
      />
      {unsupported ? (
        <p className="source-line muted">No camera access here: open this window at 127.0.0.1 or localhost.</p>
      ) : (
        <>
          <label className="field compact">
            <span>Camera</span>
            <select
              value={chosen?.deviceId ?? ''}
              onChange={(e) => setDeviceId(e.target.value)}
              disabled={streaming || busy}
              data-testid="webcam-select"
            >
              {inputs === null && <option value="">Looking for cameras…</option>}
              {inputs?.length === 0 && <option value="">No camera found</option>}
              {inputs?.map((d) => (
                <option key={d.deviceId || d.label} value={d.deviceId}>
                  {d.label}
                </option>
              ))}
            </select>
          </label>
          <div className="field-row compact">
            <label className="field compact">
              <span>Camera id</span>
              <input
                value={cameraId}
                onChange={(e) => setCameraId(e.target.value)}
                disabled={streaming || busy}
                spellCheck={false}
                data-testid="webcam-camera-id"
              />
            </label>
            <label className="field compact fps">
              <span>fps</span>
              <input
                type="number"
                min={1}
                max={30}
                value={fps}
                onChange={(e) => void changeFps(e.target.value)}
                aria-invalid={!!fpsProblem}
                data-testid="webcam-fps"
              />
            </label>
          </div>
          {fpsProblem && <p className="field-problem">fps: {fpsProblem}</p>}
          <div className="button-row">
            {streaming ? (
              <button
                type="button"
                className="button button-small"
                onClick={() => void stop()}
                disabled={busy}
                data-testid="webcam-stop"
              >
                Stop webcam
              </button>
            ) : (
              <button
                type="button"
                className="button button-small button-primary"
                onClick={() => void start()}
                disabled={busy || !!fpsProblem || !cameraId.trim() || inputs?.length === 0}
                data-testid="webcam-start"
              >
                {busy ? 'Starting…' : 'Start webcam'}
              </button>
            )}
          </div>
        </>
      )}
      {streaming && (
        <p className="source-line tabular">
          {hostView ? (
            <>
              {/* Only the figure carries the test id, so a test can read it as a number. */}
              <span data-testid="webcam-achieved">{hostView.fps.toFixed(1)}</span> fps sent (asked {fpsNum})
            </>
          ) : (
            'waiting for the host…'
          )}
          {hostView && hostView.framesDropped > 0 && (
            <span className="warn-text"> · {count(hostView.framesDropped)} dropped</span>
          )}
        </p>
      )}
      {streaming && stats && (
        <p className="source-line muted tabular" data-testid="webcam-local-stats">
          {count(stats.sent)} sent · {count(stats.skipped)} skipped (previous frame still in flight)
          {stats.refused + stats.failed > 0 ? ` · ${count(stats.refused + stats.failed)} not sent` : ''} from this
          window
        </p>
      )}
      {streaming && stats?.lastProblem && (
        <p className="source-line warn-text">Last frame not sent: {stats.lastProblem}</p>
      )}
      {!streaming && hostView && !hostView.streaming && hostView.message && hostView.message !== 'stopped' && (
        <p className="source-line warn-text" data-testid="webcam-host-message">
          Webcam {hostView.message}
        </p>
      )}
      <ErrorText error={error} testId="webcam-error" />
    </article>
  );
}
