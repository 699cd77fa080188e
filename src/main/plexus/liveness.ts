// Is the gateway still answering? The gateway pings every 30 s but never times out a missing
// pong, so a frozen or half-open link is ours to notice. Every WS ping we send (the delivery
// barrier after each frame, and the idle keepalive) must come back as a pong; this tracks how long
// pongs normally take on this link and says when one is overdue (tell the person) or so late
// that the link is dead (cut it and reconnect).
//
// "Normally" depends on the link: a pong comes back after the bytes written before its ping
// reached the gateway and were processed, so a 1 MiB frame on a slow uplink legitimately takes
// seconds. Expected time = smoothed round trip + bytes ahead / smoothed throughput, both learnt
// from this connection's own pongs; until a throughput is known it is assumed to be a slow
// 256 kbit/s, so a big first frame is never declared dead too early.
//
// Time is counted on a stall-proof clock: when our own event loop was blocked (a long disk write,
// a busy machine) a pong may be sitting unread in the socket, so only time in which we could have
// read it counts (each check advances the clock by at most MAX_STEP_MS).

export interface LivenessOptions {
  /** Say "not answering" no sooner than this (ms). */
  overdueMinMs: number;
  /** Declare the link dead no sooner than this (ms). */
  deadMinMs: number;
}

export const DEFAULT_LIVENESS: LivenessOptions = { overdueMinMs: 2000, deadMinMs: 5000 };

/** Frames from this size on teach the throughput; smaller ones the round trip. */
const THROUGHPUT_SAMPLE_BYTES = 16 * 1024;
/** Assumed throughput until measured: 256 kbit/s, in bytes per ms. */
const INITIAL_BYTES_PER_MS = 32;
const MAX_STEP_MS = 1000;

interface Outstanding {
  id: number;
  sentAt: number;
  bytes: number;
  expectedMs: number;
}

export class Liveness {
  private clock = 0;
  private lastTick = performance.now();
  private srttMs: number;
  private bytesPerMs: number | null = null;
  private outstanding: Outstanding[] = [];

  constructor(
    private readonly opts: LivenessOptions,
    /** The auth round trip: a first guess at the round trip. */
    firstRttMs: number,
  ) {
    this.srttMs = Math.max(1, firstRttMs);
  }

  /** Advance the stall-proof clock; call often (every check, every ping, every pong). */
  tick(): number {
    const now = performance.now();
    this.clock += Math.min(MAX_STEP_MS, Math.max(0, now - this.lastTick));
    this.lastTick = now;
    return this.clock;
  }

  /** A ping went out with `bytes` written since the previous one ahead of it. */
  sent(id: number, bytes: number): void {
    const at = this.tick();
    const bw = this.bytesPerMs ?? INITIAL_BYTES_PER_MS;
    this.outstanding.push({ id, sentAt: at, bytes, expectedMs: this.srttMs + bytes / bw });
  }

  /** A pong came back: it answers its ping and every earlier one (in-order processing). */
  answered(id: number): void {
    const at = this.tick();
    const idx = this.outstanding.findIndex((o) => o.id === id);
    if (idx < 0) return;
    const o = this.outstanding[idx]!;
    this.outstanding = this.outstanding.slice(idx + 1);
    const took = Math.max(1, at - o.sentAt);
    if (o.bytes >= THROUGHPUT_SAMPLE_BYTES) {
      // Round trip included, so this underestimates the throughput: on the safe side.
      const sample = o.bytes / took;
      this.bytesPerMs = this.bytesPerMs === null ? sample : 0.75 * this.bytesPerMs + 0.25 * sample;
    } else {
      this.srttMs = 0.875 * this.srttMs + 0.125 * took;
    }
  }

  /** How long the oldest unanswered ping has waited (ms, stall-proof); 0 when none waits. */
  waitingMs(): number {
    const o = this.outstanding[0];
    return o ? Math.max(0, this.tick() - o.sentAt) : 0;
  }

  /** The oldest unanswered ping is late: > max(overdueMinMs, 2 × expected). 0 when not. */
  overdueMs(): number {
    const o = this.outstanding[0];
    if (!o) return 0;
    const waited = this.tick() - o.sentAt;
    return waited > Math.max(this.opts.overdueMinMs, 2 * o.expectedMs) ? waited : 0;
  }

  /** The oldest unanswered ping is so late the link must be dead: > max(deadMinMs, 3 × expected + 2 s). */
  dead(): boolean {
    const o = this.outstanding[0];
    if (!o) return false;
    return this.tick() - o.sentAt > Math.max(this.opts.deadMinMs, 3 * o.expectedMs + 2000);
  }
}
