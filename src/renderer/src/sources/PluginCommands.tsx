// Send one of a running plugin's commands from the window: pick the command (when it has more than
// one), fill its values, Send; its result or its error shows under it. The plugin's own handler
// answers (no gateway, no approval). A command taking one text value is a command line: a text
// box where Enter sends, e.g. an instrument's "VOLT 12.0".
import { useState } from 'react';
import { paramInput, paramValue } from '../../../shared/command-params';
import type { PluginCommandView } from '../../../shared/contract';
import { getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { brief } from '../common/format';
import { useAction } from '../common/useAction';

type Values = Record<string, string | boolean>;

/** One text value: drawn as a command line. */
const isLine = (c: PluginCommandView): boolean => c.params.length === 1 && paramInput(c.params[0]!.type) === 'text';

/** The command's name without the instance's prefix, as the plugin declared it. */
const shortName = (plugin: string, full: string): string =>
  full.startsWith(`${plugin}.`) ? full.slice(plugin.length + 1) : full;

interface Props {
  id: string;
  plugin: string;
  commands: readonly PluginCommandView[];
}

export function PluginCommands({ id, plugin, commands }: Props): React.JSX.Element | null {
  const [chosen, setChosen] = useState<string | null>(null);
  const [values, setValues] = useState<Values>({});
  const [answer, setAnswer] = useState<{ sent: string; result: unknown } | null>(null);
  const cmd = commands.find((c) => c.name === chosen) ?? commands[0];
  const problems: Record<string, string> = {};
  const params: Record<string, unknown> = {};
  for (const p of cmd?.params ?? []) {
    const v = paramValue(p.type, values[p.name] ?? (paramInput(p.type) === 'boolean' ? false : ''));
    if (v.problem) problems[p.name] = v.problem;
    else if ('value' in v) params[p.name] = v.value;
  }
  const send = useAction(async (name: string, sent: string, values: Record<string, unknown>) => {
    setAnswer(null);
    const r = await getBench().invoke('plugin.command', { id, command: name, params: values });
    setAnswer({ sent, result: r.result });
  });
  if (!cmd) return null;
  const line = isLine(cmd);
  const t = `plugin-command-${plugin}`;
  const ready = Object.keys(problems).length === 0 && !(line && params[cmd.params[0]!.name] === undefined);
  const submit = (): void => {
    if (!ready || send.busy) return;
    const sent = line ? String(params[cmd.params[0]!.name]) : `${shortName(plugin, cmd.name)} ${brief(params, 200)}`;
    void send.run(cmd.name, sent, params).then(() => {
      // A command line empties for the next line, as a terminal does; a form keeps its values.
      if (line) setValues({});
    });
  };
  return (
    <form
      className="plugin-commands"
      noValidate
      aria-label={`Send a command to ${plugin}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      data-testid={t}
    >
      {commands.length > 1 && (
        <select
          value={cmd.name}
          aria-label="Command"
          onChange={(e) => {
            setChosen(e.target.value);
            setValues({});
            setAnswer(null);
            send.clearError();
          }}
          data-testid={`${t}-choose`}
        >
          {commands.map((c) => (
            <option key={c.name} value={c.name}>
              {shortName(plugin, c.name)}
            </option>
          ))}
        </select>
      )}
      {cmd.description && <p className="field-hint">{cmd.description}</p>}
      {line ? (
        <div className="input-with-button send-line">
          <input
            value={typeof values[cmd.params[0]!.name] === 'string' ? (values[cmd.params[0]!.name] as string) : ''}
            onChange={(e) => setValues({ [cmd.params[0]!.name]: e.target.value })}
            placeholder={cmd.params[0]!.description ?? `${cmd.params[0]!.name}…`}
            aria-label={`${shortName(plugin, cmd.name)}: ${cmd.params[0]!.name}`}
            spellCheck={false}
            autoComplete="off"
            data-testid={`${t}-line`}
          />
          <button type="submit" className="button" disabled={!ready || send.busy} data-testid={`${t}-send`}>
            {send.busy ? 'Sending…' : 'Send'}
          </button>
        </div>
      ) : (
        <>
          {cmd.params.map((p) => {
            const input = paramInput(p.type);
            const v = values[p.name];
            const pid = `${t}-param-${p.name}`;
            if (input === 'boolean')
              return (
                <label key={p.name} className="check-row">
                  <input
                    type="checkbox"
                    checked={v === true}
                    onChange={(e) => setValues((o) => ({ ...o, [p.name]: e.target.checked }))}
                    data-testid={pid}
                  />
                  <span>{p.name}</span>
                </label>
              );
            return (
              <label key={p.name} className="field compact">
                <span>
                  {p.name} <span className="muted">({p.type})</span>
                </span>
                <input
                  value={typeof v === 'string' ? v : ''}
                  inputMode={input === 'number' || input === 'integer' ? 'decimal' : undefined}
                  placeholder={p.description}
                  spellCheck={false}
                  aria-invalid={!!problems[p.name]}
                  onChange={(e) => setValues((o) => ({ ...o, [p.name]: e.target.value }))}
                  data-testid={pid}
                />
                {problems[p.name] && (
                  <span className="field-problem" data-testid={`${pid}-problem`}>
                    {p.name} {problems[p.name]}
                  </span>
                )}
              </label>
            );
          })}
          <div className="button-row">
            <button
              type="submit"
              className="button button-small"
              disabled={!ready || send.busy}
              data-testid={`${t}-send`}
            >
              {send.busy ? 'Sending…' : `Send ${shortName(plugin, cmd.name)}`}
            </button>
          </div>
        </>
      )}
      <ErrorText error={send.error} testId={`${t}-error`} />
      {answer && !send.error && (
        <p className="plugin-command-result" title={brief(answer.result, 4000)} data-testid={`${t}-result`}>
          <span className="muted">{answer.sent} →</span> {brief(answer.result, 400)}
        </p>
      )}
    </form>
  );
}
