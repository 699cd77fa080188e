// Delivery: the WebSocket connection loop, the HTTP fallback and the pump that moves batches
// from the outbox to whichever transport is up — one batch at a time, confirmed before the next.
//
// Outcomes of a batch and what happens:
//   confirmed (pong with no error frame / HTTP 200 with the full count) → cursor advances
//   INVALID_MESSAGE / HTTP 400   → split in halves until the bad point is alone, quarantine it
//   RATE_LIMITED / short count   → wait, send the same batch again
//   HTTP 413                     → split, send the halves
//   connection lost / 5xx / net  → rewind to the cursor, retry with backoff (at-least-once)
//   HTTP 401/403, WS key refused → stop sending, keep everything, status auth-failed, try the key
//                                  again after 15 s, 30 s, 60 s… (at once on a new key)
//
// Reconnects are capped at a few seconds (±25 % jitter): one bench is one client, and data must
// flow again within seconds of the gateway coming back, however long it was gone.

import { Backoff, sleep } from '../../shared/util';
import { ConflictDetector, STABLE_MS } from './conflict-detector';
import { AuthError, ConfigError, TransportError, type PlexusError } from './errors';
import type { HttpSender } from './http-sender';
import { LIMITS } from './limits';
import type { Batch } from './block';
import type { Outbox } from './outbox';
import { Signal } from './signal';
import { DEFAULT_LIVENESS } from './liveness';
import { statusOf, type StatusInfo } from './status';
import { KeyRefusal } from './key-refusal';
import { StatusFeed } from './status-feed';
import { WsSession, type AuthReply, type CloseInfo, type FrameOutcome } from './ws-session';
import type { Logger, ResolvedOptions } from './config';

const FRAME_OVERHEAD = '{"type":"telemetry","points":[]}'.length;
const WS_MAX_BYTES = LIMITS.wsMessageBytes - FRAME_OVERHEAD - 1024; // stay clearly under 1 MiB
const HTTP_MAX_BYTES = 4 * 1024 * 1024;
/** After a pong (or an HTTP answer), wait this long before the next telemetry message. */
const MIN_GAP_MS = 1;
/** Reconnect and HTTP retry: 1 s × 2ⁿ, at most 3 s, ±25 % (options may override). */
const RETRY_DEFAULTS = { baseMs: 1000, capMs: 3000, jitter: 0.25 };
/** While HTTP is failing, each retry is a small probe, not megabytes a down gateway refuses. */
const PROBE_POINTS = 100;
const PROBE_BYTES = 64 * 1024;
/** Idle keepalive ping: an idle dead link is found within this plus the liveness deadline. */
const KEEPALIVE_MS = 5000;

/** The resolved options delivery uses (config.ts documents each), plus what the client built. */
export interface DeliveryOptions extends Pick<
  ResolvedOptions,
  | 'wsUrl'
  | 'transport'
  | 'apiKey'
  | 'connectTimeoutMs'
  | 'resyncIntervalMs'
  | 'heartbeatIntervalMs'
  | 'authRetryMs'
  | 'conflictEvictions'
  | 'reconnect'
  | 'httpRetry'
> {
  http: HttpSender;
  sourceId: string;
  logger: Logger;
}

export interface DeliveryHooks {
  /** The device_auth message for a new connection. */
  authMessage(sourceId: string, apiKey: string): Record<string, unknown>;
  onAuthenticated(reply: AuthReply): void;
  /** The gateway named us differently than we asked. */
  onSourceIdAssigned(assigned: string, via: 'ws' | 'http'): void;
  onConfirmed(count: number, via: 'ws' | 'http'): void;
  onQuarantined(seq: number, line: string, reason: string): void;
  onCommand(msg: Record<string, unknown>): void;
  onStatus(info: StatusInfo): void;
  onError(err: PlexusError): void;
  uptimeSeconds(): number;
  agentVersion: string;
}

interface QueuedControl {
  msg: Record<string, unknown>;
  expiresAt: number;
}

