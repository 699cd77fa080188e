// A plugin instance's settings: its name and a form drawn from the plugin's config schema, checked
// as the technician types with the same rules the host applies. Saving restarts the plugin.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PluginView } from '../../../shared/contract';
import { getBench } from '../bridge';
import { FormFooter } from '../common/FormFooter';
import { useAction } from '../common/useAction';
import { usedSourceNames, useSourcesStore } from '../stores/sourcesStore';
import { ConfigFieldInput } from './ConfigFieldInput';
import { ConfigTableInput } from './ConfigTableInput';
import { configFromDraft, draftFromConfig, type ConfigDraft, type TableDraftRow } from './configDraft';
import { sourceNameProblem } from './sourceName';
import { SourceNameField } from './SourceNameField';

export function PluginConfigForm({ plugin: p, onDone }: { plugin: PluginView; onDone: () => void }): React.JSX.Element {
  const schema = p.configSchema;
  const taken = new Set(useSourcesStore(useShallow((s) => [...usedSourceNames(s, p.id)])));
  const [name, setName] = useState(p.name);
  const [draft, setDraft] = useState<ConfigDraft>(() => (schema ? draftFromConfig(schema, p.config) : {}));
  // A script plugin declares its schema once its code runs: settings opened just after it was
  // added see the schema arrive later, and then start from the instance's config (its defaults).
  const [drafted, setDrafted] = useState(schema !== null);
  if (schema && !drafted) {
    setDrafted(true);
    setDraft(draftFromConfig(schema, p.config));
  }
  /** Fields changed here: the host's complaint about a field stands only until it is edited. */
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const nameProblem = sourceNameProblem(name, taken);
  const { config, problems, cells } = schema
    ? configFromDraft(schema, draft)
    : { config: p.config, problems: {}, cells: {} };
  const hostProblems = p.state === 'invalid' ? (p.configProblems ?? {}) : {};
  const problemOf = (k: string): string | null => problems[k] ?? (touched.has(k) ? null : (hostProblems[k] ?? null));
  const strayProblems = Object.entries(hostProblems).filter(([k]) => !schema || !(k in schema.properties));
  const invalid = nameProblem !== null || Object.keys(problems).length > 0;
  const save = useAction(async () => {
    await getBench().invoke('plugin.configure', { id: p.id, config, ...(name !== p.name ? { name } : {}) });
    onDone();
  });
  const change = (k: string, v: string | boolean | TableDraftRow[]): void => {
    setDraft((d) => ({ ...d, [k]: v }));
    setTouched((t) => new Set(t).add(k));
  };
  const changeTable = (k: string, fn: (rows: TableDraftRow[]) => TableDraftRow[]): void => {
    setDraft((d) => {
      const rows = d[k];
      return { ...d, [k]: fn(Array.isArray(rows) ? rows : []) };
    });
    setTouched((t) => new Set(t).add(k));
  };
  return (
    <form
      className="modal-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!invalid) void save.run();
      }}
    >
      <div className="modal-body source-form">
        {p.manifest && (
          <p className="muted">
            {p.manifest.name} {p.manifest.version}. Saving restarts the plugin with these settings.
          </p>
        )}
        <SourceNameField
          value={name}
          onChange={setName}
          problem={nameProblem}
          hint={`It prefixes the plugin’s metric names (${name || '<name>'}.<metric>); renaming starts new ones.`}
          testId="plugin-config-instance-name"
        />
        {strayProblems.length > 0 && (
          <ul className="error-text plugin-stray-problems">
            {strayProblems.map(([k, why]) => (
              <li key={k}>
                “{k}” {why}
              </li>
            ))}
          </ul>
        )}
        {schema === null ? (
          <p className="muted" data-testid="plugin-config-none">
            This plugin has no settings.
            {p.state !== 'running' && p.manifest?.kind === 'script' && (
              <> A script plugin tells its settings when it runs: switch it on to see them here.</>
            )}
          </p>
        ) : (
          Object.entries(schema.properties).map(([k, f]) => {
            const v = draft[k];
            return f.type === 'array' ? (
              <ConfigTableInput
                key={k}
                fieldKey={k}
                field={f}
                rows={Array.isArray(v) ? v : []}
                problem={problemOf(k)}
                cells={cells[k] ?? {}}
                onUpdate={(fn) => changeTable(k, fn)}
              />
            ) : (
              <ConfigFieldInput
                key={k}
                fieldKey={k}
                field={f}
                value={Array.isArray(v) ? undefined : v}
                required={schema.required?.includes(k) ?? false}
                problem={problemOf(k)}
                onChange={(nv) => change(k, nv)}
              />
            );
          })
        )}
      </div>
      <FormFooter
        error={save.error}
        errorTestId="plugin-config-error"
        busy={save.busy}
        editing
        addLabel="Save"
        addTestId="plugin-config-save"
        saveTestId="plugin-config-save"
        onCancel={onDone}
      />
    </form>
  );
}
