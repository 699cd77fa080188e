// The FFmpeg program cameras run: the one on PATH, or a path the technician gives. The recorder
// checks it (it must run and say it is FFmpeg) before keeping it; what it found is shown.
import { useState } from 'react';
import { getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { Field } from '../common/Field';
import { useAction } from '../common/useAction';
import { useSettingsStore } from '../stores/settingsStore';

export function FfmpegField(): React.JSX.Element | null {
  const ffmpeg = useSettingsStore((s) => s.settings?.ffmpeg);
  const [path, setPath] = useState(ffmpeg?.path ?? '');
  const use = useAction(async (p: string | null) => {
    const s = await getBench().invoke('settings.setFfmpegPath', { path: p });
    useSettingsStore.setState({ settings: s });
    setPath(s.ffmpeg.path ?? '');
  });
  if (!ffmpeg) return null;
  const now = ffmpeg.problem
    ? ffmpeg.problem
    : `Using ${ffmpeg.found ?? 'ffmpeg'}${ffmpeg.version ? ` (version ${ffmpeg.version})` : ''}${ffmpeg.path ? '' : ', found on PATH'}.`;
  return (
    <fieldset className="settings-section">
      <legend>FFmpeg (cameras)</legend>
      <p className={ffmpeg.problem ? 'error-text' : 'field-hint'} data-testid="ffmpeg-now">
        {now}
      </p>
      <Field label="FFmpeg program" hint="Leave empty to use the first ffmpeg on PATH.">
        {({ id, describedBy }) => (
          <input
            id={id}
            value={path}
            placeholder="ffmpeg on PATH"
            onChange={(e) => setPath(e.target.value)}
            aria-describedby={describedBy}
            spellCheck={false}
            data-testid="ffmpeg-path"
          />
        )}
      </Field>
      <p className="button-row">
        <button
          type="button"
          className="button button-small"
          disabled={use.busy}
          onClick={() => void use.run(path.trim() === '' ? null : path.trim())}
          data-testid="ffmpeg-use"
        >
          Check and use
        </button>
      </p>
      <ErrorText error={use.error} testId="ffmpeg-error" />
    </fieldset>
  );
}
