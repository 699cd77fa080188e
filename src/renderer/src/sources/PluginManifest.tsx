// What a plugin folder would run, shown before the technician allows it: the same view for adding
// a plugin and for allowing one whose plugin.json changed. Plugins are trusted code, so "what will
// run" is spelled out exactly, in a monospace box, with a plain warning.
import type { PluginCatalogEntry, PluginManifestView } from '../../../shared/contract';

export const KIND_WORDS: Record<PluginManifestView['kind'], string> = {
  script: 'script (runs in the recorder)',
  process: 'program (runs as its own process)',
};

export const WHERE_WORDS: Record<PluginCatalogEntry['where'], string> = {
  'built-in': 'Shipped with the recorder',
  'data-folder': 'In the data folder',
  added: 'Added before',
};

export function PluginManifest({ m }: { m: PluginManifestView }): React.JSX.Element {
  return (
    <div className="plugin-manifest" data-testid="plugin-manifest">
      <p className="plugin-manifest-name">
        <strong data-testid="plugin-review-name">{m.name}</strong>{' '}
        <span className="muted">
          version {m.version} · {KIND_WORDS[m.kind]}
        </span>
      </p>
      {m.description && <p className="plugin-manifest-desc">{m.description}</p>}
      <p className="muted plugin-folder" title={m.folder}>
        Folder: <code>{m.folder}</code>
      </p>
      <div>
        <p className="plugin-runs-label">What it will run</p>
        <pre className="plugin-runs" data-testid="plugin-runs">
          {m.runs}
        </pre>
      </div>
      {m.builtIn ? (
        <p className="note">This plugin is shipped with the recorder.</p>
      ) : (
        <p className="warning" role="note" data-testid="plugin-warning">
          A plugin runs with your user’s rights and can read your files. Add only plugins you trust.
        </p>
      )}
    </div>
  );
}
