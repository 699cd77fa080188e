// One command from the platform: what was asked, when, and what became of it. A command no
// handler claimed ("waiting") can be approved or rejected here until its deadline.
import { useState } from 'react';
import type { CommandView } from '../../../shared/contract';
import { getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { brief, clockTime } from '../common/format';
import { useAction } from '../common/useAction';
import { applyAnswer } from '../stores/inboxStore';
import { Countdown } from './Countdown';

const STATE_WORDS: Record<CommandView['state'], string> = {
  received: 'received',
  acked: 'acknowledged',
  waiting: 'waiting for you',
  result: 'done',
  error: 'failed',
};

function Outcome({ cmd }: { cmd: CommandView }): React.JSX.Element | null {
  if (cmd.state === 'error') return <p className="error-text">{cmd.error ?? 'failed'}</p>;
  if (cmd.state === 'result' && cmd.result !== undefined)
    return (
      <p className="muted inbox-result" title={brief(cmd.result, 2000)}>
        → {brief(cmd.result)}
      </p>
    );
  return null;
}

export function InboxItem({ cmd }: { cmd: CommandView }): React.JSX.Element {
  const [reason, setReason] = useState('');
  const answer = useAction(async (approve: boolean) => {
    const r = reason.trim();
    applyAnswer(await getBench().invoke('command.answer', { id: cmd.id, approve, ...(r ? { reason: r } : {}) }));
  });
  const params = Object.keys(cmd.params).length ? brief(cmd.params) : '';
  const waiting = cmd.state === 'waiting';
  return (
    <li className={waiting ? 'inbox-item inbox-waiting' : 'inbox-item'} data-testid={`inbox-item-${cmd.id}`}>
      <div className="inbox-head">
        <strong className="inbox-command">{cmd.command}</strong>
        {params && (
          <code className="inbox-params" title={brief(cmd.params, 2000)}>
            {params}
          </code>
        )}
      </div>
      <p className="muted inbox-meta">
        <time className="tabular">{clockTime(cmd.receivedAt)}</time> ·{' '}
        <span className={`inbox-state inbox-state-${cmd.state}`} data-testid={`inbox-state-${cmd.id}`}>
          {STATE_WORDS[cmd.state]}
        </span>
        {cmd.handledBy === 'built-in' ? ' · handled by the recorder' : ''}
        {cmd.handledBy === 'plugin' ? ' · answered by a plugin' : ''}
        {cmd.handledBy === 'technician' && !waiting ? ' · answered here' : ''}
      </p>
      <Outcome cmd={cmd} />
      {waiting && (
        <div className="inbox-answer">
          {cmd.deadline !== null && <Countdown deadline={cmd.deadline} testId={`countdown-${cmd.id}`} />}
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="Reason (optional)"
            aria-label={`Reason for answering ${cmd.command}`}
            maxLength={500}
            data-testid={`reason-${cmd.id}`}
          />
          <div className="button-row">
            <button
              type="button"
              className="button button-primary"
              onClick={() => void answer.run(true)}
              disabled={answer.busy}
              data-testid={`approve-${cmd.id}`}
            >
              Approve
            </button>
            <button
              type="button"
              className="button"
              onClick={() => void answer.run(false)}
              disabled={answer.busy}
              data-testid={`reject-${cmd.id}`}
            >
              Reject
            </button>
          </div>
        </div>
      )}
      <ErrorText error={answer.error} testId={`answer-error-${cmd.id}`} />
    </li>
  );
}
