// Commands received from the platform, newest first; waiting ones first in the count.
import { count } from '../common/format';
import { useInboxStore } from '../stores/inboxStore';
import { useSettingsStore } from '../stores/settingsStore';
import { InboxItem } from './InboxItem';

const SHOWN = 50;

export function Inbox(): React.JSX.Element {
  const commands = useInboxStore((s) => s.commands);
  const device = useSettingsStore((s) => s.settings?.deviceName ?? 'this device');
  const waiting = commands.filter((c) => c.state === 'waiting').length;
  // Waiting commands are always listed, however old: they need an answer.
  const shown = commands.filter((c, i) => i < SHOWN || c.state === 'waiting');
  return (
    <section className="inbox" aria-labelledby="inbox-heading" data-testid="inbox">
      <h2 id="inbox-heading" className="panel-title">
        Inbox{' '}
        {waiting > 0 ? (
          <span className="badge" data-testid="inbox-waiting">
            {waiting} waiting
          </span>
        ) : commands.length > 0 ? (
          <span className="muted">({count(commands.length)})</span>
        ) : null}
      </h2>
      {commands.length === 0 ? (
        <p className="empty">No commands yet. Commands sent to {device} from the platform appear here.</p>
      ) : (
        <ol className="inbox-list">
          {shown.map((c) => (
            <InboxItem key={c.id} cmd={c} />
          ))}
        </ol>
      )}
      {commands.length > shown.length && (
        <p className="muted">
          showing {shown.length} of {count(commands.length)} commands
        </p>
      )}
    </section>
  );
}
