// What the window shows of the client: its status line and the runs, as contract views.

import type { RunView, StatusView } from '../../shared/contract';
import type { Plexus, StatusInfo } from '../plexus';
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

/** The last 200 runs that have ended, oldest first. */
export function pastRunViews(client: Plexus): RunView[] {
  return client
    .runs(200)
    .filter((r) => r.endedAt !== null)
    .map(toRunView);
}