export class Delivery {
  private session: WsSession | null = null;
  private stopped = false;
  private readonly wake = new Signal();
  private readonly wsWake = new Signal();
  private readonly wsBackoff: Backoff;
  private readonly httpBackoff: Backoff;
  private readonly key: KeyRefusal;
  private readonly conflict: ConflictDetector;
  private readonly feed: StatusFeed;
  private wsState: 'idle' | 'connecting' | 'open' | 'down' = 'idle';
  /** A connection attempt failed since the last good session: the socket is unavailable, use HTTP. */
  private wsUnavailable = false;
  private httpState: 'unknown' | 'ok' | 'failing' = 'unknown';
  private httpRetryAt = 0;
  private wsRetryAt = 0;
  private lastError: string | null = null;
  private resyncDue = false;
  private plannedClose = false;
  private retry: Batch[] = [];
  private control: QueuedControl[] = [];
  private controlTimer: ReturnType<typeof setTimeout> | null = null;
  private timers: Array<ReturnType<typeof setTimeout> | ReturnType<typeof setInterval>> = [];
  private loops: Promise<void>[] = [];
  private started = false;

  constructor(
    private opts: DeliveryOptions,
    private readonly outbox: Outbox,
    private readonly hooks: DeliveryHooks,
  ) {
    this.wsBackoff = new Backoff({ ...RETRY_DEFAULTS, ...opts.reconnect });
    this.httpBackoff = new Backoff({ ...RETRY_DEFAULTS, ...opts.httpRetry });
    this.key = new KeyRefusal(opts.authRetryMs, () => {
      this.wsWake.notify();
      this.wake.notify();
      this.updateStatus();
    });
    this.conflict = new ConflictDetector(opts.conflictEvictions);
    this.feed = new StatusFeed(
      () => this.status(),
      (info) => this.hooks.onStatus(info),
    );
  }

  get sourceId(): string {
    return this.opts.sourceId;
  }

  get connected(): boolean {
    return this.session?.open ?? false;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const report = (e: unknown): void => this.fail(new TransportError(`delivery stopped: ${(e as Error).message}`));
    this.loops.push(this.pumpLoop().catch(report), this.wsLoop().catch(report));
    this.feed.start();
  }

  /** New data was committed, or something else the loops should look at. */
  notify(): void {
    this.wake.notify();
    this.feed.soon(); // the count in the status line
  }

  setApiKey(key: string | null): void {
    this.opts = { ...this.opts, apiKey: key };
    this.key.clear(); // a new key is tried at once
    this.httpState = 'unknown';
    this.httpRetryAt = 0;
    this.httpBackoff.reset();
    this.wsBackoff.reset();
    this.restartConnection();
  }

  /** Point at another gateway (a new connection follows at once). */
  setGateway(wsUrl: string, http: HttpSender): void {
    this.opts = { ...this.opts, wsUrl, http };
    this.httpState = 'unknown';
    this.httpRetryAt = 0;
    this.wsUnavailable = false;
    this.lastError = null;
    this.httpBackoff.reset();
    this.wsBackoff.reset();
    this.conflict.reset();
    this.restartConnection();
  }

  setSourceId(id: string): void {
    this.opts = { ...this.opts, sourceId: id };
    this.conflict.reset();
    this.restartConnection();
  }

  /** Drop the current connection (if any) and connect again now. */
  restartConnection(): void {
    this.wsRetryAt = 0;
    this.key.tryNow();
    if (this.session) {
      this.plannedClose = true;
      this.session.close(true);
    }
    this.wsWake.notify();
    this.wake.notify();
    this.updateStatus();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.feed.stop();
    for (const t of this.timers) clearTimeout(t);
    if (this.controlTimer) clearTimeout(this.controlTimer);
    this.key.stop();
    this.session?.close(true);
    this.wake.notify();
    this.wsWake.notify();
    await Promise.race([Promise.all(this.loops), sleep(3000)]);
    this.updateStatus();
  }

  /** Queue a control-tier message (command results); sent when connected, in order. */
  sendControl(msg: Record<string, unknown>, ttlMs = 300_000): void {
    this.control.push({ msg, expiresAt: Date.now() + ttlMs });
    this.flushControl();
  }

  sendVideo(data: Buffer): 'sent' | 'backpressure' | 'rate' | 'closed' {
    if (!this.session?.open) return 'closed';
    return this.session.sendVideo(data);
  }

  // ── status ────────────────────────────────────────────────────────────────────────────

  /** Emit a status event if the state changed (at once) or its message did (throttled). */
  updateStatus(): void {
    this.feed.update();
  }

