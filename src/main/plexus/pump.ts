// The pump: moves batches from the outbox to whichever transport the connection offers — one
// batch at a time, confirmed before the next (protocol §8).
//
// Outcomes of a batch and what happens:
//   confirmed (pong with no error frame / HTTP 200 with the full count) → cursor advances
//   INVALID_MESSAGE / HTTP 400   → split in halves until the bad point is alone, quarantine it
//   RATE_LIMITED / short count   → wait, send the same batch again
//   HTTP 413                     → split, send the halves
//   connection lost / 5xx / net  → rewind to the cursor, retry with backoff (at-least-once)
//   HTTP 401/403, WS key refused → stop sending, keep everything, status auth-failed, try the key
//                                  again after 15 s, 30 s, 60 s… (at once on a new key)

import { sleep } from '../../shared/util';
import type { Batch } from './block';
import type { Connection } from './connection';
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

export interface PumpHooks {
  onConfirmed(count: number, via: 'ws' | 'http'): void;
  onQuarantined(seq: number, line: string, reason: string): void;
  /** An answer changed what the status shows (counts, the HTTP link). */
  changed(): void;
}

export class Pump {
  private readonly wakeSignal = new Signal();
  private stopped = false;
  /** Batches to send before taking new ones (a stack: halves of a split, a rate-limited frame). */
  private retry: Batch[] = [];
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
    while (!this.stopped) {
      const via = this.link.pick();
      if (!via) {
        const due = this.link.nextDueAt();
        await this.wakeSignal.wait(Number.isFinite(due) ? due - Date.now() : undefined);
        continue;
      }
      try {
        const batch = this.retry.pop() ?? this.take(via);
        if (!batch) {
          await this.wakeSignal.wait();
          continue;
        }
        if (via === 'ws') await this.sendWs(batch);
        else await this.sendHttp(batch);
      } catch (e) {
        // A failing disk or a bug of ours must not stop delivery for good: report, wait, go on.
        this.rewind();
        this.link.fail(new TransportError(`delivery error: ${(e as Error).message}`));
        await sleep(1000);
      }
    }
  }

  private take(via: 'ws' | 'http'): Batch | null {
    if (via === 'http' && this.link.probing) return this.outbox.takeBatch(PROBE_POINTS, PROBE_BYTES);
    return this.outbox.takeBatch(LIMITS.pointsPerMessage, via === 'ws' ? WS_MAX_BYTES : HTTP_MAX_BYTES);
  }

  /** Everything handed out but unconfirmed goes again. */
  private rewind(): void {
    this.outbox.rewind();
    this.retry = [];
  }

  private async sendWs(batch: Batch): Promise<void> {
    const session = this.link.session;
    if (!session) {
      this.retry.push(batch);
      return;
    }
    const frame = batch.toJson('{"type":"telemetry","points":[', ']}');
    const outcome = await session.sendFrame(frame, () => this.outbox.markWritten(batch));
    switch (outcome.kind) {
      case 'ok':
        this.confirm(batch, 'ws');
        return;
      case 'invalid':
        this.splitOrQuarantine(batch, `gateway rejected the frame: ${outcome.detail}`);
        return;
      case 'rate-limited':
        this.logger.warn('gateway rate-limited a telemetry frame; slowing down');
        this.retry.push(batch);
        await sleep(250);
        return;
      case 'lost':
        this.rewind();
        return;
    }
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
        this.retry.push(batch);
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
    // The retry list is a stack: push the second half first so the first goes first.
    this.retry.push(batch.slice(mid, batch.count), batch.slice(0, mid));
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
