// "+ Plugin": pick a plugin the recorder knows (shipped, in the data folder, added before) or type
// a folder, then review what it would run before anything runs (PluginReviewStep).
import { useEffect, useState } from 'react';
import type { PluginCatalogEntry } from '../../../shared/contract';
import { errorText, getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { Field } from '../common/Field';
import { useAction } from '../common/useAction';
import { KIND_WORDS, WHERE_WORDS } from './PluginManifest';
import { PluginReviewStep } from './PluginReviewStep';

function CatalogItem({ e, onPick }: { e: PluginCatalogEntry; onPick: () => void }): React.JSX.Element {
  const m = e.manifest;
  return (
    <li>
      <button
        type="button"
        className="catalog-item"
        onClick={onPick}
        data-testid="plugin-catalog-item"
        data-folder={e.folder}
      >
        <span className="catalog-head">
          <strong>{m?.name ?? e.folder.split(/[\\/]/).pop()}</strong>
          {m && (
            <span className="muted">
              {m.version} · {KIND_WORDS[m.kind]}
            </span>
          )}
          <span className="catalog-where muted">{WHERE_WORDS[e.where]}</span>
        </span>
        {m?.description && <span className="catalog-desc">{m.description}</span>}
        {e.problem && <span className="error-text">Cannot run: {e.problem}</span>}
      </button>
    </li>
  );
}

function Catalog({ onPick }: { onPick: (e: PluginCatalogEntry) => void }): React.JSX.Element {
  const [list, setList] = useState<PluginCatalogEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    getBench()
      .invoke('plugin.catalog', {})
      .then(
        (l) => live && setList(l),
        (e: unknown) => live && setError(errorText(e)),
      );
    return () => {
      live = false;
    };
  }, []);
  return (
    <section aria-labelledby="plugin-catalog-title" className="catalog" data-testid="plugin-catalog">
      <h3 id="plugin-catalog-title" className="section-title">
        Plugins the recorder knows
      </h3>
      <ErrorText error={error} testId="plugin-catalog-error" />
      {list === null && !error && <p className="muted">Looking for plugins…</p>}
      {list?.length === 0 && <p className="muted">None yet: give the folder of a plugin below.</p>}
      {list && list.length > 0 && (
        <ul className="catalog-list">
          {list.map((e) => (
            <CatalogItem key={e.folder} e={e} onPick={() => onPick(e)} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function PluginAddDialog({ onDone }: { onDone: () => void }): React.JSX.Element {
  const [reviewing, setReviewing] = useState<PluginCatalogEntry | null>(null);
  const [folder, setFolder] = useState('');
  const [tried, setTried] = useState(false);
  const inspect = useAction(async (f: string) => {
    setReviewing(await getBench().invoke('plugin.inspect', { folder: f }));
  });
  if (reviewing) return <PluginReviewStep entry={reviewing} onBack={() => setReviewing(null)} onDone={onDone} />;
  const folderProblem = tried && !folder.trim() ? 'type the folder that holds plugin.json' : null;
  return (
    <form
      className="modal-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (folder.trim()) void inspect.run(folder.trim());
      }}
    >
      <div className="modal-body">
        <p className="muted">Nothing runs until you have seen what it will run and allowed it.</p>
        <Catalog onPick={setReviewing} />
        <Field
          label="Or a plugin folder"
          hint="The folder that holds plugin.json, e.g. /home/lab/plugins/bench-psu"
          problem={folderProblem}
        >
          {({ id, describedBy, invalid }) => (
            <div className="input-with-button">
              <input
                id={id}
                value={folder}
                onChange={(e) => setFolder(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                spellCheck={false}
                autoFocus
                data-testid="plugin-folder-input"
              />
              <button type="submit" className="button" disabled={inspect.busy} data-testid="plugin-review">
                {inspect.busy ? 'Reading…' : 'Review'}
              </button>
            </div>
          )}
        </Field>
        <ErrorText error={inspect.error} testId="plugin-inspect-error" />
      </div>
      <footer className="modal-foot">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      </footer>
    </form>
  );
}
