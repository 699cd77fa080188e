// One clock for everything the client stamps. SDK-picked times come from a monotonic clock
// (performance.now) anchored to the gateway's time at the last sync, so a jump of the system
// clock does not move them. The offset is round-trip compensated (docs/protocol.md §8):
//   offset = server_time_ms − (t_send + t_recv) / 2,   uncertainty = (t_recv − t_send) / 2
// which bounds the error whatever the split of the round trip, because the gateway read its
// clock somewhere between our send and our receipt.

export type ClockSource = 'local' | 'persisted' | 'gateway';

export interface ClockInfo {
  /** SDK time minus this machine's system clock, in ms, at the last sync. */
  offsetMs: number;
  /** Bound on |SDK time − gateway time| right after the sync (half the round trip); null when never synced. */
  uncertaintyMs: number | null;
  /** Round trip of the sync exchange, ms; null when never synced this session. */
  rttMs: number | null;
  /** Where the time base comes from: the system clock, a sync from an earlier session, or the gateway now. */
  source: ClockSource;
  /** SDK time of the last sync (epoch ms), null if none this session. */
  syncedAt: number | null;
}

export interface ClockSample {
  serverTimeMs: number;
  /** performance.now() when the auth frame was sent. */
  sendMono: number;
  /** performance.now() when the authenticated frame arrived. */
  recvMono: number;
}

export class Clock {
  private anchorMono: number;
  private anchorTime: number;
  private info: ClockInfo;

  constructor(persisted?: { offsetMs: number; uncertaintyMs: number | null }) {
    this.anchorMono = performance.now();
    const wall = Date.now();
    if (persisted && Number.isFinite(persisted.offsetMs)) {
      // The last known offset is the best guess until the gateway answers (HTTP-only mode lives on it).
      this.anchorTime = wall + persisted.offsetMs;
      this.info = {
        offsetMs: persisted.offsetMs,
        uncertaintyMs: persisted.uncertaintyMs,
        rttMs: null,
        source: 'persisted',
        syncedAt: null,
      };
    } else {
      this.anchorTime = wall;
      this.info = { offsetMs: 0, uncertaintyMs: null, rttMs: null, source: 'local', syncedAt: null };
    }
  }

  /** SDK time now, epoch ms (fractional). */
  now(): number {
    return this.anchorTime + (performance.now() - this.anchorMono);
  }

  /** SDK time at a given performance.now() reading. */
  at(mono: number): number {
    return this.anchorTime + (mono - this.anchorMono);
  }

  /** Re-anchor on a gateway sample. Returns the new clock info. */
  sync(s: ClockSample): ClockInfo {
    const mid = (s.sendMono + s.recvMono) / 2;
    const rtt = Math.max(0, s.recvMono - s.sendMono);
    this.anchorMono = mid;
    this.anchorTime = s.serverTimeMs;
    // The system clock at `mid`, read now and walked back along the monotonic clock.
    const wallAtMid = Date.now() - (performance.now() - mid);
    this.info = {
      offsetMs: s.serverTimeMs - wallAtMid,
      uncertaintyMs: rtt / 2,
      rttMs: rtt,
      source: 'gateway',
      syncedAt: s.serverTimeMs,
    };
    return this.get();
  }

  get(): ClockInfo {
    return { ...this.info };
  }
}
