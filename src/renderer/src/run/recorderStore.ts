// The run recorder's own state: the name being typed, the optional details of the next run
// (operator, description, fields, the sources to record) and the outcome of start/stop. Actions
// live here (not in a component) because the R key and the buttons must do exactly the same thing.
import { create } from 'zustand';
import type { RequestPayload } from '../../../shared/contract';
import { errorText, getBench } from '../bridge';
import { hostNow } from '../live/clock';
import { EMPTY_DETAILS, fieldsOf, firstFieldProblem, type DetailsDraft } from '../review/detailsDraft';
import { noteRun } from '../review/runLibrary';
import { configuredSources } from '../review/sourceChoices';
import { useRunsStore } from '../stores/runsStore';
import { useSourcesStore } from '../stores/sourcesStore';
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
  /**
   * What the next run records about itself. Operator and fields stay for the runs after it (a
   * series of tests by one person on one part); the description is the run's own and is cleared.
   */
  details: DetailsDraft;
  /** The source keys the next run records (`serial:<id>`, …); null: all of them. */
  sources: string[] | null;
}

export const useRecorderStore = create<RecorderStore>(() => ({
  draft: '',
  touched: false,
  pending: null,
  error: null,
  details: EMPTY_DETAILS,
  sources: null,
}));

export function setDetails(details: DetailsDraft): void {
  useRecorderStore.setState({ details, error: null });
}

export function setSources(sources: string[] | null): void {
  useRecorderStore.setState({ sources, error: null });
}

/**
 * What `run.start` sends besides the name, or why the run cannot start as set. Sources still
 * configured only: a source removed since it was ticked is not asked for.
 */
export function startDetails(
  details: DetailsDraft,
  sources: string[] | null,
  configured: ReadonlySet<string>,
): { ok: true; payload: Omit<RequestPayload<'run.start'>, 'name'> } | { ok: false; problem: string } {
  const fieldProblem = firstFieldProblem(details.fields);
  if (fieldProblem) return { ok: false, problem: `Not started: a field in the details is wrong (${fieldProblem}).` };
  const payload: Omit<RequestPayload<'run.start'>, 'name'> = {};
  if (details.operator.trim()) payload.operator = details.operator.trim();
  if (details.description.trim()) payload.description = details.description.trim();
  const fields = fieldsOf(details.fields);
  if (Object.keys(fields).length > 0) payload.fields = fields;
  if (sources) {
    const kept = sources.filter((k) => configured.has(k));
    if (kept.length === 0)
      return { ok: false, problem: 'Not started: no source is ticked. Tick one, or choose All sources.' };
    payload.sources = kept;
  }
  return { ok: true, payload };
}

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
  const { draft, details, sources } = useRecorderStore.getState();
  const name = draft.trim();
  const configured = new Set(configuredSources(useSourcesStore.getState()).map((s) => s.key));
  const extra = startDetails(details, sources, configured);
  if (!extra.ok) {
    useRecorderStore.setState({ error: extra.problem });
    return;
  }
  useRecorderStore.setState({ pending: 'start', error: null });
  try {
    const run = await getBench().invoke('run.start', { name, ...extra.payload });
    useRunsStore.setState({ run });
    noteRun(run);
    useRecorderStore.setState((s) => ({
      pending: null,
      touched: false,
      details: { ...s.details, description: '' },
    }));
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
