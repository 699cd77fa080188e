// TestGateway: a faithful fake of the Plexus gateway (plexus-oss/plexus, folder gateway/) on a real
// loopback port, for client tests and benches. Rules: docs/protocol.md.
//
//   GET  /ws/device  device WebSocket (gateway-session.ts)
//   POST /ingest     HTTP telemetry (gateway-http.ts, gateway-ingest.ts)
//   GET  /health     200, or 503 while "Redis is down" (gateway-http.ts)
//
// Options and their defaults: gateway-options.ts. A connection's messages: gateway-messages.ts.
//
// Test controls: clock skew, injected one-way latency, forced /ingest status, Redis outage,
// down()/up() on the same port (process death and restart), commands to devices, eviction,
// network cuts, frozen links, and keys that change on the platform (cached like the real one).

import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DeviceSession, type SessionHub } from './gateway-session';
import type { KeyInfo } from './gateway-ingest';
import { type HttpFront, onHttpRequest, rawHttpReply } from './gateway-http';
import { type GatewayOptions, type ResolvedOptions, resolveOptions } from './gateway-options';
import { SessionRegistry } from './gateway-registry';
import {
  type AcceptedPoint,
  type AuthRecord,
  type ConnectionRecord,
  type Counters,
  type GatewayEvent,
  type HttpRequestRecord,
  type ReceiptLog,
  type RecordedMessage,
  type VideoFrameRecord,
  Recorder,
} from './gateway-records';
import { goJson } from './gateway-validate';
import { KeyChecker, type KeyCheckRecord, type KeyTable } from './gateway-keys';
import { SourceRateLimiter } from './token-bucket';

export type {
  AcceptedPoint,
  AuthRecord,
  ConnectionRecord,
  Counters,
  HttpRequestRecord,
  PointReceipt,
  ReceiptBatch,
  RecordedMessage,
  VideoFrameRecord,
} from './gateway-records';
export { encodeVideoFrame } from './gateway-video';
export type { KeyCheckRecord } from './gateway-keys';
export type { GatewayOptions } from './gateway-options';

export class TestGateway {
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;

  private readonly rec: Recorder;
  private readonly opts: ResolvedOptions;
  private readonly keys: KeyChecker;
  /** Sessions whose link is frozen (freeze()), until thawed or gone. */
  private readonly frozen = new Set<DeviceSession>();
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Duplex>();
  private readonly sessions = new Set<DeviceSession>();
  private readonly registry: SessionRegistry;
  private readonly sourceLimit: SourceRateLimiter;
  private skewMs = 0;
  private latencyMs = 0;
  private redisIsDown = false;
  private forced: { status: number; body: unknown } | null = null;
  /** Bumped by down(): work scheduled by the "previous process" is abandoned. */
  private generation = 0;
  private listening = false;
  private closed = false;
  private readonly startedAt = Date.now();
  private readonly hub: SessionHub;
  private readonly front: HttpFront;

