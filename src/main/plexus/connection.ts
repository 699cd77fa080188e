// The connection: which way data can go to the gateway right now.
//
// The WebSocket link dials and redials (ws-link.ts); HTTP takes over once a dial has failed, and
// since the pump makes the HTTP requests, it reports their answers here (the http*() methods).
// A refused key stops both until its retry is due (key-refusal.ts). The last problem seen is the
// status's detail until a link works again. What this knows goes out as plain values
// (snapshot()), from which status.ts says what a person reads.

import { Backoff } from '../../shared/util';
import { AuthError, TransportError, type PlexusError } from './errors';
import type { HttpSender } from './http-sender';
import { HttpLinkState } from './http-link';
import { KeyRefusal } from './key-refusal';
import type { DeliverySnapshot, KeyState } from './status';
import type { AuthReply, WsSession } from './ws-session';
import { WsLink, type Credentials } from './ws-link';
import type { Logger, ResolvedOptions } from './config';

export type { Credentials } from './ws-link';

/** Reconnect and HTTP retry: 1 s × 2ⁿ, at most 3 s, ±25 % (options may override). */
const RETRY_DEFAULTS = { baseMs: 1000, capMs: 3000, jitter: 0.25 };

/** The resolved options delivery uses (config.ts documents each), plus what the client built. */
export interface ConnectionOptions extends Pick<
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

export interface ConnectionHooks {
  /** The device_auth message for a new connection. */
  authMessage(sourceId: string, apiKey: string): Record<string, unknown>;
  onAuthenticated(reply: AuthReply): void;
  /** The gateway named us differently than we asked. */
  onSourceIdAssigned(assigned: string, via: 'ws' | 'http'): void;
  onCommand(msg: Record<string, unknown>): void;
  onError(err: PlexusError): void;
  uptimeSeconds(): number;
  agentVersion: string;
  /** Which transport the pump may use may have changed: let it look. */
  wakePump(): void;
  /** The link changed in a way a person sees. */
  changed(): void;
}

export class Connection {
  private readonly ws: WsLink;
  private readonly http: HttpLinkState;
  private readonly key: KeyRefusal;
  private lastError: string | null = null;

  constructor(
    private opts: ConnectionOptions,
    private readonly hooks: ConnectionHooks,
  ) {
    this.http = new HttpLinkState(new Backoff({ ...RETRY_DEFAULTS, ...opts.httpRetry }));
    this.key = new KeyRefusal(opts.authRetryMs, () => {
      this.ws.poke();
      this.hooks.wakePump();
      this.hooks.changed();
    });
    this.ws = new WsLink(
      { ...opts, reconnect: { ...RETRY_DEFAULTS, ...opts.reconnect }, agentVersion: hooks.agentVersion },
      {
        target: () => {
          const key = this.opts.apiKey;
          if (!key || this.opts.transport !== 'ws') return null;
          return { key, sourceId: this.opts.sourceId, url: this.opts.wsUrl };
        },
        keyWaitUntil: () => (this.key.waiting ? this.key.retryAt : 0),
        isCurrent: (sent) => this.isCurrent(sent),
        authMessage: (sourceId, apiKey) => this.hooks.authMessage(sourceId, apiKey),
        opened: (session) => this.opened(session),
        refused: (err) => this.keyRefused(err),
        fail: (err) => this.fail(err),
        setDetail: (text) => (this.lastError = text),
        currentSourceId: () => this.opts.sourceId,
        onCommand: (msg) => this.hooks.onCommand(msg),
        uptimeSeconds: () => this.hooks.uptimeSeconds(),
        wakePump: () => this.hooks.wakePump(),
        changed: () => this.hooks.changed(),
      },
    );
  }

  get apiKey(): string | null {
    return this.opts.apiKey;
  }

  get sourceId(): string {
    return this.opts.sourceId;
  }

  get httpSender(): HttpSender {
    return this.opts.http;
  }

  /** The authenticated WebSocket session, if there is one (its socket may have just closed). */
  get session(): WsSession | null {
    return this.ws.session;
  }

  get connected(): boolean {
    return this.ws.connected;
  }

  /** A clock re-sync is due: no new frame may join those in flight (pick() then closes the session). */
  get resyncWanted(): boolean {
    return this.ws.resyncWanted;
  }

  /** HTTP is failing: send small probes, not megabytes a down gateway refuses. */
  get probing(): boolean {
    return this.http.failing;
  }

  /** Whether an answer to a request made with `sent` is about the settings in use now. */
  isCurrent(sent: Credentials): boolean {
    return sent.key === this.opts.apiKey && sent.sourceId === this.opts.sourceId;
  }

