// One loopback line source in the sources list: state, where it listens, counters, problems, log,
// on/off, edit, remove — and the command that feeds it, ready to copy into a terminal.
import { useState } from 'react';
import type { NetworkSourceView } from '../../../shared/contract';
import { getBench } from '../bridge';
import { ClampedText } from '../common/ClampedText';
import { ErrorText } from '../common/ErrorText';
import { count } from '../common/format';
import { useAction } from '../common/useAction';
import { useSourcesStore } from '../stores/sourcesStore';
import { RemoveButton } from './RemoveButton';
import { SerialLog } from './SerialLog';
import { StateDot } from './StateDot';

/** A line that feeds this source from a shell (netcat is on most lab machines). */
export function feedCommand(c: NetworkSourceView['config']): string {
  return c.protocol === 'tcp'
    ? `echo "temp:21.5" | nc 127.0.0.1 ${c.port}`
    : `echo "temp:21.5" | nc -u -w1 127.0.0.1 ${c.port}`;
}

function FeedHint({ n }: { n: NetworkSourceView }): React.JSX.Element {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const cmd = feedCommand(n.config);
  const copy = (): void => {
    // The clipboard exists only in secure contexts (Electron, or 127.0.0.1/localhost in a browser).
    if (!navigator.clipboard) return setCopied('no');
    navigator.clipboard.writeText(cmd).then(
      () => setCopied('yes'),
      () => setCopied('no'),
    );
  };
  return (
    <div className="feed-hint">
      <span className="muted">Try it from a terminal:</span>
      <div className="feed-row">
        <code className="feed-command" data-testid={`network-hint-${n.config.name}`}>
          {cmd}
        </code>
        <button type="button" className="button button-small" onClick={copy} aria-label="Copy the command">
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {copied === 'no' && <span className="muted">Copying is not allowed here: select the command instead.</span>}
    </div>
  );
}

export function NetworkItem({ id, onEdit }: { id: string; onEdit: (id: string) => void }): React.JSX.Element | null {
  const n = useSourcesStore((st) => st.network.find((x) => x.id === id));
  const toggle = useAction((on: boolean) => getBench().invoke('network.setEnabled', { id, enabled: on }));
  if (!n) return null;
  const c = n.config;
  const problems = Object.entries(n.problems).filter(([, k]) => k > 0);
  const problemTotal = problems.reduce((a, [, k]) => a + k, 0);
  return (
    <article
      className={n.state === 'error' ? 'source-card source-card-problem' : 'source-card'}
      data-testid={`network-${c.name}`}
      data-state={n.state}
      aria-label={`Network lines ${c.name}`}
    >
      <header className="source-head">
        <span className="source-title" title={c.name}>
          {c.name}
        </span>
        <input
          type="checkbox"
          role="switch"
          className="switch"
          checked={n.enabled}
          aria-checked={n.enabled}
          aria-label={`Listen for ${c.name}`}
          disabled={toggle.busy}
          onChange={(e) => void toggle.run(e.target.checked)}
          data-testid={`network-toggle-${c.name}`}
        />
      </header>
      <p className="source-line source-state-line">
        <StateDot state={n.state} />
        <span className="muted">
          {c.protocol.toUpperCase()} port {c.port} · {n.parser ?? c.parser} · {c.name}.*
        </span>
      </p>
      {n.message && n.message !== n.state && (
        <ClampedText
          text={n.message}
          className={n.state === 'error' ? 'source-line error-text' : 'source-line'}
          testId={`network-message-${c.name}`}
        />
      )}
      <p className="source-line tabular">
        {c.protocol === 'tcp' && `${count(n.connections)} connected · `}
        {count(n.lines)} line{n.lines === 1 ? '' : 's'} ·{' '}
        {n.pointsPerSec < 10 ? n.pointsPerSec.toFixed(1) : count(n.pointsPerSec)} points/s ·{' '}
        <span data-testid={`network-points-${c.name}`}>{count(n.points)}</span> point
        {n.points === 1 ? '' : 's'}
        {problemTotal > 0 && (
          <span
            className="warn-text"
            title={problems.map(([k, v]) => `${k}: ${v}`).join('\n')}
            data-testid={`network-problems-${c.name}`}
          >
            {' '}
            · {count(problemTotal)} problem{problemTotal === 1 ? '' : 's'} (
            {problems.map(([k, v]) => `${k} ${count(v)}`).join(', ')})
          </span>
        )}
      </p>
      <FeedHint n={n} />
      <div className="button-row">
        <button
          type="button"
          className="button button-small"
          onClick={() => onEdit(id)}
          data-testid={`network-edit-${c.name}`}
        >
          Edit
        </button>
        <RemoveButton
          what={`network source ${c.name}`}
          testId={`network-remove-${c.name}`}
          onRemove={() => getBench().invoke('network.remove', { id })}
        />
      </div>
      <ErrorText error={toggle.error} testId={`network-error-${c.name}`} />
      <SerialLog id={id} log={n.log} testId={`network-log-${c.name}`} />
    </article>
  );
}
