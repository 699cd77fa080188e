// One command from the platform: what was asked, when, and what became of it. A command no
// handler claimed ("waiting") can be approved or rejected here until its deadline; so can a
// plugin's command that asks for approval, whose plugin then runs it.
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

/** What became of it, in distinct words: a rejection, a timeout and a failure are not the same. */
export function stateWords(cmd: CommandView): string {
  if (cmd.state !== 'result' && cmd.state !== 'error') return STATE_WORDS[cmd.state];
  switch (cmd.outcome) {
    case 'approved':
      return 'approved by you';
    case 'rejected':
      return 'rejected by you';
    case 'timed-out':
      return `timed out — nobody answered within ${cmd.answerWithinS ?? '?'} s`;
    case 'lost':
      return 'not answered — the recorder stopped';
    case 'failed':
      return 'failed';
    case 'done':
      return 'done';
    default:
      return STATE_WORDS[cmd.state];
  }
}

/** The error's text, without repeating what the state already says. */
function errorDetail(cmd: CommandView): string | null {
  const e = cmd.error ?? null;
  if (cmd.outcome === 'timed-out') return null;
  if (cmd.outcome === 'rejected') {
    const reason = e?.replace(/^rejected by the technician:?\s*/, '') ?? '';
    return reason ? `reason: ${reason}` : null;
  }
  if (cmd.outcome === 'lost') return null;
  return e ? `failed: ${e}` : 'failed';
}

function Outcome({ cmd }: { cmd: CommandView }): React.JSX.Element | null {
  if (cmd.state === 'error') {
    const detail = errorDetail(cmd);
    return detail ? (
      <p className={cmd.outcome === 'rejected' ? 'muted' : 'error-text'} data-testid={`inbox-detail-${cmd.id}`}>
        {detail}
      </p>
    ) : null;
  }
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
          {stateWords(cmd)}
        </span>
        {cmd.handledBy === 'built-in' ? ' · handled by the recorder' : ''}
        {cmd.handledBy === 'plugin' && (
          <span data-testid={`inbox-plugin-${cmd.id}`}>
            {cmd.needsApproval ? ' · for plugin ' : ' · answered by plugin '}
            <strong>{cmd.plugin ?? 'a plugin'}</strong>
          </span>
        )}
      </p>
      <Outcome cmd={cmd} />
      {waiting && (
        <div className="inbox-answer">
          {cmd.deadline !== null && <Countdown deadline={cmd.deadline} testId={`countdown-${cmd.id}`} />}
          <p className="muted inbox-approve-note" data-testid={`approve-note-${cmd.id}`}>
            {cmd.needsApproval ? (
              <>
                Plugin {cmd.plugin ?? ''} asks before it runs this: Approve runs it with the values above, and its
                answer goes to the platform. Reject tells the platform it was refused.
              </>
            ) : (
              <>
                The recorder cannot do this itself: Approve reports it as done to the platform — you do the rest on the
                bench. Reject tells the platform it was refused.
              </>
            )}
          </p>
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
