// "Review and allow" for an instance whose plugin.json changed since it was allowed: re-read the
// folder (what would run now, not what ran before), show it, and allow it again on confirmation.
import { useEffect, useState } from 'react';
import type { PluginCatalogEntry, PluginView } from '../../../shared/contract';
import { errorText, getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { useAction } from '../common/useAction';
import { PluginManifest } from './PluginManifest';

export function PluginAllowDialog({
  plugin: p,
  onDone,
}: {
  plugin: PluginView;
  onDone: () => void;
}): React.JSX.Element {
  const [entry, setEntry] = useState<PluginCatalogEntry | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    getBench()
      .invoke('plugin.inspect', { folder: p.folder })
      .then(
        (e) => live && setEntry(e),
        (e: unknown) => live && setReadError(errorText(e)),
      );
    return () => {
      live = false;
    };
  }, [p.folder]);
  const allow = useAction(async () => {
    await getBench().invoke('plugin.allow', { id: p.id });
    onDone();
  });
  const m = entry?.manifest ?? null;
  return (
    <div className="modal-form">
      <div className="modal-body">
        <p>
          The plugin.json of <strong>{p.name}</strong> changed since you allowed it to run. Check what it will run now.
        </p>
        {entry === null && !readError && <p className="muted">Reading the plugin folder…</p>}
        <ErrorText error={readError} testId="plugin-allow-read-error" />
        {m && <PluginManifest m={m} />}
        {entry && !m && (
          <p className="error-text" data-testid="plugin-problem">
            It cannot run: {entry.problem ?? 'its plugin.json could not be read'}
          </p>
        )}
      </div>
      <footer className="modal-foot">
        <ErrorText error={allow.error} testId="plugin-allow-error" />
        <button type="button" className="button" onClick={onDone}>
          Not now
        </button>
        {m && (
          <button
            type="button"
            className="button button-primary"
            onClick={() => void allow.run()}
            disabled={allow.busy}
            data-testid="plugin-allow"
          >
            {allow.busy ? 'Starting…' : 'Allow and run'}
          </button>
        )}
      </footer>
    </div>
  );
}
