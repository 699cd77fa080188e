// How far each run's export has come, from the host's `export.progress` events (about twice a
// second while it writes). An export that stops reporting without saying it is done (the
// download was cancelled, the recorder restarted) is forgotten after a while rather than shown
// forever.
import { create } from 'zustand';
import type { ExportProgress } from '../../../shared/contract';
import { getBench } from '../bridge';

/** No word from an export for this long: it is no longer shown as running. */
const QUIET_MS = 15_000;

interface Shown extends ExportProgress {
  at: number;
}

export const useExportProgress = create<{ byRun: Record<string, Shown> }>(() => ({ byRun: {} }));

let watching = false;

export function watchExportProgress(): void {
  if (watching) return;
  watching = true;
  getBench().on('export.progress', (p) => {
    useExportProgress.setState((s) => {
      const byRun = { ...s.byRun };
      if (p.done) delete byRun[p.runId];
      else byRun[p.runId] = { ...p, at: Date.now() };
      return { byRun };
    });
  });
  setInterval(() => {
    const now = Date.now();
    const { byRun } = useExportProgress.getState();
    const quiet = Object.values(byRun).filter((p) => now - p.at > QUIET_MS);
    if (quiet.length === 0) return;
    const next = { ...byRun };
    for (const p of quiet) delete next[p.runId];
    useExportProgress.setState({ byRun: next });
  }, 5_000);
}

/** 45 for 450 of 1,000 points; 0 while the total is unknown. */
export function percent(p: Pick<ExportProgress, 'points' | 'total'>): number {
  if (!(p.total > 0)) return 0;
  return Math.max(0, Math.min(100, Math.floor((p.points / p.total) * 100)));
}
