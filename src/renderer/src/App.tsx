// The technician's window: status across the top, sources | live preview | run, inbox and past
// runs; a past run's review and a run's details open over it. Until the recorder has sent its
// first state we say what we are waiting for.
import { Inbox } from './inbox/Inbox';
import { LivePanel } from './live/LivePanel';
import { RunDetailsDialog } from './review/RunDetailsDialog';
import { RunReview } from './review/RunReview';
import { MarkerControl } from './run/MarkerControl';
import { MarkersList } from './run/MarkersList';
import { PastRuns } from './run/PastRuns';
import { RunRecorder } from './run/RunRecorder';
import { StopConfirmDialog } from './run/StopConfirmDialog';
import { SettingsDialog } from './settings/SettingsDialog';
import { useShortcuts } from './shortcuts';
import { SourcesPanel } from './sources/SourcesPanel';
import { LinkBanner } from './status/LinkBanner';
import { ProblemsBanner } from './status/ProblemsBanner';
import { RecordingStripe } from './status/RecordingStripe';
import { StatusBar } from './status/StatusBar';
import { useLinkStore } from './stores/linkStore';
import { useSettingsStore } from './stores/settingsStore';

function Startup(): React.JSX.Element {
  const problem = useLinkStore((s) => s.problem);
  const attempts = useLinkStore((s) => s.attempts);
  return (
    <main className="startup" data-testid="startup">
      <h1>Plexus Bench</h1>
      <p role="status">Connecting to the recorder…{attempts > 0 ? ` (attempt ${attempts + 1})` : ''}</p>
      {problem && <p className="error-text">{problem}</p>}
    </main>
  );
}

export function App(): React.JSX.Element {
  useShortcuts();
  const ready = useSettingsStore((s) => s.settings !== null);
  const lost = useLinkStore((s) => s.state === 'lost');
  if (!ready) return <Startup />;
  return (
    <div className={lost ? 'app link-lost' : 'app'}>
      <RecordingStripe />
      <StatusBar />
      <LinkBanner />
      <ProblemsBanner />
      <main className="columns">
        <SourcesPanel />
        <LivePanel />
        <aside className="panel run-panel" aria-label="Run, marker and inbox">
          <div className="panel-scroll">
            <RunRecorder />
            <MarkerControl />
            <MarkersList />
            <Inbox />
            <PastRuns />
          </div>
        </aside>
      </main>
      <SettingsDialog />
      <StopConfirmDialog />
      <RunReview />
      <RunDetailsDialog />
    </div>
  );
}
