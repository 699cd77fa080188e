// One plugin instance in the sources list (the demo sensor is one): its state in words, what it
// is, its own status line, counters, errors, its commands to send, log, and the switch, restart,
// settings and remove.
import { useState } from 'react';
import type { PluginState } from '../../../shared/contract';
import { getBench } from '../bridge';
import { ClampedText } from '../common/ClampedText';
import { ErrorText } from '../common/ErrorText';
import { count } from '../common/format';
import { useAction, type Action } from '../common/useAction';
import { useSourcesStore } from '../stores/sourcesStore';
import { PluginCommands } from './PluginCommands';
import { RemoveButton } from './RemoveButton';
import { SerialLog } from './SerialLog';
import { StateDot } from './StateDot';

const STATE_WORDS: Record<PluginState, string> = {
  starting: 'starting…',
  running: 'running',
  restarting: 'restarting…',
  stopped: 'stopped',
  failed: 'failed',
  invalid: 'cannot start',
  untrusted: 'needs review',
};

const RUNNING: ReadonlySet<PluginState> = new Set(['starting', 'running', 'restarting']);
const PROBLEM_STATES: ReadonlySet<PluginState> = new Set(['failed', 'invalid', 'untrusted']);

/** Points per second with steady width: one decimal below 10, whole numbers above. */
const rate = (r: number): string => (r < 10 ? r.toFixed(1) : count(r));

/** The on/off switch's action, with the position the technician chose shown while the host confirms it. */
function useSwitch(id: string): { asked: boolean | null; toggle: Action<[boolean], void> } {
  const [asked, setAsked] = useState<boolean | null>(null);
  const toggle = useAction(async (on: boolean) => {
    setAsked(on);
    try {
      await getBench().invoke('plugin.setEnabled', { id, enabled: on });
    } finally {
      setAsked(null);
    }
  });
  return { asked, toggle };
}

interface Props {
  id: string;
  /** Open the settings dialog, or the review of a changed plugin.json (one of each, in the panel). */
  onSettings: (id: string) => void;
  onReview: (id: string) => void;
}

export function PluginItem({ id, onSettings, onReview }: Props): React.JSX.Element | null {
  const p = useSourcesStore((st) => st.plugins.find((x) => x.id === id));
  const restart = useAction(() => getBench().invoke('plugin.restart', { id }));
  const { asked, toggle } = useSwitch(id);
  if (!p) return null;
  const on = asked ?? p.enabled;
  const m = p.manifest;
  const problem = PROBLEM_STATES.has(p.state);
  const showMessage = p.message && p.message !== p.state && p.message !== 'disabled';
  return (
    <article
      className={problem ? 'source-card source-card-problem' : 'source-card'}
      data-testid={`plugin-${p.name}`}
      data-state={p.state}
      aria-label={`Plugin ${p.name}`}
    >
      <header className="source-head">
        <span className="source-title" title={p.name}>
          {p.name}
        </span>
        <input
          type="checkbox"
          role="switch"
          className="switch"
          checked={on}
          aria-checked={on}
          aria-label={`Run ${p.name}`}
          title={on ? 'On: switch off to stop it' : 'Off: switch on to run it'}
          disabled={toggle.busy}
          onChange={(e) => void toggle.run(e.target.checked)}
          data-testid={`plugin-toggle-${p.name}`}
        />
      </header>
      {/* The state on a line of its own: a long name or "needs review" never squeezes the other. */}
      <p className="source-line source-state-line" title={p.folder}>
        <StateDot state={p.state} label={STATE_WORDS[p.state]} />
        <span className="muted">
          {m ? `${m.name} ${m.version} · ${m.kind === 'script' ? 'script' : 'program'}` : p.folder}
          {p.pid !== null && ` · pid ${p.pid}`}
        </span>
      </p>
      {showMessage && (
        <ClampedText
          text={p.message}
          className={problem ? 'source-line error-text' : 'source-line'}
          testId={`plugin-message-${p.name}`}
        />
      )}
      {/* The plugin's own line is only current while it runs. */}
      {p.statusText && RUNNING.has(p.state) && (
        <p className="source-line plugin-status" data-testid={`plugin-status-${p.name}`}>
          {p.statusText}
        </p>
      )}
      <p className="source-line tabular">
        {/* A plugin that is not running sends nothing; the host's rate would still be decaying. */}
        {!p.enabled ? 'off' : RUNNING.has(p.state) ? `${rate(p.pointsPerSec)} points/s` : 'not running'} ·{' '}
        <span data-testid={`plugin-points-${p.name}`}>{count(p.points)}</span> point
        {p.points === 1 ? '' : 's'}
        {p.rejected > 0 && (
          <span
            className="warn-text"
            title="Points the gateway’s rules refuse (a bad name or value) are not recorded; the log names the rule."
            data-testid={`plugin-rejected-${p.name}`}
          >
            {' '}
            · {count(p.rejected)} refused
          </span>
        )}
        {p.restarts > 0 && (
          <span className="warn-text" data-testid={`plugin-restarts-${p.name}`}>
            {' '}
            · restarted {count(p.restarts)}×
          </span>
        )}
      </p>
      {p.lastError && p.lastError !== p.message && (
        <ClampedText
          text={`Last error: ${p.lastError}`}
          className="source-line error-text"
          testId={`plugin-last-error-${p.name}`}
        />
      )}
      <div className="button-row">
        {p.state === 'untrusted' && (
          <button
            type="button"
            className="button button-small button-primary"
            onClick={() => onReview(id)}
            data-testid={`plugin-review-allow-${p.name}`}
          >
            Review and allow
          </button>
        )}
        <button
          type="button"
          className="button button-small"
          onClick={() => void restart.run()}
          disabled={restart.busy || !p.enabled || p.state === 'untrusted'}
          title={p.enabled ? 'Stop it and start it again' : 'Switch it on first'}
          data-testid={`plugin-restart-${p.name}`}
        >
          {restart.busy ? 'Restarting…' : 'Restart'}
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => onSettings(id)}
          data-testid={`plugin-settings-${p.name}`}
        >
          Settings
        </button>
        <RemoveButton
          what={`plugin ${p.name}`}
          testId={`plugin-remove-${p.name}`}
          onRemove={() => getBench().invoke('plugin.remove', { id })}
        />
      </div>
      {/* Commands are declared by the running plugin: they come and go with it. */}
      {p.commandSpecs.length > 0 && RUNNING.has(p.state) && (
        <details className="plugin-commands-box" data-testid={`plugin-commands-${p.name}`}>
          <summary>
            Commands <span className="muted">({p.commandSpecs.length})</span>
          </summary>
          <PluginCommands id={id} plugin={p.name} commands={p.commandSpecs} />
        </details>
      )}
      <ErrorText error={toggle.error} testId={`plugin-error-${p.name}`} />
      <ErrorText error={restart.error} testId={`plugin-restart-error-${p.name}`} />
      <SerialLog id={id} log={p.log} testId={`plugin-log-${p.name}`} />
    </article>
  );
}
