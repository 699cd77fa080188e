// Shown while the window has lost its link to the recorder (headless mode over a WebSocket):
// everything on screen is then stale, and actions will fail until it is back.
import { useLinkStore } from '../stores/linkStore';

export function LinkBanner(): React.JSX.Element | null {
  const state = useLinkStore((s) => s.state);
  const attempts = useLinkStore((s) => s.attempts);
  const problem = useLinkStore((s) => s.problem);
  if (state !== 'lost') return null;
  return (
    <div className="link-banner" role="alert" data-testid="link-lost">
      <strong>Lost contact with the recorder — reconnecting</strong>
      <span>
        {problem ? `${problem} · ` : ''}attempt {attempts}. Values below are frozen until it is back.
      </span>
    </div>
  );
}
