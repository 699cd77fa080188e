// The last run's markers after a restart. The marker list (marker-list.ts) lives in memory, but
// every marker is also an event named "marker" in the run log, tagged with its run (run-requests.ts
// records it so), so a recorder started again on the same data folder reads the last run's back
// from there, and the window lists them under the run's name as before.

import type { MarkerView } from '../../shared/contract';
import type { Plexus } from '../plexus';
import { lastEndedRunId } from './client-views';
import { MARKERS_PER_RUN } from './marker-list';

/** The note a marker's recorded value holds: the reverse of markerValue (run-requests.ts). */
export function markerNote(value: unknown): string | null {
  if (typeof value === 'string') return value || null;
  if (value && typeof value === 'object' && typeof (value as { note?: unknown }).note === 'string')
    return (value as { note: string }).note || null;
  return null;
}

/** The markers of the run that ended last, read from the run log; null when no run has ended. */
export async function lastRunMarkers(client: Plexus): Promise<{ runId: string; markers: MarkerView[] } | null> {
  const runId = lastEndedRunId(client);
  if (runId === null) return null;
  const points = await client.runPointsNamed(runId, 'marker', MARKERS_PER_RUN);
  return {
    runId,
    markers: points.map((p) => ({ seq: p.seq, t: p.timestamp, note: markerNote(p.value), runId })),
  };
}