  private constructor(opts: GatewayOptions, server: http.Server, port: number) {
    this.opts = resolveOptions(opts, port);
    this.keys = new KeyChecker(this.opts.apiKeys, opts.keyChecks);
    this.rec = new Recorder(this.opts.record, new Set(opts.sampleMetrics ?? []), this.opts.receipts, opts.onPoint);
    this.sourceLimit = new SourceRateLimiter(this.opts.sourceMinIntervalMs);
    this.registry = new SessionRegistry(this.opts.suffixDuplicates, (org, sid) => this.sourceLimit.forget(org, sid));
    this.setLatency(opts.latencyMs ?? 0);
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}/ws/device`;
    this.server = server;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.opts.maxMessageBytes, // larger message: close 1009, like SetReadLimit
      autoPong: false, // pings are answered by the ordered read loop (gateway-session.ts)
      skipUTF8Validation: true, // Go's reader does not check UTF-8 either
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.hub = this.makeHub();
    this.front = this.makeFront();
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('request', (req, res) => onHttpRequest(this.front, req, res));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  static async start(opts: GatewayOptions = {}): Promise<TestGateway> {
    const server = http.createServer({ keepAliveTimeout: 5_000 });
    await listen(server, opts.port ?? 0);
    const addr = server.address();
    if (!addr || typeof addr === 'string') throw new Error('test gateway: no port');
    const gw = new TestGateway(opts, server, addr.port);
    gw.listening = true;
    return gw;
  }

  // ---------------------------------------------------------------------------------- records

  get points(): AcceptedPoint[] {
    return this.rec.points;
  }
  get messages(): RecordedMessage[] {
    return this.rec.messages;
  }
  get videoFrames(): VideoFrameRecord[] {
    return this.rec.videoFrames;
  }
  get heartbeats(): Array<{ sourceId: string; uptime_s: unknown; receivedAt: number }> {
    return this.rec.heartbeats;
  }
  get commandResults(): Array<{ sourceId: string; msg: Record<string, unknown> }> {
    return this.rec.commandResults;
  }
  get deviceErrors(): Array<{ sourceId: string; msg: Record<string, unknown> }> {
    return this.rec.deviceErrors;
  }
  get auths(): AuthRecord[] {
    return this.rec.auths;
  }
  get httpRequests(): HttpRequestRecord[] {
    return this.rec.httpRequests;
  }
  get connections(): ConnectionRecord[] {
    return this.rec.connections;
  }
  /** Every API key verification (WS auth and /ingest), cached or not; empty in dev mode. */
  get keyChecks(): KeyCheckRecord[] {
    return this.keys.records;
  }
  get counters(): Counters {
    return this.rec.counters;
  }
  /** Typed-array log of every accepted point (null with `receipts: false`). */
  get receipts(): ReceiptLog | null {
    return this.rec.receipts;
  }
  /** Exceptions thrown inside the fake (should stay empty). */
  get internalErrors(): unknown[] {
    return this.rec.internalErrors;
  }

  connectedSources(): string[] {
    return this.registry.sources();
  }

  /** Live hooks, called synchronously as records are made. Returns the unsubscribe function. */
  on(event: 'point', fn: (p: AcceptedPoint) => void): () => void;
  on(event: 'command_result', fn: (x: { sourceId: string; msg: Record<string, unknown> }) => void): () => void;
  on(event: 'connection', fn: (c: ConnectionRecord) => void): () => void;
  on(event: 'video', fn: (v: VideoFrameRecord) => void): () => void;
  on(event: GatewayEvent, fn: (x: never) => void): () => void {
    return this.rec.on(event, fn as (x: unknown) => void);
  }

  async waitFor(pred: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    const end = performance.now() + timeoutMs;
    while (!pred()) {
      if (performance.now() > end) throw new Error(`test gateway: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  // --------------------------------------------------------------------------------- controls

  /** Gateway wall clock: Date.now() + skew. */
  now(): number {
    return Date.now() + this.skewMs;
  }

  setClockSkew(ms: number): void {
    this.skewMs = ms;
  }

  /**
   * One-way delay added to every inbound and outbound WS message (order kept) and to HTTP, so a
   * round trip takes twice it.
   */
  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** /ingest answers `status` with `body` (JSON) and records nothing, until called with null. */
  forceHttpStatus(status: number | null, body?: unknown): void {
    this.forced = status === null ? null : { status, body: body ?? { error: `forced status ${status}` } };
  }

  /** Redis circuit open: upgrades and /ingest get 503, WS telemetry gets REDIS_UNAVAILABLE + 1013. */
  setRedisDown(down: boolean): void {
    this.redisIsDown = down;
  }

  sendCommand(sourceId: string, cmd: { id?: string; command: string; params?: Record<string, unknown> }): string {
    const s = this.registry.find(sourceId);
    const id = cmd.id ?? globalThis.crypto.randomUUID();
    s.sendText(goJson({ type: 'typed_command', id, command: cmd.command, params: cmd.params ?? {} }));
    return id;
  }

  sendRaw(sourceId: string, text: string): void {
    this.registry.find(sourceId).sendText(text);
  }

  evict(sourceId: string): void {
    this.registry.find(sourceId).evict();
  }

