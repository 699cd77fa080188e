// The second step of adding a plugin: what the folder holds and what it will run, the instance's
// name, and "Allow and run" — the technician's confirmation (plugin.add). A folder whose manifest
// is broken shows the host's reason and no way to allow it.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PluginCatalogEntry } from '../../../shared/contract';
import { getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { useAction } from '../common/useAction';
import { usedSourceNames, useSourcesStore } from '../stores/sourcesStore';
import { PluginManifest } from './PluginManifest';
import { freeName, sourceNameProblem } from './sourceName';
import { SourceNameField } from './SourceNameField';

interface Props {
  entry: PluginCatalogEntry;
  onBack: () => void;
  onDone: () => void;
}

export function PluginReviewStep({ entry, onBack, onDone }: Props): React.JSX.Element {
  const taken = new Set(useSourcesStore(useShallow((s) => [...usedSourceNames(s)])));
  const running = useSourcesStore(
    useShallow((s) => s.plugins.filter((p) => p.folder === entry.folder).map((p) => p.name)),
  );
  const m = entry.manifest;
  const [name, setName] = useState(() => (m ? freeName(m.id, taken) : ''));
  const problem = sourceNameProblem(name, taken);
  const add = useAction(async () => {
    await getBench().invoke('plugin.add', { folder: entry.folder, name });
    onDone();
  });
  return (
    <form
      className="modal-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (m && !problem) void add.run();
      }}
    >
      <div className="modal-body">
        {m ? (
          <>
            <PluginManifest m={m} />
            {running.length > 0 && (
              <p className="muted">
                Already running here as {running.join(', ')}. Another instance needs its own name.
              </p>
            )}
            <SourceNameField
              value={name}
              onChange={setName}
              problem={problem}
              hint={`It prefixes the plugin’s metrics: a value "temp" becomes ${name || '<name>'}.temp`}
              testId="plugin-name-input"
              problemTestId="plugin-name-problem"
              autoFocus
            />
          </>
        ) : (
          <div className="plugin-problem">
            <p>
              <strong>This folder holds no plugin that can run.</strong>
            </p>
            <p className="error-text" data-testid="plugin-problem">
              {entry.problem ?? 'its plugin.json could not be read'}
            </p>
            <p className="muted">
              Folder: <code>{entry.folder}</code>
            </p>
          </div>
        )}
      </div>
      <footer className="modal-foot">
        <ErrorText error={add.error} testId="plugin-add-error" />
        <button type="button" className="button" onClick={onBack} data-testid="plugin-back">
          Back
        </button>
        {m && (
          <button
            type="submit"
            className="button button-primary"
            disabled={add.busy || !!problem}
            data-testid="plugin-allow"
          >
            {add.busy ? 'Starting…' : m.builtIn ? 'Add and run' : 'Allow and run'}
          </button>
        )}
      </footer>
    </form>
  );
}
