// The technician's markers, kept on the host in their own list: among the live events a device
// sending text 50 times a second would push a marker out of any "last N events" list within
// seconds, and a reloaded window must find them again. Kept: every marker of the current run,
// those of the last run that ended, and the latest ones dropped while no run recorded. A restarted
// recorder reads the last run's back from the run log (run-markers.ts).

import type { MarkerView } from '../../shared/contract';

/** Markers kept per run (a marker is a person pressing M: far more would be a stuck key). */
export const MARKERS_PER_RUN = 10_000;
/** Markers kept from outside any run. */
const OUTSIDE = 200;

export class MarkerList {
  private readonly byRun = new Map<string, MarkerView[]>();
  private outside: MarkerView[] = [];

  add(m: MarkerView): void {
    if (m.runId === null) {
      this.outside.push(m);
      if (this.outside.length > OUTSIDE) this.outside.splice(0, this.outside.length - OUTSIDE);
      return;
    }
    const list = this.byRun.get(m.runId) ?? [];
    if (list.length < MARKERS_PER_RUN) list.push(m);
    this.byRun.set(m.runId, list);
  }

  /** A run's markers read back from the run log: added to those it has, none twice. */
  restore(runId: string, markers: readonly MarkerView[]): void {
    const list = this.byRun.get(runId) ?? [];
    const have = new Set(list.map((m) => m.seq));
    for (const m of markers) if (!have.has(m.seq) && list.length < MARKERS_PER_RUN) list.push(m);
    this.byRun.set(runId, list);
  }

  /** The first clock sync moved the points from seq `fromSeq` on by `deltaMs`: these markers too. */
  shift(fromSeq: number, deltaMs: number): void {
    for (const m of [...this.outside, ...[...this.byRun.values()].flat()]) if (m.seq >= fromSeq) m.t += deltaMs;
  }

  /**
   * The markers to show, oldest first: the current run's, the last ended run's and those outside
   * runs. Runs older than these are forgotten here (their markers stay in the run log and export).
   */
  list(currentRunId: string | null, lastRunId: string | null): MarkerView[] {
    const keep = new Set([currentRunId, lastRunId].filter((id): id is string => id !== null));
    for (const id of this.byRun.keys()) if (!keep.has(id)) this.byRun.delete(id);
    return [...this.outside, ...[...this.byRun.values()].flat()].sort((a, b) => a.t - b.t || a.seq - b.seq);
  }
}