  /** A network cut: the device's TCP connection dies with no close frame (it sees 1006). Not an eviction. */
  cut(sourceId: string): void {
    this.registry.find(sourceId).kill();
  }

  /**
   * The device's link freezes (a stalled or half-open network path): nothing it sends is read and
   * nothing is written to it, pings included, but the connection stays open. thaw() delivers what
   * was held, in order; a connection closed while frozen loses it, as a dead link does.
   */
  freeze(sourceId: string): void {
    const s = this.registry.find(sourceId);
    s.setFrozen(true);
    this.frozen.add(s);
  }

  /** Ends the freeze of the source's frozen connections (all sources when none is named). */
  thaw(sourceId?: string): void {
    for (const s of [...this.frozen]) {
      if (sourceId !== undefined && s.sourceId !== sourceId) continue;
      this.frozen.delete(s);
      s.setFrozen(false);
    }
  }

  /** The platform's keys change (created, revoked). Answers already cached stay until they expire. */
  setApiKeys(keys: KeyTable): void {
    this.keys.setTable(keys);
  }

  /** Like the process dying: stop listening, cut every socket, forget all in-memory state. */
  async down(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    this.generation++;
    for (const s of this.sessions) s.kill();
    this.sessions.clear();
    this.frozen.clear();
    this.keys.forget();
    this.registry.clear();
    this.sourceLimit.clear();
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Listen again on the same port (a restarted gateway). */
  async up(): Promise<void> {
    if (this.closed) throw new Error('test gateway: closed');
    if (this.listening) return;
    await listen(this.server, this.port);
    this.listening = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.down();
    this.closed = true;
    this.wss.close();
  }

  // ------------------------------------------------------------------------------- internals

  private makeHub(): SessionHub {
    const o = this.opts;
    return {
      rec: this.rec,
      authTimeoutMs: o.authTimeoutMs,
      pingIntervalMs: o.pingIntervalMs,
      maxPoints: o.maxPointsPerMessage,
      telemetryBucket: o.telemetryBucket,
      controlBucket: o.controlBucket,
      latency: () => this.latencyMs,
      now: () => this.now(),
      redisDown: () => this.redisIsDown,
      verifyKey: (k) => this.verifyKey(k),
      assignName: (org, sid) => this.registry.assignName(org, sid),
      register: (s) => this.registry.register(s),
      unregister: (s) => this.registry.unregister(s),
      sourceAllow: (org, sid) => this.sourceLimit.allow(org, sid),
      sessionGone: (s) => {
        this.sessions.delete(s);
        this.frozen.delete(s);
      },
    };
  }

  private makeFront(): HttpFront {
    return {
      rec: this.rec,
      maxPoints: this.opts.maxPointsPerMessage,
      redisDown: () => this.redisIsDown,
      verifyKey: (k) => this.verifyKey(k),
      sourceAllow: (org, sid) => this.sourceLimit.allow(org, sid),
      generation: () => this.generation,
      later: (fn) => this.later(fn),
      forced: () => this.forced,
      devices: () => this.connectedSources().length,
      startedAt: this.startedAt,
    };
  }

  private verifyKey(key: string): KeyInfo | null {
    return this.keys.verify(key);
  }

  /** Runs fn after the injected latency, unless the gateway went down meanwhile. */
  private later(fn: () => void): void {
    const gen = this.generation;
    const run = (): void => {
      if (gen === this.generation) fn();
    };
    if (this.latencyMs > 0) setTimeout(run, this.latencyMs);
    else run();
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws/device' || req.method !== 'GET') {
      rawHttpReply(socket, 404, 'Not Found', '404 page not found\n');
      return;
    }
    // The request travels to us, and our 101 travels back: both legs before the device may talk.
    this.later(() =>
      this.later(() => {
        if (socket.destroyed) return;
        if (this.redisIsDown) {
          rawHttpReply(socket, 503, 'Service Unavailable', 'gateway degraded: redis unavailable\n');
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
          this.sessions.add(new DeviceSession(this.hub, ws));
        });
      }),
    );
  }
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}
