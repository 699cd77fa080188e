// One authenticated WebSocket session with the gateway (docs/protocol.md §2).
//
// Delivery confirmation: the gateway has no per-frame ack, but it reads messages strictly in
// order and answers a WS ping while reading. So a telemetry frame followed by a ping whose pong
// comes back with no error frame in between was processed (§8). Each frame gets its own ping, and
// pongs and error frames come back in the order of what they answer, so with several frames in
// flight an error frame arriving after the pong of frame k−1 and before the pong of frame k is
// frame k's: attribution stays exact. A pong that skips a frame's own pong breaks that order: the
// session is cut (every frame in flight then counts as lost and goes again).
//
// Spacing: the gateway silently drops a telemetry message arriving < 0.5 ms after the previous
// one. A frame waits at least `minGapMs` after the last pong and after the last frame written. A
// frame sent with nothing in flight, after the pong of its predecessor, cannot arrive sooner than
// that gap after it, however the network bunches. Whether a frame may go while others are in
// flight is the pump's rule (pump.ts: only frames large enough that the gateway's own parsing
// spaces them out).
//
// The same pings prove the link is alive (liveness.ts): a pong that is late makes the session
// report "not answering", one far too late makes it cut the connection so delivery reconnects.

import { sleep } from '../../shared/util';
import WebSocket from 'ws';
import { AuthError, ConfigError, TransportError } from './errors';
import { LIMITS } from './limits';
import { Liveness, type LivenessOptions } from './liveness';
import { TokenBucket } from './token-bucket';

export interface AuthReply {
  sourceId: string;
  serverTimeMs: number;
  sendMono: number;
  recvMono: number;
}

export type FrameOutcome =
  { kind: 'ok' } | { kind: 'invalid'; detail: string } | { kind: 'rate-limited' } | { kind: 'lost'; reason: string };

export interface SessionHooks {
  /** Any JSON message after auth that is not an answer to our frames (commands, unknown). */
  onMessage(msg: Record<string, unknown>): void;
  /** An error frame that arrived with no telemetry frame in flight. */
  onStrayError(msg: Record<string, unknown>): void;
  onClose(info: CloseInfo): void;
}

export interface CloseInfo {
  code: number;
  reason: string;
  /** How long the session had been authenticated. */
  authenticatedForMs: number;
  /**
   * Who ended it: the gateway or the network ('peer'), our close() ('us'), or our liveness check
   * because the gateway stopped answering pings ('silence').
   */
  endedBy: 'peer' | 'us' | 'silence';
}

export interface SessionOptions {
  url: string;
  auth: Record<string, unknown>;
  /** How long to wait for the TCP/TLS/upgrade handshake and then for `authenticated`. */
  timeoutMs: number;
  /** When a missing pong means "not answering", and when a dead link. */
  liveness: LivenessOptions;
  /** Minimum wait after a pong, and after a telemetry frame, before the next telemetry frame. */
  minGapMs: number;
  /** Keepalive ping interval when idle. */
  keepaliveMs: number;
}

interface InFlight {
  pingId: number;
  bytes: number;
  error: FrameOutcome | null;
  resolve: (o: FrameOutcome) => void;
}

/**
 * Video is live: a frame is dropped rather than queued behind more than about two frames' worth
 * of unsent bytes (at least 256 KiB, so small frames are not dropped for a telemetry frame).
 */
const VIDEO_QUEUE_FRAMES = 2;
const VIDEO_QUEUE_MIN_BYTES = 256 * 1024;

export class WsSession {
  /** Telemetry frames written and not yet answered, oldest first. */
  private inflight: InFlight[] = [];
  private pingSeq = 0;
  private lastPongMono = 0;
  private lastFrameMono = 0;
  private readonly liveness: Liveness;
  /** Bytes written since the last ping: what its pong waits behind. */
  private bytesSincePing = 0;
  private keepalive: ReturnType<typeof setInterval> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private endedBy: CloseInfo['endedBy'] = 'peer';
  private isClosed = false;
  private readonly authedAt = performance.now();
  private resolveClosed!: (info: CloseInfo) => void;
  /** Settles when the connection has closed, for whatever reason. */
  readonly closed = new Promise<CloseInfo>((r) => (this.resolveClosed = r));
  /** Mirrors the gateway's telemetry-tier bucket with a margin (video and telemetry share it). */
  readonly telemetryBucket = new TokenBucket(LIMITS.telemetryBucket.capacity / 2, LIMITS.telemetryBucket.perSec * 0.8);
  /** Mirrors the control tier (heartbeats, command results). */
  readonly controlBucket = new TokenBucket(LIMITS.controlBucket.capacity / 2, LIMITS.controlBucket.perSec * 0.75);