  /** Status with a fresh message (buffer counts change without a status change). */
  status(): StatusInfo {
    return statusOf({
      stopped: this.stopped,
      hasKey: this.opts.apiKey !== null,
      keyRefused: this.key.reason,
      keyRetryAt: this.key.retryAt,
      transport: this.opts.transport,
      wsState: this.wsState,
      wsOpen: this.connected,
      wsRetryAt: this.wsRetryAt,
      httpState: this.httpState,
      httpRetryAt: this.httpRetryAt,
      conflict: this.conflict.explanation(this.opts.sourceId),
      lastError: this.lastError,
      unansweredMs: this.session?.overdueMs() ?? 0,
      sourceId: this.opts.sourceId,
      buffered: this.outbox.size,
    });
  }

  private fail(err: PlexusError): void {
    this.lastError = err.message;
    this.opts.logger.warn(err.message);
    this.hooks.onError(err);
  }

  // ── WebSocket connection loop ─────────────────────────────────────────────────────────

  private async wsLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.wsStep();
      } catch (e) {
        // Same as the pump: never let one failure end the connection loop.
        if (this.session?.open) this.session.close(false);
        this.session = null;
        this.wsState = 'down';
        this.fail(new TransportError(`connection error: ${(e as Error).message}`));
        await this.wsWake.wait(1000);
      }
    }
    this.wsState = 'idle';
  }

  /** One turn of the connection loop: wait, connect, or run a session until it ends. */
  private async wsStep(): Promise<void> {
    const key = this.opts.apiKey;
    if (!key || this.opts.transport !== 'ws') {
      this.wsState = 'idle';
      await this.wsWake.wait();
      return;
    }
    if (this.key.waiting) {
      await this.wsWake.wait(this.key.retryAt - Date.now());
      return;
    }
    if (this.wsRetryAt > Date.now()) {
      await this.wsWake.wait(this.wsRetryAt - Date.now());
      return;
    }
    this.wsState = 'connecting';
    this.updateStatus();
    const sourceId = this.opts.sourceId;
    let session: WsSession;
    try {
      session = await WsSession.connect(
        {
          url: this.opts.wsUrl,
          auth: this.hooks.authMessage(sourceId, key),
          timeoutMs: this.opts.connectTimeoutMs,
          liveness: DEFAULT_LIVENESS,
          minGapMs: MIN_GAP_MS,
          keepaliveMs: KEEPALIVE_MS,
        },
        {
          onMessage: (m) => this.onSessionMessage(m),
          onStrayError: (m) => this.opts.logger.warn(`gateway error frame: ${JSON.stringify(m)}`),
          onClose: () => {
            this.wsWake.notify();
            this.wake.notify();
          },
        },
      );
    } catch (e) {
      if (this.stopped) return;
      // The key or name changed while we tried: this answer is about settings no longer in use.
      if (key !== this.opts.apiKey || sourceId !== this.opts.sourceId) return;
      this.wsState = 'down';
      this.wsUnavailable = true;
      this.conflict.connectFailed();
      if (e instanceof AuthError) {
        this.keyRefused(e);
      } else {
        this.fail(e instanceof ConfigError || e instanceof TransportError ? e : new TransportError(String(e)));
        this.wsRetryAt = Date.now() + this.wsBackoff.next();
      }
      this.wake.notify(); // the pump may fall back to HTTP now
      this.updateStatus();
      return;
    }
    if (this.stopped || key !== this.opts.apiKey || sourceId !== this.opts.sourceId) {
      session.close(true);
      return;
    }
    await this.runSession(session);
  }

  private async runSession(session: WsSession): Promise<void> {
    this.session = session;
    this.wsUnavailable = false;
    this.key.clear();
    this.lastError = null;
    this.plannedClose = false;
    this.resyncDue = false;
    this.wsState = 'open';
    this.hooks.onAuthenticated(session.reply);
    if (session.reply.sourceId !== this.opts.sourceId) {
      this.opts = { ...this.opts, sourceId: session.reply.sourceId };
      this.hooks.onSourceIdAssigned(session.reply.sourceId, 'ws');
    }
    // In a name conflict the backoff keeps growing: flapping slower leaves the other device be.
    if (!this.conflict.active) this.wsBackoff.reset();
    const heartbeat = (): void => {
      session.sendControl({
        type: 'heartbeat',
        source_id: this.opts.sourceId,
        agent_version: this.hooks.agentVersion,
        uptime_s: this.hooks.uptimeSeconds(),
      });
    };
    heartbeat();
    const hb = setInterval(heartbeat, this.opts.heartbeatIntervalMs);
    const timers: Array<ReturnType<typeof setTimeout>> = [hb];
    if (this.opts.resyncIntervalMs > 0) {
      timers.push(
        setTimeout(() => {
          // A planned reconnect re-syncs the clock; the pump finishes its batch first.
          this.resyncDue = true;
          this.wake.notify();
        }, this.opts.resyncIntervalMs),
      );
    }
    const stable = setTimeout(() => {
      if (this.conflict.stable()) {
        this.lastError = null;
        this.wsBackoff.reset();
        this.updateStatus();
      }
    }, STABLE_MS);
    timers.push(stable);
    this.timers.push(...timers);
    this.flushControl();
    this.wake.notify();
    this.updateStatus();

    const info = await session.closed;
    for (const t of timers) clearTimeout(t);
    this.timers = this.timers.filter((t) => !timers.includes(t));
    this.session = null;
    this.wsState = 'down';
    this.wake.notify();
    if (this.stopped) return;
    if (this.plannedClose) {
      this.plannedClose = false;
      this.updateStatus();
      return; // reconnect at once
    }
    this.sessionLost(info);
    this.wsRetryAt = Date.now() + this.wsBackoff.next();
    this.updateStatus();
  }

  private sessionLost(info: CloseInfo): void {
    if (this.conflict.sessionEnded(info)) {
      this.fail(new TransportError(this.conflict.explanation(this.opts.sourceId) ?? 'name conflict'));
      return;
    }
    if (this.conflict.active) return; // keep the conflict's explanation
    if (info.endedBy === 'silence') {
      this.fail(new TransportError('the gateway stopped answering (no pong to our pings); reconnecting'));
    } else if (info.code === 1013) this.lastError = 'gateway degraded (its queue is unavailable)';
    else this.lastError = `connection lost (code ${info.code})`;
  }

  private onSessionMessage(m: Record<string, unknown>): void {
    if (m.type === 'typed_command') this.hooks.onCommand(m);
    else this.opts.logger.debug(`gateway message ignored: ${String(m.type)}`);
  }

  private flushControl(): void {
    if (this.controlTimer) return;
    const s = this.session;
    while (this.control.length > 0 && s?.open) {
      const head = this.control[0]!;
      if (head.expiresAt < Date.now()) {
        this.control.shift();
        continue;
      }
      if (!s.sendControl(head.msg)) {
        this.controlTimer = setTimeout(
          () => {
            this.controlTimer = null;
            this.flushControl();
          },
          Math.max(5, s.controlBucket.waitMs()),
        );
        return;
      }
      this.control.shift();
    }
  }

  // ── the pump ──────────────────────────────────────────────────────────────────────────

  private pickTransport(): 'ws' | 'http' | null {
    if (!this.opts.apiKey || this.key.waiting) return null;
    if (this.session?.open && this.wsState === 'open') {
      if (this.resyncDue) {
        this.resyncDue = false;
        this.plannedClose = true;
        this.session.close(true);
        return null;
      }
      return 'ws';
    }
    // After a dropped session the WebSocket gets one reconnect first; HTTP takes over once a
    // connection attempt has failed (the socket is unavailable: proxy, outage, refused upgrade).
    const httpAllowed = this.opts.transport === 'http' || (this.wsState !== 'open' && this.wsUnavailable);
    if (httpAllowed && this.httpRetryAt <= Date.now()) return 'http';
    return null;
  }

  private async pumpLoop(): Promise<void> {
    while (!this.stopped) {
      const via = this.pickTransport();
      if (!via) {
        const now = Date.now();
        const due = Math.min(
          this.httpRetryAt > now ? this.httpRetryAt : Infinity,
          this.key.waiting ? this.key.retryAt : Infinity,
        );
        await this.wake.wait(Number.isFinite(due) ? due - now : undefined);
        continue;
      }
      try {
        const probe = via === 'http' && this.httpState === 'failing';
        const batch =
          this.retry.pop() ??
          (probe
            ? this.outbox.takeBatch(PROBE_POINTS, PROBE_BYTES)
            : this.outbox.takeBatch(LIMITS.pointsPerMessage, via === 'ws' ? WS_MAX_BYTES : HTTP_MAX_BYTES));
        if (!batch) {
          await this.wake.wait();
          continue;
        }
        if (via === 'ws') await this.sendWs(batch);
        else await this.sendHttp(batch);
      } catch (e) {
        // A failing disk or a bug of ours must not stop delivery for good: report, wait, go on.
        this.outbox.rewind();
        this.retry = [];
        this.fail(new TransportError(`delivery error: ${(e as Error).message}`));
        await sleep(1000);
      }
    }
  }

  private async sendWs(batch: Batch): Promise<void> {
    const session = this.session;
    if (!session) {
      this.retry.push(batch);
      return;
    }
    const frame = batch.toJson('{"type":"telemetry","points":[', ']}');
    const outcome: FrameOutcome = await session.sendFrame(frame, () => this.outbox.markWritten(batch));
    switch (outcome.kind) {
      case 'ok':
        this.confirm(batch, 'ws');
        return;
      case 'invalid':
        this.splitOrQuarantine(batch, `gateway rejected the frame: ${outcome.detail}`);
        return;
      case 'rate-limited':
        this.opts.logger.warn('gateway rate-limited a telemetry frame; slowing down');
        this.retry.push(batch);
        await sleep(250);
        return;
      case 'lost':
        this.outbox.rewind();
        this.retry = [];
        return;
    }
  }

  private lastHttpAt = 0;
  /** Short counts in a row (the gateway's per-source ceiling), for the retry delay. */
  private shortCounts = 0;

  private async sendHttp(batch: Batch): Promise<void> {
    const key = this.opts.apiKey;
    const sourceId = this.opts.sourceId;
    if (!key) return;
    // Re-checked after each sleep: a 1 ms timer may fire after a few µs (see ws-session.ts).
    const due = this.lastHttpAt + MIN_GAP_MS;
    while (performance.now() < due) await sleep(due - performance.now());
    const body = batch.toJson(`{"source_id":${JSON.stringify(sourceId)},"points":[`, ']}');
    const res = await this.opts.http.send(body, batch.count, key);
    this.lastHttpAt = performance.now();
    if (res.kind !== 'retry' || res.written) this.outbox.markWritten(batch);
    // The key or the name changed while the request was out: its answer says nothing about them.
    const stale = key !== this.opts.apiKey || sourceId !== this.opts.sourceId;
    switch (res.kind) {
      case 'ok': {
        this.httpState = 'ok';
        this.httpBackoff.reset();
        this.shortCounts = 0;
        if (!stale) this.key.clear();
        if (this.lastError && !this.connected) this.lastError = null;
        if (!stale && res.sourceId && res.sourceId !== sourceId) {
          this.opts = { ...this.opts, sourceId: res.sourceId };
          this.hooks.onSourceIdAssigned(res.sourceId, 'http');
        }
        this.confirm(batch, 'http'); // delivered, even if under settings since replaced
        this.updateStatus();
        return;
      }
      case 'short':
        // The gateway's per-source ceiling dropped the request's points: send them again, a little
        // later each time it happens in a row (it is reachable, just asking us to slow down).
        this.httpState = 'ok';
        if (!stale) this.key.clear();
        this.retry.push(batch);
        await sleep(Math.min(1000, 2 ** Math.min(10, this.shortCounts++)));
        this.updateStatus();
        return;
      case 'invalid':
        this.splitOrQuarantine(batch, `gateway answered ${res.status}: ${res.detail}`);
        return;
      case 'too-large':
        if (batch.count > 1) this.pushHalves(batch);
        else this.quarantine(batch, `gateway answered 413 for a single point: ${res.detail}`);
        return;
      case 'auth':
        this.outbox.rewind();
        this.retry = [];
        if (stale) return; // a new key came meanwhile: try that one
        this.httpState = 'unknown';
        this.keyRefused(new AuthError(`gateway refused the API key (HTTP ${res.status}: ${res.detail})`));
        return;
      case 'retry':
        this.outbox.rewind();
        this.retry = [];
        this.httpState = 'failing';
        this.httpRetryAt = Date.now() + this.httpBackoff.next();
        this.fail(new TransportError(res.detail));
        this.updateStatus();
        return;
    }
  }

  /** Neither transport sends until the key's retry is due (key-refusal.ts); everything is kept. */
  private keyRefused(err: AuthError): void {
    this.key.refused(err.message);
    this.fail(err);
    this.updateStatus();
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
