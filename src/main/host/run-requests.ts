// The window's requests to stop a run and to mark a moment (starting one, with its details and
// sources, is the run library's: run-library/library-requests.ts).

import type { RequestHandlers, RunView } from '../../shared/contract';
import type { Plexus } from '../plexus';
import type { MarkerList } from './marker-list';
import type { RecordingSink } from './recording-sink';

type RunRequest = 'run.stop' | 'marker.add';

export interface RunRequestContext {
  client: Plexus;
  sink: RecordingSink;
  /** The disk refuses writes: a marker is kept in memory, and the technician is told. */
  storageFailing(): boolean;
  /** Where markers are kept for the window (its own list, apart from the live events). */
  markers: MarkerList;
  stateChanged(): void;
}

export function runRequests(ctx: RunRequestContext): Pick<RequestHandlers, RunRequest> {
  return {
    'run.stop': () => {
      const r = ctx.client.endRun();
      ctx.stateChanged();
      return r ? toRunView(r) : null;
    },
    'marker.add': ({ note }) => {
      const t = Math.round(ctx.client.now());
      const runId = ctx.client.currentRun()?.id ?? null;
      // Stamped on the client's clock: the first clock sync moves it with the run's points.
      const seq = ctx.sink.event('marker', markerValue(note), { timestamp: t, fromClientClock: true });
      ctx.markers.add({ seq, t, note: note || null, runId });
      ctx.stateChanged();
      // A marker outside a run is still recorded (with the time, on the device), just in no run:
      // the technician must know it will not be in any run's export.
      const where = runId === null ? { runId, message: 'marker recorded outside a run' } : { runId };
      return ctx.storageFailing()
        ? {
            seq,
            t,
            ...where,
            warning: 'the disk refuses writes: this marker waits in memory until it takes them again',
          }
        : { seq, t, ...where };
    },
  };
}

/**
 * A marker's value: its note as text when it fits an event's 256 UTF-8 bytes, else as
 * `{ note }` (an object may hold 4 KiB), so any note the window accepts is kept whole. Without a
 * note it is the empty object `{}`: an event value is never null (protocol §3), and a made-up
 * text such as "marker" would read as a note nobody wrote.
 */
export function markerValue(note: string | undefined): string | { note?: string } {
  if (!note) return {};
  return Buffer.byteLength(note, 'utf8') <= 256 ? note : { note };
}

/** The view of a run record: its fields as the window knows them, nothing else the record holds. */
export function toRunView(r: RunView): RunView {
  const v: RunView = { id: r.id, name: r.name, startedAt: r.startedAt, endedAt: r.endedAt, points: r.points };
  if (r.interrupted) v.interrupted = true;
  return v;
}
