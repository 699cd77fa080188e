// TestGateway: a faithful fake of the Plexus gateway (plexus-oss/plexus, folder gateway/) on a real
// loopback port, for client tests and benches. Rules: docs/protocol.md.
//
//   GET  /ws/device  device WebSocket (gateway-session.ts)
//   POST /ingest     HTTP telemetry (gateway-ingest.ts)
//   GET  /health     200, or 503 while "Redis is down"
//
// Test controls: clock skew, injected one-way latency, forced /ingest status, Redis outage,
// down()/up() on the same port (process death and restart), commands to devices, eviction,
// network cuts, frozen links, and keys that change on the platform (cached like the real one).

import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DeviceSession, type SessionHub } from './gateway-session';
import { type KeyInfo, type RawBody, handleIngest, readBody } from './gateway-ingest';
import {
  type AcceptedPoint,
  type AuthRecord,
  type ConnectionRecord,
  type Counters,
  type GatewayEvent,
  type HttpRequestRecord,
  type PointReceipt,
  type ReceiptLog,
  type RecordedMessage,
  type VideoFrameRecord,
  Recorder,
  hrNow,
} from './gateway-records';
import { goJson } from './gateway-validate';
import { KeyChecker, type KeyCheckOptions, type KeyCheckRecord, type KeyTable } from './gateway-keys';
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

export interface GatewayOptions {
  /** 0 (default) = a free port on 127.0.0.1. */
  port?: number;
  /** 'any' (default) = dev mode: every key is valid, org "dev", full access. */
  apiKeys?: KeyTable;
  /** Key cache and check limit (default: valid 60 s, invalid 10 s, 30 checks/min), as the real gateway. */
  keyChecks?: KeyCheckOptions;
  authTimeoutMs?: number; // default 10_000
  pingIntervalMs?: number; // default 30_000
  maxMessageBytes?: number; // default 1_048_576
  maxPointsPerMessage?: number; // default 10_000 (WS message and HTTP request)
  telemetryBucket?: { capacity: number; perSec: number }; // default 2000 / 500
  controlBucket?: { capacity: number; perSec: number }; // default 60 / 20
  sourceMinIntervalMs?: number; // default 0.5
  /** Legacy gateways: a duplicate name gets name_2, name_3… instead of evicting. Default false. */
  suffixDuplicates?: boolean;
  /** 'full' (default) keeps everything; 'count' is for benches (see gateway-records.ts). */
  record?: 'full' | 'count';
  /** In 'count' mode, points with these metric names are still kept in `points`. */
  sampleMetrics?: string[];
  /** Keep the typed-array receipt log of every accepted point. Default true. */
  receipts?: boolean;
  /** Called for every accepted point, in both modes (cheap, synchronous). */
  onPoint?: (p: PointReceipt) => void;
  /**
   * One-way delay in ms added to each direction from the start (what setLatency() sets later):
   * every inbound and outbound WS message and every HTTP request and reply waits this long, so
   * a round trip (a frame's ping → pong, an /ingest request → its answer) takes 2 × latencyMs
   * more. The limits are still checked when a message is processed, after the delay. Default 0.
   */
  latencyMs?: number;
}

export class TestGateway {
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;

  private readonly rec: Recorder;
  private readonly opts: Required<Omit<GatewayOptions, 'onPoint' | 'sampleMetrics' | 'keyChecks' | 'latencyMs'>>;
  private readonly keys: KeyChecker;
  /** Sessions whose link is frozen (freeze()), until thawed or gone. */
  private readonly frozen = new Set<DeviceSession>();
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Duplex>();
  private readonly sessions = new Set<DeviceSession>();
  /** org -> source name -> registered session (hub.deviceConns). */
  private readonly registry = new Map<string, Map<string, DeviceSession>>();
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

  private constructor(opts: GatewayOptions, server: http.Server, port: number) {
    this.opts = {
      port,
      apiKeys: opts.apiKeys ?? 'any',
      authTimeoutMs: opts.authTimeoutMs ?? 10_000,
      pingIntervalMs: opts.pingIntervalMs ?? 30_000,
      maxMessageBytes: opts.maxMessageBytes ?? 1_048_576,
      maxPointsPerMessage: opts.maxPointsPerMessage ?? 10_000,
      telemetryBucket: opts.telemetryBucket ?? { capacity: 2000, perSec: 500 },
      controlBucket: opts.controlBucket ?? { capacity: 60, perSec: 20 },
      sourceMinIntervalMs: opts.sourceMinIntervalMs ?? 0.5,
      suffixDuplicates: opts.suffixDuplicates ?? false,
      record: opts.record ?? 'full',
      receipts: opts.receipts ?? true,
    };
    this.keys = new KeyChecker(this.opts.apiKeys, opts.keyChecks);
    this.rec = new Recorder(this.opts.record, new Set(opts.sampleMetrics ?? []), this.opts.receipts, opts.onPoint);
    this.sourceLimit = new SourceRateLimiter(this.opts.sourceMinIntervalMs);
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
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('request', (req, res) => this.onRequest(req, res));
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
    const out: string[] = [];
    for (const m of this.registry.values()) out.push(...m.keys());
    return out;
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
    const s = this.findSession(sourceId);
    const id = cmd.id ?? globalThis.crypto.randomUUID();
    s.sendText(goJson({ type: 'typed_command', id, command: cmd.command, params: cmd.params ?? {} }));
    return id;
  }

  sendRaw(sourceId: string, text: string): void {
    this.findSession(sourceId).sendText(text);
  }

  evict(sourceId: string): void {
    this.findSession(sourceId).evict();
  }

  /** A network cut: the device's TCP connection dies with no close frame (it sees 1006). Not an eviction. */
  cut(sourceId: string): void {
    this.findSession(sourceId).kill();
  }

