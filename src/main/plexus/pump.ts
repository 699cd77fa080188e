// The pump: moves batches from the outbox to whichever transport the connection offers. Over
// HTTP one request at a time; over the WebSocket a small window of frames, each followed by its
// own ping (protocol §8).
//
// Outcomes of a batch and what happens:
//   confirmed (pong with no error frame / HTTP 200 with the full count) → its points are done; the
//                                  cursor advances over the contiguous confirmed prefix (outbox.ts)
//   INVALID_MESSAGE / HTTP 400   → split in halves until the bad point is alone, quarantine it
//   RATE_LIMITED / short count   → wait, send the same batch again
//   HTTP 413                     → split, send the halves
//   connection lost / 5xx / net  → (once no frame is in flight) rewind to the cursor, retry with
//                                  backoff (at-least-once; points confirmed above the cursor stay
//                                  confirmed)
//   HTTP 401/403, WS key refused → stop sending, keep everything, status auth-failed, try the key
//                                  again after 15 s, 30 s, 60 s… (at once on a new key)
//
// How many frames in flight. Stop-and-wait delivers at most one frame per round trip, and each
// cycle also holds the gateway's parsing of the frame, which nothing overlaps; a window lets the
// gateway parse frame k+1 while the pong of frame k travels. What stays exact:
//   - attribution: the gateway handles one connection's messages in order, so pongs and error
//     frames come back in order; an error frame between pong k−1 and pong k is frame k's
//     (ws-session.ts). Outcomes are settled here in the same order.
//   - the cursor: only a contiguous confirmed prefix moves it; a later frame confirmed while an
//     earlier one goes again waits as a done range (done-ranges.ts), never sent again.
//   - spacing, the danger: a telemetry message processed < 0.5 ms after the previous accepted one
//     is dropped with no error frame, and its pong would read as a confirmation. The gateway
//     checks spacing after parsing and validating the message (protocol §10), so two frames that
//     arrive together are spaced by the second one's parse. A frame may therefore join others in
//     flight only when it is large: ≥ PIPELINE_MIN_POINTS points, or ≥ PIPELINE_MIN_BYTES. Measured
//     on the test gateway (2-core Xeon, busy): a bare JSON.parse of 5,000 of the smallest points
//     we send (68 bytes) takes ≥ 4.0 ms (its validation comes on top); of 768 KiB of
//     the longest-stringed points (tags, long event texts), JSON.parse alone ≥ 1.9 ms; 1,000 small
//     points parse in as little as 0.45 ms, so 1,000 would not be safe. The real gateway's parse
//     per point is no cheaper than a JSON.parse (Go decodes into maps), so a machine twice as
//     fast still keeps 2× (by bytes) to 4× (by points) the 0.5 ms; full frames, which are what
//     fills a window, far more. Smaller frames go one at a time, ≥ MIN_GAP_MS after the previous
//     pong, as always; and every frame leaves ≥ MIN_GAP_MS after the previous one.
//   - a lost connection: every frame in flight resolves as lost; once all have, rewind.

import { sleep } from '../../shared/util';
import type { Batch } from './block';
import type { Connection } from './connection';
import type { FrameOutcome, WsSession } from './ws-session';
import { MIN_GAP_MS } from './session-life';
import { TransportError } from './errors';
import { LIMITS } from './limits';
import type { Logger } from './config';
import type { Outbox } from './outbox';
import { Signal } from './signal';

const FRAME_OVERHEAD = '{"type":"telemetry","points":[]}'.length;
const WS_MAX_BYTES = LIMITS.wsMessageBytes - FRAME_OVERHEAD - 1024; // stay clearly under 1 MiB
const HTTP_MAX_BYTES = 4 * 1024 * 1024;
/** While HTTP is failing, each retry is a small probe, not megabytes a down gateway refuses. */
const PROBE_POINTS = 100;
const PROBE_BYTES = 64 * 1024;

/** WebSocket frames in flight at most (a bare device reached ≥ 80 % of the ceiling with 2–4). */
export const MAX_IN_FLIGHT = 3;
/** A frame may join others in flight only from this size on (see the top of this file). */
export const PIPELINE_MIN_POINTS = 5000;
export const PIPELINE_MIN_BYTES = 768 * 1024;
/** After RATE_LIMITED, no telemetry frame for this long (the bucket refills meanwhile). */
const RATE_LIMIT_PAUSE_MS = 250;