  /** The link's part of the status snapshot (delivery adds the rest). */
  snapshot(now: number): Omit<DeliverySnapshot, 'closed' | 'buffered'> {
    let key: KeyState = { key: 'set' };
    if (this.opts.apiKey === null) key = { key: 'none' };
    else if (this.key.reason !== null) key = { key: 'refused', reason: this.key.reason, retryAt: this.key.retryAt };
    return {
      now,
      transport: this.opts.transport,
      key,
      ws: this.ws.value,
      http: this.http.value,
      conflict: this.ws.conflictText(this.opts.sourceId),
      lastError: this.lastError,
      sourceId: this.opts.sourceId,
    };
  }

  run(): Promise<void> {
    return this.ws.run();
  }

  stop(): void {
    this.key.stop();
    this.ws.stop();
  }

  // ── which transport ───────────────────────────────────────────────────────────────────

  /** The transport the pump may send on now; null: wait (until woken, or nextDueAt()). */
  pick(): 'ws' | 'http' | null {
    if (!this.opts.apiKey || this.key.waiting) return null;
    if (this.ws.connected) return this.ws.resyncNow() ? null : 'ws';
    // After a dropped session the WebSocket gets one reconnect first; HTTP takes over once a
    // dial has failed (the socket is unavailable: proxy, outage, refused upgrade).
    const httpAllowed = this.opts.transport === 'http' || (this.ws.session === null && this.ws.dialFailed);
    return httpAllowed && this.http.due(Date.now()) ? 'http' : null;
  }

  /** When pick() may change by time alone (an HTTP retry or the key's), if it will. */
  nextDueAt(): number {
    return Math.min(this.http.dueAt(Date.now()), this.key.waiting ? this.key.retryAt : Infinity);
  }

  // ── what the pump learnt over HTTP ────────────────────────────────────────────────────

  /** 200 with the full count. */
  httpDelivered(sent: Credentials, assigned: string | null): void {
    const current = this.isCurrent(sent);
    this.http.delivered();
    if (current) this.key.clear();
    if (this.lastError && !this.connected) this.lastError = null;
    if (current && assigned && assigned !== sent.sourceId) this.adopt(assigned, 'http');
  }

  /** 200 with a short count: reachable, just asking us to slow down. */
  httpShort(sent: Credentials): void {
    this.http.answered();
    if (this.isCurrent(sent)) this.key.clear();
  }

  /** 401/403 (an answer about a key since replaced says nothing). */
  httpRefused(sent: Credentials, status: number, detail: string): void {
    if (!this.isCurrent(sent)) return;
    this.http.forget();
    this.keyRefused(new AuthError(`gateway refused the API key (HTTP ${status}: ${detail})`));
  }

  /** Network error or 5xx: probe again after a backoff. */
  httpFailed(detail: string): void {
    this.http.failed(Date.now());
    this.fail(new TransportError(detail));
    this.hooks.changed();
  }

  /** Report a problem: it becomes the status's detail until a link works again. */
  fail(err: PlexusError): void {
    this.lastError = err.message;
    this.opts.logger.warn(err.message);
    this.hooks.onError(err);
  }

  // ── settings ──────────────────────────────────────────────────────────────────────────

  setApiKey(key: string | null): void {
    this.opts = { ...this.opts, apiKey: key };
    this.key.clear(); // a new key is tried at once
    this.http.reset();
    this.ws.forget({ backoff: true });
    this.restart();
  }

  setGateway(wsUrl: string, http: HttpSender): void {
    this.opts = { ...this.opts, wsUrl, http };
    this.http.reset();
    this.lastError = null;
    this.ws.forget({ backoff: true, conflict: true, failedDial: true });
    this.restart();
  }

  setSourceId(id: string): void {
    this.opts = { ...this.opts, sourceId: id };
    this.ws.forget({ conflict: true });
    this.restart();
  }

  /** Drop the current session (if any) and dial again now. */
  restart(): void {
    this.key.tryNow();
    this.ws.restart();
    this.hooks.wakePump();
    this.hooks.changed();
  }

  sendControl(msg: Record<string, unknown>, ttlMs: number): void {
    this.ws.sendControl(msg, ttlMs);
  }

  sendVideo(data: Buffer): 'sent' | 'backpressure' | 'rate' | 'closed' {
    return this.ws.sendVideo(data);
  }

  private opened(session: WsSession): void {
    this.key.clear();
    this.lastError = null;
    this.hooks.onAuthenticated(session.reply);
    if (session.reply.sourceId !== this.opts.sourceId) this.adopt(session.reply.sourceId, 'ws');
  }

  private adopt(assigned: string, via: 'ws' | 'http'): void {
    this.opts = { ...this.opts, sourceId: assigned };
    this.hooks.onSourceIdAssigned(assigned, via);
  }

  /** Neither transport sends until the key's retry is due (key-refusal.ts); everything is kept. */
  private keyRefused(err: AuthError): void {
    this.key.refused(err.message);
    this.fail(err);
    this.hooks.changed();
  }
}
