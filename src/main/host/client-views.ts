// What the window shows of the client: its status line and the runs, as contract views.

import type { AppState, RunView, StatusView } from '../../shared/contract';
import type { Plexus, RunRow, StatusInfo } from '../plexus';
import type { MarkerList } from './marker-list';
import type { PreviewAggregator } from './preview';
import { toRunView } from './run-requests';

export function statusView(client: Plexus, pointsPerSec: number, s: StatusInfo = client.status()): StatusView {
  const clock = client.clock();
  return {
    status: s.status,
    message: s.message,
    transport: s.transport,
    detail: s.detail,
    deviceName: client.sourceId,
    buffered: client.bufferSize(),
    clockOffsetMs: Math.round(clock.offsetMs * 10) / 10,
    clockUncertaintyMs: clock.uncertaintyMs === null ? null : Math.round(clock.uncertaintyMs * 10) / 10,
    clockSource: clock.source,
    pointsPerSec,
  };
}

export function currentRunView(client: Plexus): RunView | null {
  const r = client.currentRun();
  return r ? toRunView(r) : null;
}

/** The last 200 runs that have ended, newest first. */
export function pastRuns(client: Plexus): RunRow[] {
  return client.runs(200).filter((r) => r.endedAt !== null);
}

/** The run that ended last (its markers stay listed beside the current run's), or null. */
export function lastEndedRunId(client: Plexus): string | null {
  return client.runs(2).find((r) => r.endedAt !== null)?.id ?? null;
}

/** What a window that opens or reloads needs to list again: the markers and the recent events. */
export function historyViews(
  client: Plexus,
  markers: MarkerList,
  preview: PreviewAggregator,
): Pick<AppState, 'markers' | 'events'> {
  return {
    markers: markers.list(client.currentRun()?.id ?? null, lastEndedRunId(client)),
    events: preview.recentEvents(),
  };
}