/** Whether a batch is large enough for the gateway's parse of it to space it from its predecessor. */
export function mayPipeline(batch: Batch): boolean {
  return batch.count >= PIPELINE_MIN_POINTS || batch.bytes >= PIPELINE_MIN_BYTES;
}

interface InFlight {
  batch: Batch;
  session: WsSession;
  outcome: Promise<FrameOutcome>;
}

export interface PumpHooks {
  onConfirmed(count: number, via: 'ws' | 'http'): void;
  onQuarantined(seq: number, line: string, reason: string): void;
  /** An answer changed what the status shows (counts, the HTTP link). */
  changed(): void;
}

export class Pump {
  private readonly wakeSignal = new Signal();
  private stopped = false;
  /**
   * Batches to send before taking new ones (halves of a split, a rate-limited frame), by first seq,
   * the lowest last: pop() gives the oldest.
   */
  private retry: Batch[] = [];
  /** WebSocket frames written and not settled yet, oldest first. */
  private window: InFlight[] = [];
  /** A frame of the window was lost: rewind once the window is empty. */
  private rewindDue = false;
  /** No telemetry frame before this (performance.now()): a RATE_LIMITED answer asked us to wait. */
  private holdUntil = 0;
  private lastHttpAt = 0;
  /** Short counts in a row (the gateway's per-source ceiling), for the retry delay. */
  private shortCounts = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly link: Connection,
    private readonly logger: Logger,
    private readonly hooks: PumpHooks,
  ) {}

  /** New data, or a transport came or went: look again. */
  wake(): void {
    this.wakeSignal.notify();
  }

  stop(): void {
    this.stopped = true;
    this.wakeSignal.notify();
  }

  async run(): Promise<void> {
    // Frames still in flight when stopped are settled: a confirmation that comes is not wasted.
    while (!this.stopped || this.window.length > 0) {
      try {
        if (this.window.length > 0) {
          await this.windowStep();
          continue;
        }
        if (this.rewindDue) this.rewind();
        const via = this.link.pick();
        if (!via) {
          const due = this.link.nextDueAt();
          await this.wakeSignal.wait(Number.isFinite(due) ? due - Date.now() : undefined);
          continue;
        }
        const hold = this.holdUntil - performance.now();
        if (via === 'ws' && hold > 0) {
          await sleep(hold);
          continue;
        }
        const batch = this.retry.pop() ?? this.take(via);
        if (!batch) {
          await this.wakeSignal.wait();
          continue;
        }
        if (via === 'ws') await this.sendWs(batch);
        else await this.sendHttp(batch);
      } catch (e) {
        // A failing disk or a bug of ours must not stop delivery for good: report, wait, go on.
        // Frames in flight are waited for first: nothing may be sent while they are unsettled.
        const abandoned = this.window;
        this.window = [];
        await Promise.all(abandoned.map((f) => f.outcome));
        this.rewind();
        this.link.fail(new TransportError(`delivery error: ${(e as Error).message}`));
        await sleep(1000);
      }
    }
  }

  /** With frames in flight: send one more if the window allows it, else settle the oldest. */
  private async windowStep(): Promise<void> {
    const head = this.window[0]!;
    const next = this.pipelinable(head.session);
    if (next) {
      await this.sendWs(next);
      return;
    }
    const outcome = await head.outcome;
    this.window.shift();
    this.settleWs(head.batch, outcome);
  }

  /** The next batch, if it may join the frames in flight now (see the top of this file). */
  private pipelinable(session: WsSession): Batch | null {
    if (this.stopped || this.rewindDue || this.link.session !== session || !session.open) return null;
    if (session.inFlight === 0 || session.inFlight >= MAX_IN_FLIGHT) return null;
    if (this.link.resyncWanted || performance.now() < this.holdUntil) return null;
    const top = this.retry[this.retry.length - 1];
    // Older points waiting to go again go first, after the window if they are small.
    if (top) return mayPipeline(top) ? this.retry.pop()! : null;
    if (this.outbox.unsentAtMost < PIPELINE_MIN_POINTS) return null;
    const batch = this.take('ws');
    if (batch && !mayPipeline(batch)) {
      this.putBack(batch); // sent on its own once the window is empty
      return null;
    }
    return batch;
  }

  private take(via: 'ws' | 'http'): Batch | null {
    if (via === 'http' && this.link.probing) return this.outbox.takeBatch(PROBE_POINTS, PROBE_BYTES);
    return this.outbox.takeBatch(LIMITS.pointsPerMessage, via === 'ws' ? WS_MAX_BYTES : HTTP_MAX_BYTES);
  }

  /** Everything handed out but unconfirmed goes again. Only with no frame in flight. */
  private rewind(): void {
    this.outbox.rewind();
    this.retry = [];
    this.rewindDue = false;
  }

  /** Write a frame (once spacing and the bucket allow); its outcome is settled in order later. */
  private async sendWs(batch: Batch): Promise<void> {
    const session = this.link.session;
    if (!session) {
      this.putBack(batch);
      return;
    }
    const frame = batch.toJson('{"type":"telemetry","points":[', ']}');
    const { outcome } = await session.sendFrame(frame, () => this.outbox.markWritten(batch));
    this.window.push({ batch, session, outcome });
  }

  private settleWs(batch: Batch, outcome: FrameOutcome): void {
    switch (outcome.kind) {
      case 'ok':
        this.confirm(batch, 'ws');
        return;
      case 'invalid':
        this.splitOrQuarantine(batch, `gateway rejected the frame: ${outcome.detail}`);
        return;
      case 'rate-limited':
        this.logger.warn('gateway rate-limited a telemetry frame; slowing down');
        this.putBack(batch);
        this.holdUntil = performance.now() + RATE_LIMIT_PAUSE_MS;
        return;
      case 'lost':
        // Later frames settle first (their pongs may still confirm them); then everything
        // unconfirmed goes again.
        this.rewindDue = true;
        return;
    }
  }

  /** Into the retry list, keeping it ordered (the oldest points go first). */
  private putBack(batch: Batch): void {
    const r = this.retry;
    let i = r.length;
    while (i > 0 && r[i - 1]!.firstSeq < batch.firstSeq) i--;
    r.splice(i, 0, batch);
  }

  private async sendHttp(batch: Batch): Promise<void> {
    const key = this.link.apiKey;
    if (!key) return;
    const sent = { key, sourceId: this.link.sourceId };
    // Re-checked after each sleep: a 1 ms timer may fire after a few µs (see ws-session.ts).
    const due = this.lastHttpAt + MIN_GAP_MS;
    while (performance.now() < due) await sleep(due - performance.now());
    const body = batch.toJson(`{"source_id":${JSON.stringify(sent.sourceId)},"points":[`, ']}');
    const res = await this.link.httpSender.send(body, batch.count, key);
    this.lastHttpAt = performance.now();
    if (res.kind !== 'retry' || res.written) this.outbox.markWritten(batch);
    switch (res.kind) {
      case 'ok':
        this.shortCounts = 0;
        this.link.httpDelivered(sent, res.sourceId);
        this.confirm(batch, 'http'); // delivered, even if under settings since replaced
        this.hooks.changed();
        return;
      case 'short':
        // The gateway's per-source ceiling dropped the request's points: send them again, a little
        // later each time it happens in a row.
        this.link.httpShort(sent);
        this.putBack(batch);
        await sleep(Math.min(1000, 2 ** Math.min(10, this.shortCounts++)));
        this.hooks.changed();
        return;
      case 'invalid':
        this.splitOrQuarantine(batch, `gateway answered ${res.status}: ${res.detail}`);
        return;
      case 'too-large':
        if (batch.count > 1) this.pushHalves(batch);
        else this.quarantine(batch, `gateway answered 413 for a single point: ${res.detail}`);
        return;
      case 'auth':
        this.rewind();
        this.link.httpRefused(sent, res.status, res.detail);
        return;
      case 'retry':
        this.rewind();
        this.link.httpFailed(res.detail);
        return;
    }
  }

  private confirm(batch: Batch, via: 'ws' | 'http'): void {
    this.outbox.confirm(batch);
    this.hooks.onConfirmed(batch.count, via);
  }

  private pushHalves(batch: Batch): void {
    const mid = batch.count >> 1;
    this.putBack(batch.slice(mid, batch.count));
    this.putBack(batch.slice(0, mid));
  }

  private splitOrQuarantine(batch: Batch, reason: string): void {
    if (batch.count > 1) {
      this.pushHalves(batch);
      return;
    }
    this.quarantine(batch, reason);
  }

  private quarantine(batch: Batch, reason: string): void {
    const { seq, line } = batch.only();
    this.outbox.quarantine(seq, line, reason);
    this.hooks.onQuarantined(seq, line, reason);
  }
}
