// What the fake gateway records, for tests to assert on and benches to measure.
//
// Two modes. 'full' keeps every accepted point as an object (tests). 'count' is for benches pushing
// millions of points: it keeps counters, the points of a few sample metrics as objects (e.g. `lat`
// for latency), and a compact typed-array receipt log of every point (~28 bytes a point).

import type { Obj } from './gateway-validate';

/** Wall-clock ms with sub-ms resolution; comparable with the same expression in another process. */
export function hrNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface AcceptedPoint {
  sourceId: string;
  org: string;
  via: 'ws' | 'http';
  class: 'metric' | 'event';
  metric: string;
  value: unknown;
  timestamp?: number;
  tags?: Record<string, string>;
  /** trace_id of the WS telemetry message, when the device sent one. */
  traceId?: string;
  /** performance.timeOrigin + performance.now() when the gateway accepted the point. */
  receivedAt: number;
  /** The point as stored: class inferred, HTTP timestamps scaled to ms, HTTP source_id removed. */
  raw: Record<string, unknown>;
}

export type MessageOutcome =
  | 'accepted'
  | 'invalid_json'
  | 'invalid_message'
  | 'rate_limited'
  | 'source_limited'
  | 'redis_unavailable'
  | 'video'
  | 'control'
  | 'invalid_video' // binary frame with a bad header: dropped without a reply
  | 'invalid_frame_encoding'; // text video_frame that is not valid UTF-8

export interface RecordedMessage {
  sourceId: string;
  org: string;
  binary: boolean;
  bytes: number;
  /** `type` of a text frame, when it had a string one. */
  type?: string;
  outcome: MessageOutcome;
  /** Points accepted from this message (0 unless outcome is 'accepted'). */
  points: number;
  /** The `detail` of the INVALID_MESSAGE error frame sent back. */
  detail?: string;
  at: number;
}

export interface VideoFrameRecord {
  sourceId: string;
  cameraId: string;
  width: number;
  height: number;
  timestamp: number;
  jpegBytes: number;
  /** The JPEG bytes ('full' mode only). */
  jpeg?: Buffer;
  /** false for the legacy JSON `video_frame` text message (width/height/timestamp then as sent, or 0). */
  binary: boolean;
  receivedAt: number;
}

export type AuthOutcome = 'ok' | 'bad_first' | 'bad_key' | 'no_scope' | 'timeout';

export interface AuthRecord {
  msg: Record<string, unknown>;
  outcome: AuthOutcome;
  /** The name the connection got (may differ from msg.source_id in suffix mode). */
  sourceId?: string;
  at: number;
}

export interface HttpRequestRecord {
  status: number;
  /** Points accepted (the `count` answered). */
  points: number;
  /** Points in the request body (0 when it could not be decoded). */
  requestedPoints: number;
  gzip: boolean;
  /** Answered by forceHttpStatus(). */
  forced: boolean;
  at: number;
}

export interface ConnectionRecord {
  sourceId: string;
  org: string;
  openedAt: number;
  closedAt?: number;
  closeCode?: number;
  evicted: boolean;
  pingsSent: number;
  pongsReceived: number;
}

export interface Counters {
  acceptedPoints: number;
  /** Accepted telemetry messages (WS) plus accepted per-source groups of HTTP requests. */
  acceptedMessages: number;
  videoFrames: number;
  /** Drops by reason: the MessageOutcome names, plus 'http_source_limited' (points). */
  dropped: Record<string, number>;
}

/** What `onPoint` receives for every accepted point, in both record modes. */
export interface PointReceipt {
  sourceId: string;
  via: 'ws' | 'http';
  metric: string;
  value: unknown;
  timestamp: number | undefined;
  receivedAt: number;
}

/** A copy of part of the receipt log; metric i is metricNames[metricIds[i]]. */
export interface ReceiptBatch {
  from: number;
  metricNames: string[];
  metricIds: Uint32Array;
  /** NaN when the point had no timestamp. */
  timestamps: Float64Array;
  /** NaN when the value was not a number. */
  values: Float64Array;
  receivedAt: Float64Array;
}

/** Growable columns of (metric, timestamp, numeric value, receivedAt) for every accepted point. */
export class ReceiptLog {
  length = 0;
  readonly metricNames: string[] = [];
  private readonly metricIndex = new Map<string, number>();
  private metricIds = new Uint32Array(1 << 14);
  private timestamps = new Float64Array(1 << 14);
  private values = new Float64Array(1 << 14);
  private receivedAt = new Float64Array(1 << 14);

  push(metric: string, timestamp: number | undefined, value: unknown, at: number): void {
    if (this.length === this.metricIds.length) this.grow();
    let id = this.metricIndex.get(metric);
    if (id === undefined) {
      id = this.metricNames.length;
      this.metricNames.push(metric);
      this.metricIndex.set(metric, id);
    }
    const i = this.length++;
    this.metricIds[i] = id;
    this.timestamps[i] = timestamp ?? NaN;
    this.values[i] = typeof value === 'number' ? value : NaN;
    this.receivedAt[i] = at;
  }

