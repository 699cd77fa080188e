// Feeds the host's events into the window: `state` snapshots replace the stores, `tick`s update
// status/run/sources (cheap) and push metrics and events into the ring buffers (not React), and
// `command`s go to the inbox. Re-reads the full state whenever the link (re)opens. A window that
// opens (or reloads) gets the recent events and the markers the host kept, so its lists start
// where they were, and each metric's last minute, so its sparklines and charts do too.
import type { AppState, PreviewEvent, Tick } from '../../shared/contract';
import { errorText, getBench } from './bridge';
import { noteClockOffset, noteHostTime } from './live/clock';
import { applyEvents, applyHistory, applyMetrics, recentEvents } from './live/liveData';
import { benchPerf } from './perf';
import { initRecorder } from './run/recorderStore';
import { setInbox, upsertCommand } from './stores/inboxStore';
import { setMarkers } from './stores/markersStore';
import { setProblems } from './stores/problemsStore';
import { useLinkStore } from './stores/linkStore';
import { useMetricInfoStore } from './stores/metricInfoStore';
import { usePreviewStore } from './stores/previewStore';
import { useRunsStore } from './stores/runsStore';
import { useSettingsStore } from './stores/settingsStore';
import { useSourcesStore } from './stores/sourcesStore';
import { useStatusStore } from './stores/statusStore';

/** The events list re-renders at most this often, however many events arrive. */
const EVENTS_LIST_MS = 250;

function applyState(s: AppState): void {
  noteClockOffset(s.status.clockOffsetMs);
  useSettingsStore.setState({ settings: s.settings });
  useStatusStore.setState({ status: s.status });
  useSourcesStore.setState({
    demoEnabled: s.demo.enabled,
    serial: s.serial,
    cameras: s.cameras,
    webcams: s.webcams,
    plugins: s.plugins,
    network: s.network,
  });
  useMetricInfoStore.setState({ metricInfo: s.metricInfo });
  useRunsStore.setState({ run: s.run, runs: s.runs, loaded: true });
  setInbox(s.inbox);
  setProblems(s.problems);
  setMarkers(s.markers);
  restoreEvents(s);
}

/**
 * The first state of this page brings back the events the host kept (and the markers, which the
 * sparklines draw): only while this window has none, so later snapshots never list one twice.
 */
function restoreEvents(s: AppState): void {
  if (recentEvents(1).length > 0) return;
  const markers: PreviewEvent[] = s.markers.map((m) => ({
    metric: 'marker',
    value: m.note ?? {},
    t: m.t,
    runId: m.runId,
  }));
  const all = [...s.events, ...markers].sort((a, b) => a.t - b.t);
  if (all.length > 0 && applyEvents(0, all, 0)) bumpEvents();
}

let eventsTimer: ReturnType<typeof setTimeout> | null = null;
let eventsBumpedAt = 0;

function bumpEvents(): void {
  if (eventsTimer) return;
  const wait = Math.max(0, eventsBumpedAt + EVENTS_LIST_MS - performance.now());
  eventsTimer = setTimeout(() => {
    eventsTimer = null;
    eventsBumpedAt = performance.now();
    usePreviewStore.setState((p) => ({ eventsVersion: p.eventsVersion + 1 }));
  }, wait);
}

function applyTick(t: Tick): void {
  noteHostTime(t.t);
  useStatusStore.setState({ status: t.status });
  const prevRun = useRunsStore.getState().run;
  // Only replace the run when something shown changed, so idle ticks re-render nothing.
  if (t.run?.id !== prevRun?.id || t.run?.points !== prevRun?.points || t.run?.endedAt !== prevRun?.endedAt) {
    useRunsStore.setState({ run: t.run });
  }
  if (t.sources) {
    const { serial, cameras, webcams, plugins, network } = t.sources;
    useSourcesStore.setState({ serial, cameras, webcams, plugins, network });
  }
  if (t.problems) setProblems(t.problems);
  if (applyMetrics(t.t, t.metrics)) usePreviewStore.setState((p) => ({ namesVersion: p.namesVersion + 1 }));
  if (applyEvents(t.t, t.events, t.eventsDropped)) bumpEvents();
}

async function refresh(): Promise<void> {
  // Both asked at once: the history is the larger answer, and neither waits for the other.
  const history = loadHistory();
  try {
    applyState(await getBench().invoke('state.get', {}));
  } catch (e) {
    // Shown on the start-up screen (and in the lost-contact banner) instead of a blank window.
    useLinkStore.setState({ problem: `could not read the recorder's state: ${errorText(e)}` });
  }
  await history;
}

/** The host's last minute of each metric, into the live series (ticks may have come first). */
async function loadHistory(): Promise<void> {
  try {
    const h = await getBench().invoke('live.history', {});
    if (applyHistory(h)) usePreviewStore.setState((p) => ({ namesVersion: p.namesVersion + 1 }));
  } catch {
    // The link went again, or the recorder is older than this window: the sparklines then fill
    // from the ticks, as they always did; the state's own failure is what the window reports.
  }
}

/** Subscribe to the host; returns the function that unsubscribes (for hot reload). */
export function startSync(): () => void {
  const bench = getBench();
  const offs = [
    bench.on('state', (s) => {
      benchPerf.messages++;
      applyState(s);
    }),
    bench.on('tick', (t) => {
      benchPerf.messages++;
      benchPerf.ticks++;
      applyTick(t);
    }),
    bench.on('command', (c) => {
      benchPerf.messages++;
      upsertCommand(c);
    }),
    useLinkStore.subscribe((s, prev) => {
      if (s.state === 'open' && prev.state !== 'open') void refresh();
    }),
    initRecorder(),
  ];
  // In Electron the link is open from the start; over a WebSocket the subscription above fires on open.
  if (useLinkStore.getState().mode === 'ipc' || useLinkStore.getState().state === 'open') void refresh();
  return () => offs.forEach((off) => off());
}
