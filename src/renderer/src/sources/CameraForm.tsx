// Add or edit an FFmpeg camera: an RTSP/HTTP URL, a file, or a local device, its name and the frame
// rate to send. The name is free text ("Front Cam"); its id on the platform and in its metrics is
// derived from it by the one metric prefix rule (front_cam → camera.front_cam.fps), shown before
// saving. An existing camera keeps its id until its name is changed.
import { useState } from 'react';
import type { CameraConfig, CameraSourceView } from '../../../shared/contract';
import { metricPrefixFrom } from '../../../shared/names';
import { getBench } from '../bridge';
import { FormFooter } from '../common/FormFooter';
import { Field } from '../common/Field';
import { useAction } from '../common/useAction';

interface Draft {
  url: string;
  /** Display name, free text. */
  name: string;
  fps: string;
  quality: string;
}

/** The camera's id for a draft: the saved one while the name is unchanged, else derived from the name. */
export function cameraIdFor(name: string, saved: { name: string; cameraId: string } | null): string {
  if (saved && name.trim() === saved.name) return saved.cameraId;
  return metricPrefixFrom(name.trim(), 'camera');
}

function problemsOf(d: Draft): Partial<Record<keyof Draft, string>> {
  const out: Partial<Record<keyof Draft, string>> = {};
  if (!d.url.trim()) out.url = 'enter the camera URL or device';
  if (!d.name.trim()) out.name = 'give the camera a name, e.g. Front cam';
  const fps = Number(d.fps);
  if (d.fps && (!Number.isFinite(fps) || fps < 0.1 || fps > 60)) out.fps = 'from 0.1 to 60 frames per second';
  const q = Number(d.quality);
  if (d.quality && (!Number.isInteger(q) || q < 1 || q > 100)) out.quality = 'a whole number from 1 to 100';
  return out;
}

function configOf(d: Draft, cameraId: string): CameraConfig {
  const c: CameraConfig = { url: d.url.trim(), cameraId };
  if (d.name.trim() !== cameraId) c.name = d.name.trim();
  if (d.fps) c.fps = Number(d.fps);
  if (d.quality) c.quality = Number(d.quality);
  return c;
}

/** A camera name suggested from the URL's host or the device file. */
function nameFromUrl(url: string): string {
  const m = /^[a-z]+:\/\/([^/:@]+@)?([^/:]+)/i.exec(url);
  return (m ? m[2]! : (url.split(/[\\/]/).pop() ?? '')).slice(0, 40);
}

export function CameraForm({
  editing,
  onDone,
}: {
  editing: CameraSourceView | null;
  onDone: () => void;
}): React.JSX.Element {
  const c = editing?.config;
  const saved = c ? { name: c.name ?? c.cameraId, cameraId: c.cameraId } : null;
  const [d, setD] = useState<Draft>({
    url: c?.url ?? '',
    name: saved?.name ?? '',
    fps: c?.fps !== undefined ? String(c.fps) : '10',
    quality: c?.quality !== undefined ? String(c.quality) : '',
  });
  const [tried, setTried] = useState(false);
  const [nameTouched, setNameTouched] = useState(!!c);
  const cameraId = cameraIdFor(d.name, saved);
  const problems = problemsOf(d);
  const show = (k: keyof Draft): string | undefined =>
    tried || k === 'fps' || k === 'quality' ? problems[k] : undefined;
  const submit = useAction(async () => {
    const config = configOf(d, cameraId);
    if (editing) await getBench().invoke('camera.update', { id: editing.id, config });
    else await getBench().invoke('camera.add', { config });
    onDone();
  });
  return (
    <form
      className="modal-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (Object.keys(problems).length === 0) void submit.run();
      }}
    >
      <div className="modal-body source-form">
        <Field
          label="Camera URL or device"
          hint="rtsp://user:pass@192.168.1.20/stream, http://cam.local/mjpeg, /dev/video0, or a video file"
          problem={show('url')}
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              value={d.url}
              onChange={(e) =>
                setD((x) => ({
                  ...x,
                  url: e.target.value,
                  ...(nameTouched ? {} : { name: nameFromUrl(e.target.value) }),
                }))
              }
              aria-describedby={describedBy}
              aria-invalid={invalid}
              spellCheck={false}
              data-testid="camera-url"
            />
          )}
        </Field>
        <div className="field-row">
          <Field
            label="Camera name"
            hint={
              d.name.trim() ? (
                <span className="derived-id" data-testid="camera-id-preview">
                  Id on the platform: <code>{cameraId}</code> · metrics <code>camera.{cameraId}.fps</code>
                  {saved && cameraId !== saved.cameraId ? ' (a new camera on the platform)' : ''}
                </span>
              ) : (
                'Any words, e.g. Front cam: its id on the platform is made from it.'
              )
            }
            problem={show('name')}
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                value={d.name}
                onChange={(e) => {
                  setNameTouched(true);
                  setD((x) => ({ ...x, name: e.target.value }));
                }}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                spellCheck={false}
                data-testid="camera-name"
              />
            )}
          </Field>
          <Field label="Frames per second" problem={show('fps')}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="number"
                min={0.1}
                max={60}
                step="any"
                value={d.fps}
                onChange={(e) => setD((x) => ({ ...x, fps: e.target.value }))}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                data-testid="camera-fps"
              />
            )}
          </Field>
          <Field label="JPEG quality (optional)" problem={show('quality')}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="number"
                min={1}
                max={100}
                value={d.quality}
                placeholder="default"
                onChange={(e) => setD((x) => ({ ...x, quality: e.target.value }))}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                data-testid="camera-quality"
              />
            )}
          </Field>
        </div>
      </div>
      <FormFooter
        error={submit.error}
        errorTestId="camera-form-error"
        busy={submit.busy}
        editing={Boolean(editing)}
        addLabel="Add camera"
        addTestId="camera-add"
        saveTestId="camera-save"
        onCancel={onDone}
      />
    </form>
  );
}
