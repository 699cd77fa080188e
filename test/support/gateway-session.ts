// One device WebSocket connection of the fake gateway: the auth step and the read loop of
// gateway/device.go. What the loop does with each message once authenticated is
// gateway-messages.ts.
//
// The real read loop is strictly sequential: one message is fully handled (parsed, validated, rate
// limited, queued) before the next is read, and WS pings are answered by the same reader. A pong
// therefore proves that every message sent before the ping was processed, which is how our client
// confirms delivery. Here every inbound event (message, ping, pong, end of stream) goes through one
// ordered DelayQueue and the pong is written from it; `ws` must run with autoPong: false.

import WebSocket from 'ws';
import { DelayQueue } from './delay-queue';
import { type ConnectionRecord, type Recorder, hrNow } from './gateway-records';
import { type KeyInfo, hasScope } from './gateway-ingest';
import { type OpenConnection, onBinaryMessage, onTextMessage } from './gateway-messages';
import { type Obj, goJson, isObj, parseGoJson, validateMessage } from './gateway-validate';
import { TokenBucket } from './token-bucket';

/** What a session needs from the gateway (the Go hub plus config). */
export interface SessionHub {
  readonly rec: Recorder;
  readonly authTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly maxPoints: number;
  readonly telemetryBucket: { capacity: number; perSec: number };
  readonly controlBucket: { capacity: number; perSec: number };
  latency(): number;
  /** Gateway wall clock in ms (Date.now() + skew). */
  now(): number;
  redisDown(): boolean;
  verifyKey(key: string): KeyInfo | null;
  /** The name this connection gets: the requested one, or name_N in legacy suffix mode. */
  assignName(org: string, sourceId: string): string;
  /** Registers the authenticated session, evicting an older one with the same (org, name). */
  register(s: DeviceSession): void;
  /** Unregisters it if it is still the registered one (then forgets its source-limit entry). */
  unregister(s: DeviceSession): void;
  sourceAllow(org: string, sourceId: string): boolean;
  sessionGone(s: DeviceSession): void;
}

type State = 'auth' | 'open' | 'stopped';

export class DeviceSession {
  org = '';
  sourceId = '';
  /** This connection's entry in rec.connections (set once authenticated). */
  record: ConnectionRecord | null = null;
  private state: State = 'auth';
  private readonly inbound: DelayQueue;
  private readonly outbound: DelayQueue;
  /** The connection as its messages see it, once authenticated. */
  private conn: OpenConnection | null = null;
  private authTimer: NodeJS.Timeout | null;
  private pingTimer: NodeJS.Timeout | null = null;
  private finished = false;
  private closeCode: number | undefined;
  /** While the link is frozen: what arrived (unread) and what we would have written, in order. */
  private heldIn: Array<() => void> | null = null;
  private heldOut: Array<() => void> | null = null;

