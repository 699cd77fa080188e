// The run recorder's own state: the name being typed and the outcome of start/stop. Actions live
// here (not in a component) because the R key and the buttons must do exactly the same thing.
import { create } from 'zustand';
import { errorText, getBench } from '../bridge';
import { hostNow } from '../live/clock';
import { useRunsStore } from '../stores/runsStore';
import { useUiStore } from '../stores/uiStore';
import { suggestRunName } from './runName';

export interface RecorderStore {
  /** The name the next run will get (prefilled, editable). */
  draft: string;
  /** The technician typed in the name field, so we stop re-suggesting. */
  touched: boolean;
  /** A start or stop request is in flight. */
  pending: 'start' | 'stop' | null;
  /** Why the last start/stop failed, shown next to the button. */
  error: string | null;
}

export const useRecorderStore = create<RecorderStore>(() => ({
  draft: '',
  touched: false,
  pending: null,
  error: null,
}));

export function setDraft(draft: string): void {
  useRecorderStore.setState({ draft, touched: true, error: null });
}

/** Re-suggest a name unless the technician is typing one. */
function refreshSuggestion(): void {
  if (useRecorderStore.getState().touched) return;
  useRecorderStore.setState({ draft: suggestRunName(useRunsStore.getState().runs, new Date()) });
}

export async function startRun(): Promise<void> {
  const st = useRecorderStore.getState();
  if (st.pending || useRunsStore.getState().run) return;
  // An untouched timestamp name is renewed so it says when the run really started.
  if (!st.touched) refreshSuggestion();
  const name = useRecorderStore.getState().draft.trim();
  useRecorderStore.setState({ pending: 'start', error: null });
  try {
    const run = await getBench().invoke('run.start', { name });
    useRunsStore.setState({ run });
    useRecorderStore.setState({ pending: null, touched: false });
  } catch (e) {
    useRecorderStore.setState({ pending: null, error: errorText(e) });
  }
}

export async function stopRun(): Promise<void> {
  if (useRecorderStore.getState().pending) return;
  useUiStore.setState({ stopConfirmOpen: false });
  useRecorderStore.setState({ pending: 'stop', error: null });
  try {
    const ended = await getBench().invoke('run.stop', {});
    const runs = useRunsStore.getState().runs;
    useRunsStore.setState({
      run: null,
      runs: ended && !runs.some((r) => r.id === ended.id) ? [...runs, ended] : runs,
    });
    useRecorderStore.setState({ pending: null });
    refreshSuggestion();
  } catch (e) {
    useRecorderStore.setState({ pending: null, error: errorText(e) });
  }
}

/**
 * A run this long (ms) asks before it stops; a shorter one stops at once. A stray click or key must
 * not end a long test, but a run started by mistake a moment ago should not need two steps.
 */
export const ASK_BEFORE_STOP_MS = 60_000;

/** Whether stopping a run that started at `startedAt` (host time) asks first at `now`. */
export function stopAsksFirst(startedAt: number, now: number): boolean {
  return now - startedAt >= ASK_BEFORE_STOP_MS;
}

/** Stop, from the Stop button or the R key alike: at once for a short run, after asking for a long one. */
export function requestStop(now: number = hostNow()): void {
  const run = useRunsStore.getState().run;
  if (!run) return;
  if (stopAsksFirst(run.startedAt, now)) useUiStore.setState({ stopConfirmOpen: true });
  else void stopRun();
}

/** The R key: start at once, or stop as the Stop button does. */
export function toggleRunFromKeyboard(): void {
  if (useRunsStore.getState().run) requestStop();
  else void startRun();
}

/** Keep the suggestion current as runs come and go (called once at start-up). */
export function initRecorder(): () => void {
  refreshSuggestion();
  return useRunsStore.subscribe((s, prev) => {
    if (s.runs !== prev.runs || (prev.run && !s.run)) refreshSuggestion();
    // A run stopped elsewhere (another window, a command) must not leave a stale "stop?" pending.
    if (prev.run && !s.run) useUiStore.setState({ stopConfirmOpen: false });
  });
}