  /**
   * The device's link freezes (a stalled or half-open network path): nothing it sends is read and
   * nothing is written to it, pings included, but the connection stays open. thaw() delivers what
   * was held, in order; a connection closed while frozen loses it, as a dead link does.
   */
  freeze(sourceId: string): void {
    const s = this.findSession(sourceId);
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
      assignName: (org, sid) => {
        const taken = this.registry.get(org);
        if (!o.suffixDuplicates || !taken?.has(sid)) return sid;
        let n = 2;
        while (taken.has(`${sid}_${n}`)) n++;
        return `${sid}_${n}`;
      },
      register: (s) => {
        let m = this.registry.get(s.org);
        if (!m) this.registry.set(s.org, (m = new Map()));
        const old = m.get(s.sourceId);
        m.set(s.sourceId, s);
        if (old && old !== s) old.evict();
      },
      unregister: (s) => {
        const m = this.registry.get(s.org);
        if (m?.get(s.sourceId) !== s) return; // already superseded by a newer connection
        m.delete(s.sourceId);
        this.sourceLimit.forget(s.org, s.sourceId);
      },
      sourceAllow: (org, sid) => this.sourceLimit.allow(org, sid),
      sessionGone: (s) => {
        this.sessions.delete(s);
        this.frozen.delete(s);
      },
    };
  }

  private verifyKey(key: string): KeyInfo | null {
    return this.keys.verify(key);
  }

  private findSession(sourceId: string): DeviceSession {
    for (const m of this.registry.values()) {
      const s = m.get(sourceId);
      if (s) return s;
    }
    throw new Error(`test gateway: source ${JSON.stringify(sourceId)} is not connected`);
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

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/ingest') {
      if (req.method === 'POST')
        this.onIngest(req, res).catch((e: unknown) => {
          // a bug in the test gateway must fail the request loudly, not hang it
          if (!res.headersSent) res.writeHead(500);
          res.end(String(e));
        });
      else if (req.method === 'OPTIONS') {
        setCors(res);
        this.later(() => res.writeHead(204).end());
      } else this.later(() => res.writeHead(405, { Allow: 'OPTIONS, POST' }).end('Method Not Allowed\n'));
      return;
    }
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      this.later(() => this.later(() => this.onHealth(res)));
      return;
    }
    if (path === '/ws/device' && req.method === 'GET') {
      // Plain GET without Upgrade: the Redis check comes first, then the WS handshake fails.
      this.later(() => {
        if (this.redisIsDown) res.writeHead(503, TEXT).end('gateway degraded: redis unavailable\n');
        else res.writeHead(426, TEXT).end('WebSocket protocol violation: Connection header does not contain Upgrade\n');
      });
      return;
    }
    this.later(() => res.writeHead(404, TEXT).end('404 page not found\n'));
  }

  private onHealth(res: http.ServerResponse): void {
    const down = this.redisIsDown;
    const body = {
      browsers: 0,
      devices: this.connectedSources().length,
      redis: down ? 'error: redis unavailable (test gateway)' : 'connected',
      status: down ? 'degraded' : 'ok',
      uptime_s: Math.floor((Date.now() - this.startedAt) / 1000),
    };
    res.writeHead(down ? 503 : 200, { 'Content-Type': 'application/json' }).end(`${goJson(body)}\n`);
  }

  private async onIngest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const gen = this.generation;
    let raw: RawBody;
    try {
      raw = await readBody(req);
    } catch {
      return; // client went away
    }
    const respond = (status: number, body: string): void =>
      this.later(() => {
        if (res.destroyed) return;
        setCors(res);
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
      });
    // The request arrives after the latency; it is then processed at once.
    this.later(() => {
      if (gen !== this.generation) return;
      const at = hrNow();
      if (this.forced) {
        const f = this.forced;
        this.rec.httpRequests.push({
          status: f.status,
          points: 0,
          requestedPoints: countRequested(raw),
          gzip: raw.gzip,
          forced: true,
          at,
        });
        respond(f.status, `${JSON.stringify(f.body)}\n`);
        return;
      }
      const apiKey = req.headers['x-api-key'];
      const r = handleIngest(typeof apiKey === 'string' ? apiKey : apiKey?.[0], raw, {
        redisDown: this.redisIsDown,
        maxPoints: this.opts.maxPointsPerMessage,
        verifyKey: (k) => this.verifyKey(k),
        sourceAllow: (org, sid) => this.sourceLimit.allow(org, sid),
      });
      let count = 0;
      for (const g of r.accepted) {
        this.rec.acceptPoints('http', g.org, g.sourceId, g.points);
        count += g.points.length;
      }
      if (r.sourceLimitedPoints > 0) this.rec.drop('http_source_limited', r.sourceLimitedPoints);
      this.rec.httpRequests.push({
        status: r.status,
        points: count,
        requestedPoints: r.requestedPoints,
        gzip: raw.gzip,
        forced: false,
        at,
      });
      respond(r.status, r.body);
    });
  }
}

/** Points a request asked to ingest (best effort; 0 when the body is unreadable). Lets tests see splits under a forced status. */
function countRequested(raw: RawBody): number {
  try {
    const text = (raw.gzip ? gunzipSync(raw.body) : raw.body).toString('utf8');
    const parsed = JSON.parse(text) as { points?: unknown };
    return Array.isArray(parsed.points) ? parsed.points.length : 0;
  } catch {
    return 0;
  }
}

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' };

function setCors(res: http.ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Content-Type, x-api-key');
  res.setHeader('Access-Control-Max-Age', '86400');
}

/** An HTTP answer written straight on an upgrade socket, which is then closed. */
function rawHttpReply(socket: Duplex, status: number, text: string, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
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