  constructor(
    private readonly hub: SessionHub,
    private readonly ws: WebSocket,
  ) {
    const onError = (err: unknown): void => {
      hub.rec.internalErrors.push(err);
      console.error('[test gateway] internal error', err);
    };
    this.inbound = new DelayQueue(() => hub.latency(), onError);
    this.outbound = new DelayQueue(() => hub.latency(), onError);
    // Once the gateway stops reading (auth failed, evicted, closing) nothing more is handled.
    ws.on('message', (data: Buffer, isBinary: boolean) =>
      this.arrive(() => {
        if (this.state !== 'stopped') this.inbound.push(() => this.onMessage(data, isBinary));
      }),
    );
    ws.on('ping', (data: Buffer) =>
      this.arrive(() => {
        if (this.state !== 'stopped')
          this.inbound.push(() => this.state !== 'stopped' && this.write(() => this.ws.pong(data)));
      }),
    );
    ws.on('pong', () =>
      this.arrive(() => {
        if (this.state !== 'stopped') this.inbound.push(() => this.record && this.record.pongsReceived++);
      }),
    );
    ws.on('error', () => {}); // a reset socket is a normal event here; 'close' follows
    ws.on('close', (code: number) => this.onSocketClosed(code));
    // handleDeviceAuth reads the first message with a timeout; no message in time -> close 1008.
    this.authTimer = setTimeout(() => {
      this.authTimer = null;
      this.hub.rec.auths.push({ msg: {}, outcome: 'timeout', at: hrNow() });
      this.stopReading();
      this.write(() => this.ws.close(1008, 'read timed out'));
    }, hub.authTimeoutMs);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Sends a text frame to the device after the injected latency, in order. */
  sendText(text: string): void {
    this.write(() => this.ws.send(text));
  }

  /** Cut the TCP connection, no close frame (hub.RegisterDevice's CloseNow): the device sees 1006. */
  evict(): void {
    if (this.record) this.record.evicted = true;
    this.kill();
  }

  /** Freeze or thaw the link (TestGateway.freeze): thawing delivers what was held, in order. */
  setFrozen(frozen: boolean): void {
    if (frozen) {
      this.heldIn ??= [];
      this.heldOut ??= [];
      return;
    }
    // What we held back goes out before anything the held input makes us write.
    const held = [...(this.heldOut ?? []), ...(this.heldIn ?? [])];
    this.heldIn = null;
    this.heldOut = null;
    for (const fn of held) fn();
  }

  /** The process died: nothing more is read or written. */
  kill(): void {
    this.stopReading();
    this.outbound.clear();
    this.ws.terminate();
  }

  // -------------------------------------------------------------------------------------------

  private write(fn: () => void): void {
    const send = (): void =>
      this.outbound.push(() => {
        if (this.ws.readyState === WebSocket.OPEN) fn();
      });
    if (this.heldOut) this.heldOut.push(send);
    else send();
  }

  /** Something reached the socket: read it now, or hold it while the link is frozen. */
  private arrive(fn: () => void): void {
    if (this.heldIn) this.heldIn.push(fn);
    else fn();
  }

  private reply(obj: Obj): void {
    this.sendText(goJson(obj));
  }

  /** The gateway stops reading this connection: whatever is still queued is never processed. */
  private stopReading(): void {
    this.state = 'stopped';
    this.inbound.clear();
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private onSocketClosed(code: number): void {
    this.closeCode = code;
    // A link that dies frozen never delivers what it held.
    this.heldIn = null;
    this.heldOut = null;
    if (this.record) {
      this.record.closedAt = hrNow();
      this.record.closeCode = code;
    }
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.outbound.clear();
    // Messages that reached us before the end of the stream are still read and handled, as the Go
    // reader drains its socket before it sees the close; only then is the device unregistered.
    if (this.state === 'stopped') this.finish();
    else this.inbound.push(() => this.finish());
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    // Authenticated from a message that was still queued when the socket closed.
    if (this.record && this.record.closeCode === undefined && this.closeCode !== undefined) {
      this.record.closedAt = hrNow();
      this.record.closeCode = this.closeCode;
    }
    this.state = 'stopped';
    this.inbound.clear();
    if (this.record) this.hub.unregister(this);
    this.hub.sessionGone(this);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.state === 'auth') this.onAuth(data);
    else if (this.state === 'open' && this.conn) {
      if (isBinary) onBinaryMessage(this.conn, data);
      else onTextMessage(this.conn, data);
    }
  }

  private onAuth(data: Buffer): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    const text = data.toString('utf8');
    const parsed = parseGoJson(text);
    const fail = (outcome: 'bad_first' | 'bad_key' | 'no_scope', msg: Obj, message?: string): void => {
      this.hub.rec.auths.push({ msg, outcome, at: hrNow() });
      this.stopReading();
      if (message) this.reply({ type: 'error', message });
      this.write(() => this.ws.close(1008, 'auth failed'));
    };
    // Not a JSON object: Go's Unmarshal into a map fails and the gateway closes without a word.
    if (!parsed.ok || (parsed.value !== null && !isObj(parsed.value))) {
      fail('bad_first', { _raw: text.slice(0, 1000) });
      return;
    }
    const msg = parsed.value;
    const v = validateMessage(msg, this.hub.maxPoints);
    if (!msg || v.type !== 'device_auth') {
      fail('bad_first', msg ?? {}, 'first message must be device_auth');
      return;
    }
    const key = this.hub.verifyKey(msg['api_key'] as string);
    if (!key) return fail('bad_key', msg, 'Invalid API key');
    if (!hasScope(key, 'write')) return fail('no_scope', msg, 'API key lacks write scope');

    this.org = key.org;
    this.sourceId = this.hub.assignName(key.org, msg['source_id'] as string);
    // server_time_ms is read just before the frame is written; the frame then travels.
    this.reply({ type: 'authenticated', source_id: this.sourceId, server_time_ms: Math.floor(this.hub.now()) });
    this.state = 'open';
    this.conn = {
      hub: this.hub,
      org: this.org,
      sourceId: this.sourceId,
      telemetry: new TokenBucket(this.hub.telemetryBucket.capacity, this.hub.telemetryBucket.perSec),
      control: new TokenBucket(this.hub.controlBucket.capacity, this.hub.controlBucket.perSec),
      reply: (obj) => this.reply(obj),
      closeUnavailable: () => {
        this.stopReading();
        this.write(() => this.ws.close(1013, 'redis unavailable'));
      },
    };
    this.record = {
      sourceId: this.sourceId,
      org: this.org,
      openedAt: hrNow(),
      evicted: false,
      pingsSent: 0,
      pongsReceived: 0,
    };
    this.hub.rec.auths.push({ msg, outcome: 'ok', sourceId: this.sourceId, at: hrNow() });
    this.hub.rec.connections.push(this.record);
    this.hub.register(this);
    this.pingTimer = setInterval(() => {
      if (this.record) this.record.pingsSent++;
      this.write(() => this.ws.ping());
    }, this.hub.pingIntervalMs);
    this.pingTimer.unref();
    this.hub.rec.emit('connection', this.record);
  }
}
