// What a gateway clock sample does (one per authenticated session, protocol §7): it moves the
// client's clock, is kept in the clock history (a run's time base can be judged later), and the
// first one of a session puts the points the client stamped itself before it onto gateway time
// too, where they are still undelivered (presync.ts says which and why).

import type { ClockInfo } from './clock';
import type { RecordingContext } from './local-state';
import { restamp } from './presync';
import type { RunRecorder } from './run-recorder';
import type { AuthReply } from './ws-session';

export class ClockSync {
  constructor(
    private readonly d: RecordingContext,
    private readonly runs: RunRecorder,
    private readonly onSynced: (info: ClockInfo) => void,
    private readonly onRestamped: (deltaMs: number, runIds: string[], fromSeq: number) => void,
  ) {}

  /** A session authenticated with this reply (it carries the gateway's time). */
  synced(reply: AuthReply): void {
    const { clock, presync } = this.d;
    const mono = performance.now();
    const before = clock.at(mono);
    const info = clock.sync(reply);
    if (presync.waiting) this.afterFirstSync(clock.at(mono) - before);
    this.d.storeSafely('record the clock sync', () =>
      this.d.store.insertClock({
        at: info.syncedAt ?? reply.serverTimeMs,
        offsetMs: info.offsetMs,
        uncertaintyMs: info.uncertaintyMs,
        rttMs: info.rttMs,
        source: 'gateway',
      }),
    );
    this.onSynced(info);
  }

  /** The first sync moved the clock by `deltaMs`: move what was stamped before it as much. */
  private afterFirstSync(deltaMs: number): void {
    const { ranges, runs } = this.d.presync.finish();
    const d = Math.round(deltaMs);
    if (d === 0) return;
    this.d.storeSafely('move the points recorded before the first clock sync onto gateway time', () => {
      const moved = restamp(this.d.outbox, this.d.store, ranges, d);
      for (const [id, ended] of runs) this.d.store.shiftRun(id, d, ended);
      this.runs.shifted(runs, d);
      if (moved > 0)
        this.d.logger.info(`moved ${moved} points recorded before the first clock sync by ${d} ms onto gateway time`);
    });
    if (ranges.length > 0 || runs.size > 0) this.onRestamped(d, [...runs.keys()], ranges[0]?.[0] ?? Infinity);
    if (this.d.presync.overflowed)
      this.d.logger.warn('some points recorded before the first clock sync keep the local clock (too many to track)');
  }
}