  get(i: number): { metric: string; timestamp: number; value: number; receivedAt: number } | undefined {
    if (i < 0 || i >= this.length) return undefined;
    return {
      metric: this.metricNames[this.metricIds[i] ?? 0] ?? '',
      timestamp: this.timestamps[i] ?? NaN,
      value: this.values[i] ?? NaN,
      receivedAt: this.receivedAt[i] ?? NaN,
    };
  }

  slice(from: number, to = this.length): ReceiptBatch {
    const a = Math.max(0, Math.min(from, this.length));
    const b = Math.max(a, Math.min(to, this.length));
    return {
      from: a,
      metricNames: [...this.metricNames],
      metricIds: this.metricIds.slice(a, b),
      timestamps: this.timestamps.slice(a, b),
      values: this.values.slice(a, b),
      receivedAt: this.receivedAt.slice(a, b),
    };
  }

  private grow(): void {
    const n = this.metricIds.length * 2;
    const m = new Uint32Array(n);
    m.set(this.metricIds);
    this.metricIds = m;
    const t = new Float64Array(n);
    t.set(this.timestamps);
    this.timestamps = t;
    const v = new Float64Array(n);
    v.set(this.values);
    this.values = v;
    const r = new Float64Array(n);
    r.set(this.receivedAt);
    this.receivedAt = r;
  }
}

export type GatewayEvent = 'point' | 'command_result' | 'connection' | 'video';

/** Holds every record and counter; the gateway and its sessions write here, tests read. */
export class Recorder {
  readonly points: AcceptedPoint[] = [];
  readonly messages: RecordedMessage[] = [];
  readonly videoFrames: VideoFrameRecord[] = [];
  readonly heartbeats: Array<{ sourceId: string; uptime_s: unknown; receivedAt: number }> = [];
  readonly commandResults: Array<{ sourceId: string; msg: Record<string, unknown> }> = [];
  readonly deviceErrors: Array<{ sourceId: string; msg: Record<string, unknown> }> = [];
  readonly auths: AuthRecord[] = [];
  readonly httpRequests: HttpRequestRecord[] = [];
  readonly connections: ConnectionRecord[] = [];
  readonly counters: Counters = { acceptedPoints: 0, acceptedMessages: 0, videoFrames: 0, dropped: {} };
  /** Typed-array log of every accepted point; null when disabled with `receipts: false`. */
  readonly receipts: ReceiptLog | null;
  /** Exceptions thrown inside the fake itself (a bug here, not in the client). */
  readonly internalErrors: unknown[] = [];
  private readonly listeners = new Map<GatewayEvent, Set<(x: unknown) => void>>();

  constructor(
    private readonly mode: 'full' | 'count',
    private readonly sampleMetrics: ReadonlySet<string>,
    keepReceipts: boolean,
    private readonly onPoint: ((p: PointReceipt) => void) | undefined,
  ) {
    this.receipts = keepReceipts ? new ReceiptLog() : null;
  }

  get full(): boolean {
    return this.mode === 'full';
  }

  on(event: GatewayEvent, fn: (x: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  emit(event: GatewayEvent, x: unknown): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of set) fn(x);
  }

  drop(reason: string, n = 1): void {
    this.counters.dropped[reason] = (this.counters.dropped[reason] ?? 0) + n;
  }

  /** One inbound WS message and what became of it. */
  message(m: RecordedMessage): void {
    if (m.outcome !== 'accepted' && m.outcome !== 'video' && m.outcome !== 'control') this.drop(m.outcome);
    if (this.full) this.messages.push(m);
  }

  /** A batch of validated points that the gateway queued (one envelope). */
  acceptPoints(via: 'ws' | 'http', org: string, sourceId: string, pts: Obj[], traceId?: string): void {
    const at = hrNow();
    this.counters.acceptedMessages++;
    this.counters.acceptedPoints += pts.length;
    const hooked = (this.listeners.get('point')?.size ?? 0) > 0;
    for (const raw of pts) {
      const metric = raw['metric'] as string;
      const ts = typeof raw['timestamp'] === 'number' ? raw['timestamp'] : undefined;
      const value = raw['value'];
      this.receipts?.push(metric, ts, value, at);
      if (this.onPoint) this.onPoint({ sourceId, via, metric, value, timestamp: ts, receivedAt: at });
      if (!this.full && !this.sampleMetrics.has(metric) && !hooked) continue;
      const p: AcceptedPoint = {
        sourceId,
        org,
        via,
        class: raw['class'] === 'event' ? 'event' : 'metric',
        metric,
        value,
        receivedAt: at,
        raw,
      };
      if (ts !== undefined) p.timestamp = ts;
      if (raw['tags'] !== undefined) p.tags = raw['tags'] as Record<string, string>;
      if (traceId !== undefined) p.traceId = traceId;
      if (this.full || this.sampleMetrics.has(metric)) this.points.push(p);
      if (hooked) this.emit('point', p);
    }
  }
}