  private constructor(
    private readonly ws: WebSocket,
    readonly reply: AuthReply,
    private readonly opts: SessionOptions,
    private readonly hooks: SessionHooks,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', (data) => this.onPong(data));
    ws.on('close', (code, reason) => this.onClosed(code, reason.toString()));
    ws.on('error', () => {
      // 'close' follows; the error itself carries nothing the close does not.
    });
    this.liveness = new Liveness(opts.liveness, reply.recvMono - reply.sendMono);
    this.keepalive = setInterval(() => {
      if (this.inflight.length === 0 && this.liveness.waitingMs() === 0) this.ping();
    }, opts.keepaliveMs);
    this.keepalive.unref?.();
    this.watchdog = setInterval(() => {
      if (!this.liveness.dead() || this.isClosed) return;
      // No pong for far longer than this link takes: the gateway cannot hear us (frozen or
      // half-open path), even if the OS has not noticed. Cut it; delivery reconnects.
      this.endedBy = 'silence';
      this.ws.terminate();
    }, 250);
    this.watchdog.unref?.();
  }

  /** Open, authenticate, and resolve once `authenticated` arrived. */
  static connect(opts: SessionOptions, hooks: SessionHooks): Promise<WsSession> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let sendMono = 0;
      const ws = new WebSocket(opts.url, {
        handshakeTimeout: opts.timeoutMs,
        maxPayload: 16 * 1024 * 1024,
        perMessageDeflate: false,
      });
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => {});
        try {
          ws.terminate();
        } catch {
          // not open yet
        }
        reject(err);
      };
      const timer = setTimeout(
        () => fail(new TransportError(`no answer from ${opts.url} within ${opts.timeoutMs} ms`)),
        opts.timeoutMs,
      );
      ws.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        const why = status === 503 ? 'gateway degraded' : 'upgrade refused';
        fail(new TransportError(`WebSocket ${why}: HTTP ${status} from ${opts.url}`));
      });
      ws.on('error', (e) => fail(new TransportError(`cannot reach ${opts.url}: ${e.message}`)));
      ws.on('close', (code, reason) => {
        const r = reason.toString();
        fail(new TransportError(`connection closed before authentication (code ${code}${r ? `, ${r}` : ''})`));
      });
      ws.on('open', () => {
        sendMono = performance.now();
        ws.send(JSON.stringify(opts.auth));
      });
      ws.once('message', (data, isBinary) => {
        const recvMono = performance.now();
        let msg: Record<string, unknown> | null = null;
        if (!isBinary) {
          try {
            const parsed: unknown = JSON.parse(data.toString());
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) msg = parsed as Record<string, unknown>;
          } catch {
            // handled below
          }
        }
        if (msg?.type === 'authenticated' && typeof msg.server_time_ms === 'number') {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          ws.removeAllListeners();
          const sourceId =
            typeof msg.source_id === 'string' && msg.source_id ? msg.source_id : String(opts.auth.source_id);
          resolve(new WsSession(ws, { sourceId, serverTimeMs: msg.server_time_ms, sendMono, recvMono }, opts, hooks));
          return;
        }
        const message = typeof msg?.message === 'string' ? msg.message : '';
        if (/api key/i.test(message)) fail(new AuthError(`gateway refused the API key: ${message}`));
        else if (/device_auth/.test(message)) {
          fail(new ConfigError(`gateway refused the device_auth message: ${message} (is the source id valid?)`));
        } else
          fail(new TransportError(`unexpected first reply from gateway: ${message || data.toString().slice(0, 200)}`));
      });
    });
  }

  get open(): boolean {
    return !this.isClosed && this.ws.readyState === WebSocket.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Telemetry frames written and not yet answered. */
  get inFlight(): number {
    return this.inflight.length;
  }

  /**
   * Send one telemetry frame and its ping, once the spacing and the token bucket allow; resolves
   * when it was written, with `outcome`, which settles once the gateway is known to have processed
   * it (or not). Calls must not overlap (one writer); frames may be in flight meanwhile.
   */
  async sendFrame(frame: Buffer, onWritten?: () => void): Promise<{ outcome: Promise<FrameOutcome> }> {
    // Re-checked after each sleep: a timer of 1 ms can fire a few µs after it was set (Node counts
    // it from the loop's cached whole-ms time), and a frame the gateway reads < 0.5 ms after the
    // previous one is dropped with no reply, though its pong still comes: a silent loss.
    for (let gap = this.gapLeft(); gap > 0; gap = this.gapLeft()) await sleep(gap);
    for (let wait = this.telemetryBucket.waitMs(); wait > 0; wait = this.telemetryBucket.waitMs()) await sleep(wait);
    if (!this.open) return { outcome: Promise.resolve({ kind: 'lost', reason: 'connection closed' }) };
    this.telemetryBucket.tryTake();
    const outcome = new Promise<FrameOutcome>((resolve) => {
      const pingId = this.nextPingId();
      this.inflight.push({ pingId, bytes: frame.length, error: null, resolve });
      this.ws.send(frame, { binary: false });
      this.lastFrameMono = performance.now();
      this.bytesSincePing += frame.length;
      onWritten?.();
      this.ping(pingId);
    });
    return { outcome };
  }

  /** Send a control-tier JSON message (heartbeat, command_result); false if not sent. */
  sendControl(msg: Record<string, unknown>): boolean {
    if (!this.open || !this.controlBucket.tryTake()) return false;
    const text = JSON.stringify(msg);
    this.ws.send(text);
    this.bytesSincePing += text.length;
    return true;
  }

  /** Send a binary video message; false (and nothing queued) under backpressure or rate limit. */
  sendVideo(data: Buffer): 'sent' | 'backpressure' | 'rate' | 'closed' {
    if (!this.open) return 'closed';
    if (this.ws.bufferedAmount > Math.max(VIDEO_QUEUE_FRAMES * data.length, VIDEO_QUEUE_MIN_BYTES))
      return 'backpressure';
    // Telemetry frames wait for tokens; video never waits (it is live) and leaves a reserve.
    if (this.telemetryBucket.waitMs() > 0 || !this.telemetryBucket.tryTake()) return 'rate';
    this.ws.send(data, { binary: true });
    this.bytesSincePing += data.length;
    return 'sent';
  }

  /**
   * How long the gateway has not answered a ping it should have answered by now (ms), for the
   * status line; 0 while answers come as this link usually gives them.
   */
  overdueMs(): number {
    return this.open ? this.liveness.overdueMs() : 0;
  }

  /** Close the session; `planned` closes say goodbye (1000), others just cut. */
  close(planned = true): void {
    if (this.isClosed) return;
    this.endedBy = 'us';
    try {
      if (planned) this.ws.close(1000, 'client closing');
      else this.ws.terminate();
    } catch {
      // already gone
    }
    // A peer that never answers the close handshake must not keep us waiting.
    setTimeout(() => this.ws.terminate(), 2000).unref?.();
  }

  /** ms until the next telemetry frame may go (minGapMs after the last pong and the last frame). */
  private gapLeft(): number {
    return Math.max(this.lastPongMono, this.lastFrameMono) + this.opts.minGapMs - performance.now();
  }

  private nextPingId(): number {
    this.pingSeq = (this.pingSeq + 1) % 0x7fffffff;
    return this.pingSeq;
  }

  private ping(id = this.nextPingId()): void {
    if (!this.open) return;
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id);
    this.ws.ping(buf);
    // Its pong waits behind every frame still unanswered, not only the bytes since the last ping.
    let ahead = this.bytesSincePing;
    for (const f of this.inflight) if (f.pingId !== id) ahead += f.bytes;
    this.liveness.sent(id, ahead);
    this.bytesSincePing = 0;
  }

  private onPong(data: Buffer): void {
    if (data.length !== 4) return;
    const id = data.readUInt32BE(0);
    this.lastPongMono = performance.now();
    this.liveness.answered(id);
    const idx = this.inflight.findIndex((f) => f.pingId === id);
    if (idx < 0) return; // a keepalive's pong
    if (idx > 0) {
      // The pongs of earlier frames did not come first: the order that attributes error frames
      // and confirms frames is broken, so nothing in flight can be trusted. Cut; all go again.
      this.endedBy = 'silence';
      this.ws.terminate();
      return;
    }
    const f = this.inflight.shift()!;
    f.resolve(f.error ?? { kind: 'ok' });
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) return;
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return;
    const m = msg as Record<string, unknown>;
    if (m.type === 'error') {
      // The oldest frame not answered yet: its pong has not come, every earlier one's has.
      const f = this.inflight[0];
      const code = typeof m.code === 'string' ? m.code : '';
      if (f && !f.error) {
        if (code === 'RATE_LIMITED') f.error = { kind: 'rate-limited' };
        else if (code === 'INVALID_MESSAGE' || code === 'INVALID_JSON') {
          f.error = { kind: 'invalid', detail: `${code}${typeof m.detail === 'string' ? `: ${m.detail}` : ''}` };
        } else
          f.error = {
            kind: 'lost',
            reason: `${code || 'error'}${typeof m.detail === 'string' ? `: ${m.detail}` : ''}`,
          };
        return;
      }
      this.hooks.onStrayError(m);
      return;
    }
    this.hooks.onMessage(m);
  }

  private onClosed(code: number, reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.keepalive) clearInterval(this.keepalive);
    if (this.watchdog) clearInterval(this.watchdog);
    const lost = this.inflight;
    this.inflight = [];
    for (const f of lost)
      f.resolve({ kind: 'lost', reason: `connection closed (code ${code}${reason ? `, ${reason}` : ''})` });
    const info = { code, reason, authenticatedForMs: performance.now() - this.authedAt, endedBy: this.endedBy };
    this.resolveClosed(info);
    this.hooks.onClose(info);
  }
}
