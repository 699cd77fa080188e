// The run library as the window knows it: runs changed or deleted here are changed in the runs
// store at once (the host's next state says the same), and the library's size and the disk's room
// (AppState.runLibrary) are kept in a store of their own. sync.ts does not keep runLibrary, so we
// read it from the host's `state` events and ask for the state once when the link opens.
import { create } from 'zustand';
import type { RunLibraryView, RunMetaView, RunView } from '../../../shared/contract';
import { getBench } from '../bridge';
import { useLinkStore } from '../stores/linkStore';
import { useRunsStore } from '../stores/runsStore';

export const useLibraryStore = create<{ library: RunLibraryView | null }>(() => ({ library: null }));

let watching = false;

/**
 * The details of runs as last seen, by run id. The recording run's ticks carry no details and
 * replace the run in the runs store, so its details would be lost between two states: the edit
 * form must start from them, or Save would clear what the technician set at Start.
 */
const knownMeta = new Map<string, RunMetaView>();

function rememberMeta(r: RunView): void {
  if (r.meta) knownMeta.set(r.id, r.meta);
}

async function readLibrary(): Promise<void> {
  try {
    const s = await getBench().invoke('state.get', {});
    useLibraryStore.setState({ library: s.runLibrary ?? null });
    for (const r of [...s.runs, ...(s.run ? [s.run] : [])]) rememberMeta(r);
  } catch {
    // The link dropped again: the next open (or the next state event) brings it.
  }
}

/** Keep the library's figures current (idempotent; called by the past runs list when it mounts). */
export function watchLibrary(): void {
  if (watching) return;
  watching = true;
  const bench = getBench();
  bench.on('state', (s) => {
    useLibraryStore.setState({ library: s.runLibrary ?? null });
    for (const r of [...s.runs, ...(s.run ? [s.run] : [])]) rememberMeta(r);
  });
  useLinkStore.subscribe((s, prev) => {
    if (s.state === 'open' && prev.state !== 'open') void readLibrary();
  });
  if (useLinkStore.getState().mode === 'ipc' || useLinkStore.getState().state === 'open') void readLibrary();
}

/** A run as the host now has it (after `run.start` or `run.update`): replaced in the list, and as the live run. */
export function noteRun(run: RunView): void {
  rememberMeta(run);
  useRunsStore.setState((s) => ({
    runs: s.runs.some((r) => r.id === run.id) ? s.runs.map((r) => (r.id === run.id ? { ...r, ...run } : r)) : s.runs,
    run: s.run?.id === run.id ? { ...s.run, ...run } : s.run,
  }));
}

/** A run the host deleted: gone from the list now. */
export function forgetRun(runId: string): void {
  useRunsStore.setState((s) => ({ runs: s.runs.filter((r) => r.id !== runId) }));
}

/** A run with its details: the list's entry, or the live run (whose ticks carry no details). */
export function runWithDetails(runId: string): RunView | null {
  const s = useRunsStore.getState();
  const listed = s.runs.find((r) => r.id === runId);
  const live = s.run?.id === runId ? s.run : undefined;
  if (!listed && !live) return null;
  const meta = live?.meta ?? listed?.meta ?? knownMeta.get(runId);
  return { ...listed, ...live, meta, storage: live?.storage ?? listed?.storage } as RunView;
}
