// The Plexus client.
//
// Delivery semantics, in one paragraph: every point is validated (gateway rules), stamped on one
// clock, and written to a local SQLite log (group commit every few ms) before anything is sent.
// A point leaves the outbox only when the gateway confirmed it — an HTTP 200 for its full count,
// or, on the WebSocket, a ping sent after its frame answered with no error frame in between.
// After a lost connection or a crash, unconfirmed points are sent again: delivery is
// at-least-once (duplicates are possible and counted as `resent`), never at-most-once. When the
// buffer cap is reached, the oldest undelivered points are dropped and reported. Video frames
// are live only: never buffered, dropped (and counted) when they cannot go out at once.

import { join } from 'node:path';
import { Clock, type ClockInfo } from './clock';
import { CommandRegistry, type CommandHandler, type CommandOptions, type CommandRecord } from './commands';
import {
  checkSourceId,
  deviceWsUrl,
  ingestUrl,
  resolveOptions,
  silentLogger,
  sourceIdFromHostname,
  type PlexusOptions,
  type ResolvedOptions,
} from './config';
import { Delivery } from './delivery';
import { DropReporter, type DroppedInfo } from './drops';
import { ClosedError, PlexusError, StorageError, ValidationError, describeValue } from './errors';
import { TypedEmitter } from '../../shared/util';
import { HttpSender } from './http-sender';
import { effectiveSourceId, installId, lastSourceId, rememberAssigned, rememberSourceId } from './identity';
import { lockDataDir } from './lock';
import { SOURCE_ID_RE } from './limits';
import { Outbox } from './outbox';
import { PreSyncStamps, restamp } from './presync';
import { defaultRunName, makeRunId, type RunInfo, type RunRow } from './runs';
import type { RecoveryInfo } from './recovery-info';
import { openBuffer } from './salvage';
import type { StatusInfo } from './status';
import type { Store } from './store';
import { encodeTags, encodeValue, normalizeTimestamp, PointEncoder, type Tags } from './validate';
import { encodeVideoMessage, toJpeg, type VideoFrameOptions } from './video';

export interface SendOptions {
  tags?: Tags;
  /** Epoch ms (or a Date); default: now on the client's clock. */
  timestamp?: number | Date;
}

export interface BatchPoint {
  metric: string;
  value: unknown;
  tags?: Tags;
  timestamp?: number | Date;
}

export type { DroppedInfo } from './drops';
export type { RecoveryInfo } from './recovery-info';

export interface CloseResult {
  /** Points accepted by send() that could not be written to the buffer before closing (a full or failing disk): lost. */
  unwritten: number;
}

export interface VideoResult {
  sent: boolean;
  reason?: 'not-connected' | 'backpressure' | 'rate' | 'busy';
  width?: number;
  height?: number;
  bytes?: number;
}

export interface FlushResult {
  /** Everything sent before flush() was confirmed by the gateway. */
  delivered: boolean;
  /** Points still waiting for delivery. */
  pending: number;
}

/** A point as kept in the local log. */
export interface LoggedPoint {
  seq: number;
  class: 'metric' | 'event';
  metric: string;
  value: unknown;
  timestamp: number;
  tags?: Record<string, string>;
}

export interface ClientStats {
  buffered: number;
  bufferedBytes: number;
  stored: number;
  delivered: number;
  dropped: number;
  resent: number;
  quarantined: number;
  lastSeq: number;
  confirmedSeq: number;
  video: { sent: number; dropped: number; cameras: Record<string, { sent: number; dropped: number }> };
}

export interface PlexusEvents {
  status: StatusInfo;
  clock: ClockInfo;
  'source-id': { previous: string; current: string; via: 'ws' | 'http' };
  dropped: DroppedInfo;
  quarantined: { seq: number; line: string; reason: string; total: number };
  error: PlexusError;
  /** A group commit made points durable, up to and including `upToSeq`. */
  stored: { upToSeq: number; count: number };
  delivered: { upToSeq: number; count: number; via: 'ws' | 'http' };
  command: CommandRecord;
  run: { kind: 'start' | 'end'; run: RunInfo };
  /**
   * The buffer file was damaged at start: it was set aside (`movedTo`) and what could be read was
   * carried into a new one. Emitted right after construction; recovery() keeps it for later.
   */
  recovered: RecoveryInfo;
}

function checkTagsType(t: unknown, where: string): void {
  if (t === null || typeof t !== 'object' || Array.isArray(t))
    throw new ValidationError(
      'tags.type',
      t,
      `${where}tags must be a flat object of string → string, got ${describeValue(t)}`,
    );
}

/** Pending points beyond which send() commits at once instead of waiting for the timer. */
const COMMIT_NOW_AT = 8_192;
/** With a failing disk, pending points beyond this are dropped (and reported), not kept in RAM. */
const PENDING_HARD_CAP = 1_000_000;
/** After a failed write, try again this soon, then less often (doubling) up to the max. */
const STORAGE_RETRY_MIN_MS = 250;
const STORAGE_RETRY_MAX_MS = 5000;

export class Plexus extends TypedEmitter<PlexusEvents> {
  readonly dataDir: string;
  readonly installId: string;
  private readonly store: Store;
  private readonly outbox: Outbox;
  private readonly clockImpl: Clock;
  private readonly encoder = new PointEncoder();
  private readonly commands: CommandRegistry;
  private readonly delivery: Delivery;
  private readonly releaseLock: () => void;
  private readonly startedMono = performance.now();
  private readonly commitIntervalMs: number;
  private readonly httpTimeoutMs: number;
  private readonly logger;
  private readonly cameras = new Map<string, string>();
  private readonly platform: string;
  private readonly agentVersion: string;
  private readonly sensors: unknown;
  private requestedSourceId: string;
  private apiKey: string | null;
  private commitTimer: ReturnType<typeof setTimeout> | null = null;
  private storageRetryMs = 0;
  private run: RunInfo | null = null;
  private runTags: Tags | undefined;
  private runTagsJson = '';
  private runFirstSeq = 0;
  private flushWaiters: Array<{ seq: number; resolve: () => void }> = [];
  private closing: Promise<CloseResult> | null = null;
  private readonly drops = new DropReporter((info) => this.emit('dropped', info));
  private readonly presync: PreSyncStamps;
  private readonly recoveryInfo: RecoveryInfo | null;
  private video = { sent: 0, dropped: 0, cameras: {} as Record<string, { sent: number; dropped: number }> };
  private encoding = new Set<string>();

  constructor(options: PlexusOptions = {}) {
    super();
    const env = process.env;
    // Every option is checked before anything touches the disk: a bad one throws a ConfigError
    // and leaves no folder created, no lock held, no file open.
    const o = resolveOptions(options, env);
    this.logger = options.logger ?? silentLogger;
    this.httpTimeoutMs = o.httpTimeoutMs;
    const http = new HttpSender({ url: o.ingestUrl, timeoutMs: this.httpTimeoutMs });
    this.apiKey = o.apiKey;
    this.commitIntervalMs = o.buffer.commitIntervalMs;
    this.platform = o.platform;
    this.agentVersion = o.agentVersion;
    this.sensors = options.sensors;
    for (const c of o.cameras) this.cameras.set(c.camera_id, c.video_type);
    this.commands = new CommandRegistry(
      (msg) => this.delivery.sendControl(msg),
      (rec) => this.emit('command', rec),
      () => Math.round(this.clockImpl.now()),
    );
    for (const [name, c] of Object.entries(options.commands ?? {})) this.commands.register(name, c.handler, c);
    // Only a WebSocket session syncs the clock; over HTTP only there is no sync to wait for.
    this.presync = new PreSyncStamps(o.transport === 'ws');

    this.dataDir = o.dataDir;
    this.releaseLock = lockDataDir(this.dataDir);
    try {
      const opened = openBuffer(join(this.dataDir, 'buffer.db'), o.buffer.durability);
      this.store = opened.store;
      this.recoveryInfo = opened.recovery;
    } catch (e) {
      this.releaseLock();
      throw e;
    }
    try {
      this.installId = installId(this.store, env);
      this.requestedSourceId = checkSourceId(o.sourceId ?? lastSourceId(this.store) ?? sourceIdFromHostname());
      rememberSourceId(this.store, this.requestedSourceId);
      this.outbox = this.openOutbox(o.buffer);
      const last = this.store.lastClock();
      this.clockImpl = new Clock(last ? { offsetMs: last.offsetMs, uncertaintyMs: last.uncertaintyMs } : undefined);
      this.closeInterruptedRuns();
    } catch (e) {
      // A client that cannot start must not keep the data dir locked and its file open.
      this.store.close();
      this.releaseLock();
      throw e;
    }
    if (this.recoveryInfo) this.logger.warn(this.recoveryInfo.message);

    this.delivery = new Delivery(
      {
        wsUrl: o.wsUrl,
        http,
        transport: o.transport,
        apiKey: this.apiKey,
        sourceId: effectiveSourceId(this.store, this.requestedSourceId),
        connectTimeoutMs: o.connectTimeoutMs,
        resyncIntervalMs: o.resyncIntervalMs,
        heartbeatIntervalMs: o.heartbeatIntervalMs,
        authRetryMs: o.authRetryMs,
        conflictEvictions: o.conflictEvictions,
        reconnect: o.reconnect,
        httpRetry: o.httpRetry,
        logger: this.logger,
      },
      this.outbox,
      {
        authMessage: (sourceId, apiKey) => this.authMessage(sourceId, apiKey),
        onAuthenticated: (reply) => {
          const mono = performance.now();
          const before = this.clockImpl.at(mono);
          const info = this.clockImpl.sync(reply);
          if (this.presync.waiting) this.afterFirstSync(this.clockImpl.at(mono) - before);
          this.storeSafely('record the clock sync', () =>
            this.store.insertClock({
              at: info.syncedAt ?? reply.serverTimeMs,
              offsetMs: info.offsetMs,
              uncertaintyMs: info.uncertaintyMs,
              rttMs: info.rttMs,
              source: 'gateway',
            }),
          );
          this.emit('clock', info);
        },
        onSourceIdAssigned: (assigned, via) => this.adoptSourceId(assigned, via),
        onConfirmed: (count, via) => {
          this.emit('delivered', { upToSeq: this.outbox.confirmedSeq, count, via });
          this.afterCursorMoved();
        },
        onQuarantined: (seq, line, reason) => {
          this.logger.error(`point ${seq} quarantined: ${reason}`);
          this.emit('quarantined', { seq, line, reason, total: this.outbox.counts.quarantined });
          this.emit(
            'error',
            new ValidationError(
              'gateway.rejected',
              line,
              `the gateway rejected point ${seq}; it is kept in quarantine: ${reason}`,
            ),
          );
          this.afterCursorMoved();
        },
        onCommand: (msg) => this.commands.handle(msg),
        onStatus: (info) => this.emit('status', info),
        onError: (err) => this.emit('error', err),
        uptimeSeconds: () => Math.round((performance.now() - this.startedMono) / 1000),
        agentVersion: this.agentVersion,
      },
    );
    // Start on the next tick so callers can subscribe to the first status event (and hear of a
    // recovered buffer).
    queueMicrotask(() => {
      if (this.recoveryInfo) this.emit('recovered', this.recoveryInfo);
      if (!this.closing) this.delivery.start();
    });
  }

  private openOutbox(buf: ResolvedOptions['buffer']): Outbox {
    const { maxPoints, maxBytes, retainPoints, retainBytes } = buf;
    return new Outbox(this.store, { maxPoints, maxBytes, retainPoints, retainBytes, memBytes: 16 * 1024 * 1024 });
  }

  /** When the buffer was found damaged at start: where it went and what was recovered; else null. */
  recovery(): RecoveryInfo | null {
    return this.recoveryInfo ? { ...this.recoveryInfo } : null;
  }

  /**
   * The first clock sync of this session moved the clock by `deltaMs`: put the points (and runs)
   * the client stamped itself before it on gateway time too, where they are still undelivered.
   */
  private afterFirstSync(deltaMs: number): void {
    const { ranges, runs } = this.presync.finish();
    const d = Math.round(deltaMs);
    if (d === 0) return;
    this.storeSafely('move the points recorded before the first clock sync onto gateway time', () => {
      const moved = restamp(this.outbox, this.store, ranges, d);
      for (const [id, ended] of runs) this.store.shiftRun(id, d, ended);
      if (this.run && runs.has(this.run.id)) this.run.startedAt += d;
      if (moved > 0)
        this.logger.info(`moved ${moved} points recorded before the first clock sync by ${d} ms onto gateway time`);
    });
    if (this.presync.overflowed)
      this.logger.warn('some points recorded before the first clock sync keep the local clock (too many to track)');
  }

  // ── identity and configuration ────────────────────────────────────────────────────────

  /** The name this device uses on the platform now (may be one the gateway assigned). */
  get sourceId(): string {
    return this.delivery.sourceId;
  }

  /** Change the API key (null = local only). A new key ships the backlog. */
  setApiKey(key: string | null): void {
    this.assertOpen();
    this.apiKey = key ? key : null;
    this.delivery.setApiKey(this.apiKey);
  }

  /** Point the client at another gateway; reconnects at once. The buffer goes to the new one. */
  setGateway(gatewayUrl: string, gatewayWsUrl?: string): void {
    this.assertOpen();
    const http = new HttpSender({ url: ingestUrl(gatewayUrl), timeoutMs: this.httpTimeoutMs });
    this.delivery.setGateway(deviceWsUrl(gatewayWsUrl, gatewayUrl), http);
  }

  /** Rename this device. A new name is a new source on the platform. */
  setSourceId(id: string): void {
    this.assertOpen();
    this.requestedSourceId = checkSourceId(id);
    rememberSourceId(this.store, id);
    this.delivery.setSourceId(effectiveSourceId(this.store, id));
  }

  private adoptSourceId(assigned: string, via: 'ws' | 'http'): void {
    const previous = this.requestedSourceId;
    // Kept for the next start only if it fits our rule; otherwise it is used for this session
    // only (a stored name we would refuse at start-up would stop the app from starting).
    if (SOURCE_ID_RE.test(assigned))
      this.storeSafely('remember the assigned name', () => rememberAssigned(this.store, previous, assigned));
    this.logger.info(`gateway assigned source id ${assigned} (asked for ${previous}); using it from now on`);
    this.emit('source-id', { previous, current: assigned, via });
  }

  /** A write that must not stop the client when the disk fails: reported as a StorageError. */
  private storeSafely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.emit('error', new StorageError(`could not ${what}: ${(e as Error).message}`));
    }
  }

  private authMessage(sourceId: string, apiKey: string): Record<string, unknown> {
    const msg: Record<string, unknown> = {
      type: 'device_auth',
      api_key: apiKey,
      source_id: sourceId,
      platform: this.platform,
      agent_version: this.agentVersion,
      install_id: this.installId,
      commands: this.commands.advertised(),
    };
    if (this.cameras.size > 0)
      msg.cameras = [...this.cameras].map(([camera_id, video_type]) => ({ camera_id, video_type }));
    if (this.sensors !== undefined) msg.sensors = this.sensors;
    return msg;
  }

  // ── sending ───────────────────────────────────────────────────────────────────────────

  /**
   * Record one value. Numbers are metrics; strings, booleans, objects and arrays are events.
   * Throws a ValidationError naming the rule when the point would be refused by the gateway.
   * Returns the point's sequence number in the local log.
   */
  send(metric: string, value: unknown, opts?: SendOptions): number {
    this.assertOpen();
    const metricJson = this.encoder.metricJson(metric);
    const [cls, valueJson] = encodeValue(value, false);
    return this.append(cls, metricJson, valueJson, opts);
  }

  /** Record an event: `data` is its value (string ≤ 256 bytes, number, bool, or object/array ≤ 4 KiB of JSON). */
  event(name: string, data: unknown = true, opts?: SendOptions): number {
    this.assertOpen();
    const metricJson = this.encoder.metricJson(name);
    const [, valueJson] = encodeValue(data, true);
    return this.append('event', metricJson, valueJson, opts);
  }

  /**
   * Record many points at once — all or none: if any point is invalid, nothing is recorded.
   * They share one timestamp unless a point gives its own; `opts.tags` apply to every point
   * (a point's own tags win). Accepts an array of points or a `{ metric: value }` object.
   * Returns the sequence number of the last point (the batch's are consecutive).
   */
  sendBatch(points: BatchPoint[] | Record<string, unknown>, opts: SendOptions = {}): number {
    this.assertOpen();
    if (points === null || typeof points !== 'object') {
      throw new ValidationError(
        'batch.type',
        points,
        `sendBatch takes an array of points or an object of metric → value, got ${describeValue(points)}`,
      );
    }
    const list: BatchPoint[] = Array.isArray(points)
      ? points
      : Object.entries(points).map(([metric, value]) => ({ metric, value }));
    const ts =
      opts.timestamp !== undefined ? normalizeTimestamp(opts.timestamp, 'batch: ') : Math.round(this.clockImpl.now());
    const batchTags = opts.tags;
    if (batchTags !== undefined) checkTagsType(batchTags, '');
    const encoded: string[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      // Messages say which point; the prefix is only built when a point is refused.
      try {
        encoded[i] = this.encodeBatchPoint(p, ts, batchTags);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        throw new ValidationError(e.rule, e.value, `points[${i}]: ${e.message}`);
      }
    }
    let seq = this.outbox.lastSeq;
    const ownTime = opts.timestamp === undefined && this.presync.waiting;
    for (let i = 0; i < encoded.length; i++) {
      seq = this.appendLine(encoded[i]!);
      if (ownTime && list[i]!.timestamp === undefined) this.presync.note(seq);
    }
    return seq;
  }

  /** One point of a batch as its wire line (hot path: no allocation beyond the line itself). */
  private encodeBatchPoint(p: BatchPoint | undefined, ts: number, batchTags: Tags | undefined): string {
    if (!p || typeof p !== 'object')
      throw new ValidationError(
        'batch.point',
        p,
        `each point must be an object { metric, value, tags?, timestamp? }, got ${describeValue(p)}`,
      );
    const metricJson = this.encoder.metricJson(p.metric);
    const v = p.value;
    let cls: 'metric' | 'event';
    let valueJson: string;
    if (typeof v === 'number' && Number.isFinite(v)) {
      cls = 'metric';
      valueJson = String(v);
    } else [cls, valueJson] = encodeValue(v, false);
    const pts = p.timestamp !== undefined ? normalizeTimestamp(p.timestamp) : ts;
    let tagsJson: string;
    if (p.tags === undefined && batchTags === undefined) tagsJson = this.runTagsJson;
    else {
      if (p.tags !== undefined) checkTagsType(p.tags, '');
      tagsJson = this.tagsJson({ ...batchTags, ...p.tags });
    }
    return this.encoder.encode(cls, metricJson, valueJson, pts, tagsJson);
  }

  private tagsJson(tags: unknown, where = ''): string {
    if (tags === undefined) return this.runTagsJson;
    return encodeTags(tags, this.runTags, where);
  }

  /** `ownTime`: the client picked the timestamp (not the caller), so a first clock sync may move it. */
  private append(
    cls: 'metric' | 'event',
    metricJson: string,
    valueJson: string,
    opts?: SendOptions,
    ownTime = opts?.timestamp === undefined,
  ): number {
    const ts = opts?.timestamp !== undefined ? normalizeTimestamp(opts.timestamp) : Math.round(this.clockImpl.now());
    const tagsJson = this.tagsJson(opts?.tags);
    const seq = this.appendLine(this.encoder.encode(cls, metricJson, valueJson, ts, tagsJson));
    if (ownTime && this.presync.waiting) this.presync.note(seq);
    return seq;
  }

  private appendLine(line: string): number {
    if (this.storageRetryMs > 0 && this.outbox.pendingCount >= PENDING_HARD_CAP) {
      this.countDropped('storage-error', 1);
      return -1;
    }
    const seq = this.outbox.append(line);
    if (this.run) this.run.points++;
    if (this.outbox.pendingCount >= COMMIT_NOW_AT && this.storageRetryMs === 0) this.commitNow();
    else if (!this.commitTimer) this.commitTimer = setTimeout(() => this.commitNow(), this.commitIntervalMs);
    return seq;
  }

  private commitNow(): void {
    if (this.commitTimer) {
      clearTimeout(this.commitTimer);
      this.commitTimer = null;
    }
    const r = this.outbox.commit();
    if (!r) return;
    if (r.count > 0) this.emit('stored', { upToSeq: r.firstSeq + r.count - 1, count: r.count });
    if (r.dropped > 0) {
      this.logger.warn(`buffer full: dropped the ${r.dropped} oldest undelivered points`);
      this.countDropped('buffer-full', r.dropped);
      this.afterCursorMoved();
    }
    if (r.count > 0 || !r.error) this.delivery.notify();
    if (!r.error) {
      this.storageRetryMs = 0;
      return;
    }
    // Disk full, file removed, I/O error: what fitted is written, the rest is held in RAM and
    // tried again soon — at once after progress, less often the longer nothing fits.
    this.storageRetryMs =
      r.count > 0
        ? STORAGE_RETRY_MIN_MS
        : Math.min(STORAGE_RETRY_MAX_MS, Math.max(STORAGE_RETRY_MIN_MS, this.storageRetryMs * 2));
    const held = this.outbox.pendingCount;
    const what =
      held > 0
        ? `${held.toLocaleString('en-US')} points are held in memory and will be written when there is room`
        : 'no point is lost; only the delivery progress waits to be saved';
    this.emit(
      'error',
      new StorageError(
        `cannot write to the buffer file (${r.error.message}): ${what}; trying again in ${(this.storageRetryMs / 1000).toFixed(2)} s`,
      ),
    );
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    if (!this.closing || held > 0) this.commitTimer = setTimeout(() => this.commitNow(), this.storageRetryMs);
  }

  private countDropped(reason: DroppedInfo['reason'], count: number, cameraId?: string): void {
    this.drops.add(reason, count, cameraId);
  }

  private afterCursorMoved(): void {
    const c = this.outbox.confirmedSeq;
    if (this.flushWaiters.length > 0) {
      const ready = this.flushWaiters.filter((w) => w.seq <= c);
      this.flushWaiters = this.flushWaiters.filter((w) => w.seq > c);
      for (const w of ready) w.resolve();
    }
    // Persist the cursor soon even if no new points arrive.
    if (!this.commitTimer && !this.closing)
      this.commitTimer = setTimeout(() => this.commitNow(), this.commitIntervalMs);
  }

  // ── runs ──────────────────────────────────────────────────────────────────────────────

  /** Start a named run; every point from now on carries `tags.run_id`. Ends an active run first. */
  startRun(name?: string): RunInfo {
    this.assertOpen();
    if (this.run) this.endRun();
    const now = Math.round(this.clockImpl.now());
    const runName = name?.trim() || defaultRunName(now);
    if (Buffer.byteLength(runName) > 200)
      throw new ValidationError('run.name', runName, 'run name must be at most 200 bytes');
    let id = makeRunId(runName, now);
    while (this.store.getRun(id)) id = `${id}-${Math.floor(Math.random() * 1e4)}`;
    this.commitNow();
    this.runFirstSeq = this.outbox.lastSeq + 1;
    this.store.insertRun(id, runName, now, this.runFirstSeq);
    this.run = { id, name: runName, startedAt: now, endedAt: null, points: 0 };
    this.runTags = { run_id: id };
    this.runTagsJson = JSON.stringify(this.runTags);
    // The run records how good its time base was when it started.
    const clock = this.clockImpl.get();
    const [, startJson] = encodeValue(
      {
        name: runName,
        clock: {
          source: clock.source,
          offset_ms: Math.round(clock.offsetMs * 10) / 10,
          uncertainty_ms: clock.uncertaintyMs === null ? null : Math.round(clock.uncertaintyMs * 10) / 10,
        },
      },
      true,
    );
    // Stamped by the client: a first clock sync moves it like any point the client stamped.
    this.append('event', this.encoder.metricJson('run.start'), startJson, { timestamp: now }, true);
    this.presync.noteRunStart(id);
    this.emit('run', { kind: 'start', run: { ...this.run } });
    return { ...this.run };
  }

  /** End the active run (no-op when none); returns it. */
  endRun(): RunInfo | null {
    this.assertOpen();
    return this.finishRun();
  }

  private finishRun(): RunInfo | null {
    const run = this.run;
    if (!run) return null;
    const now = Math.round(this.clockImpl.now());
    const [, endJson] = encodeValue(
      { name: run.name, points: run.points + 1, duration_s: Math.round((now - run.startedAt) / 100) / 10 },
      true,
    );
    this.append('event', this.encoder.metricJson('run.end'), endJson, { timestamp: now }, true);
    this.presync.noteRunEnd(run.id);
    this.run = null;
    this.runTags = undefined;
    this.runTagsJson = '';
    run.endedAt = now;
    this.commitNow();
    this.storeSafely('record the end of the run', () =>
      this.store.endRun(run.id, now, this.outbox.lastSeq, run.points),
    );
    this.emit('run', { kind: 'end', run: { ...run } });
    return { ...run };
  }

  /** Run `fn` inside a run that ends when it settles (also when it throws). */
  async withRun<T>(name: string, fn: (run: RunInfo) => T | Promise<T>): Promise<T> {
    const run = this.startRun(name);
    try {
      return await fn(run);
    } finally {
      if (this.run?.id === run.id && !this.closing) this.endRun();
    }
  }

  currentRun(): RunInfo | null {
    return this.run ? { ...this.run } : null;
  }

  /** Past and current runs, newest first. */
  runs(limit = 1000): RunRow[] {
    this.assertOpen();
    return this.store.listRuns(limit);
  }

  /**
   * The points of a run, from the local log, in recording order (for export). Needs the points to
   * be kept after delivery (`buffer.retainPoints`/`retainBytes`); points already pruned are absent.
   */
  *runPoints(runId: string): Generator<LoggedPoint> {
    const run = this.store.getRun(runId);
    if (!run) throw new ValidationError('run.id', runId, `no run with id ${JSON.stringify(runId)}`);
    this.commitNow();
    const to = run.lastSeq ?? this.outbox.storedSeq;
    let after = -1;
    for (;;) {
      const rows = this.store.blocksBetween(run.firstSeq, to, after);
      if (rows.length === 0) return;
      for (const r of rows) {
        after = r.firstSeq;
        const lines = r.body.toString('utf8').split('\n');
        for (let i = 0; i < lines.length; i++) {
          const seq = r.firstSeq + i;
          if (seq < run.firstSeq || seq > to) continue;
          const p = JSON.parse(lines[i]!) as LoggedPoint;
          if (p.tags?.run_id === runId) yield { ...p, seq };
        }
      }
    }
  }

  /** Clock syncs recorded between two SDK times (to say how good a run's time base was). */
  clockHistory(from: number, to: number): Array<{ at: number; offsetMs: number; uncertaintyMs: number | null }> {
    return this.store
      .clockBetween(from, to)
      .map((r) => ({ at: r.at, offsetMs: r.offsetMs, uncertaintyMs: r.uncertaintyMs }));
  }

  private closeInterruptedRuns(): void {
    // A run still open in the log was cut short by a crash: close it where the log ends.
    for (const r of this.store.openRuns()) {
      const last = this.outbox.storedSeq;
      this.store.endRun(r.id, Date.now(), last, Math.max(0, last - r.firstSeq + 1));
    }
  }

  // ── commands ──────────────────────────────────────────────────────────────────────────

  /**
   * Handle a remote command. The gateway gets `ack` before the handler runs, then its return
   * value as `result`, or its thrown error as `error`. Advertised on the next connect.
   * Returns the function that unregisters it.
   */
  onCommand(name: string, handler: CommandHandler, opts?: CommandOptions): () => void {
    return this.commands.register(name, handler, opts);
  }

  /** Handle commands that no named handler claims (default: answered "unknown command"). */
  setCommandFallback(handler: CommandHandler | null, opts?: CommandOptions): void {
    this.commands.setFallback(handler, opts);
  }

  // ── video ─────────────────────────────────────────────────────────────────────────────

  /**
   * Send one video frame, live. JPEG bytes pass through; PNG/WebP/BMP/… and raw pixels are
   * encoded to JPEG. Not connected, backpressure or rate limit → dropped and counted (video is
   * never buffered). Invalid input rejects with a ValidationError.
   */
  async sendVideoFrame(frame: Uint8Array, cameraId = 'camera:0', opts: VideoFrameOptions = {}): Promise<VideoResult> {
    this.assertOpen();
    if (typeof cameraId !== 'string' || cameraId.length === 0 || Buffer.byteLength(cameraId) > 255) {
      throw new ValidationError(
        'video.camera_id',
        cameraId,
        `camera id must be 1–255 bytes, got ${describeValue(cameraId)}`,
      );
    }
    const ts = opts.timestamp !== undefined ? normalizeTimestamp(opts.timestamp) : Math.round(this.clockImpl.now());
    const cam = (this.video.cameras[cameraId] ??= { sent: 0, dropped: 0 });
    if (!this.cameras.has(cameraId)) this.cameras.set(cameraId, 'normal');
    const drop = (reason: NonNullable<VideoResult['reason']>): VideoResult => {
      cam.dropped++;
      this.video.dropped++;
      this.countDropped(
        `video-${reason === 'not-connected' ? 'not-connected' : reason}` as DroppedInfo['reason'],
        1,
        cameraId,
      );
      return { sent: false, reason };
    };
    if (!this.delivery.connected) return drop('not-connected');
    // One encode per camera at a time: a frame arriving meanwhile is dropped, not queued.
    if (this.encoding.has(cameraId)) return drop('busy');
    this.encoding.add(cameraId);
    let jpeg;
    try {
      jpeg = await toJpeg(frame, opts);
    } finally {
      this.encoding.delete(cameraId);
    }
    const msg = encodeVideoMessage(this.sourceId, cameraId, jpeg.width, jpeg.height, ts, jpeg.data);
    const r = this.delivery.sendVideo(msg);
    if (r !== 'sent') return drop(r === 'closed' ? 'not-connected' : r);
    cam.sent++;
    this.video.sent++;
    return { sent: true, width: jpeg.width, height: jpeg.height, bytes: jpeg.data.length };
  }

  // ── state ─────────────────────────────────────────────────────────────────────────────

  /** Undelivered points (durable or about to be). */
  bufferSize(): number {
    return this.outbox.size;
  }

  bufferBytes(): number {
    return this.outbox.sizeBytes;
  }

  status(): StatusInfo {
    return this.delivery.status();
  }

  clock(): ClockInfo {
    return this.clockImpl.get();
  }

  /** Now on the client's clock (epoch ms): what an SDK-picked timestamp would be. */
  now(): number {
    return this.clockImpl.now();
  }

  stats(): ClientStats {
    const c = this.outbox.counts;
    return {
      buffered: this.outbox.size,
      bufferedBytes: this.outbox.sizeBytes,
      stored: c.stored,
      delivered: c.delivered,
      dropped: c.dropped,
      resent: c.resent,
      quarantined: c.quarantined,
      lastSeq: this.outbox.lastSeq,
      confirmedSeq: this.outbox.confirmedSeq,
      video: { sent: this.video.sent, dropped: this.video.dropped, cameras: structuredClone(this.video.cameras) },
    };
  }

  /** Write pending points to disk now; resolves with the highest durable sequence number. */
  persisted(): Promise<number> {
    this.commitNow();
    return Promise.resolve(this.outbox.storedSeq);
  }

  /**
   * Write everything to disk, then wait until the gateway confirmed every point recorded so far
   * (at most `timeoutMs`, default 10 s). Never throws for network trouble: the result says.
   */
  async flush(opts: { timeoutMs?: number } = {}): Promise<FlushResult> {
    this.commitNow();
    const target = this.outbox.lastSeq;
    if (this.outbox.confirmedSeq >= target) return { delivered: true, pending: this.outbox.size };
    if (!this.apiKey) return { delivered: false, pending: this.outbox.size };
    const timeoutMs = opts.timeoutMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.flushWaiters.push({ seq: target, resolve })),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    return { delivered: this.outbox.confirmedSeq >= target, pending: this.outbox.size };
  }

  /**
   * End an active run, flush (at most `timeoutMs`, default 5 s), close the connection and the
   * buffer. Points that cannot be written to disk (a full disk) are tried again until the timeout;
   * the result and an 'error' event say exactly how many were lost.
   */
  close(opts: { timeoutMs?: number } = {}): Promise<CloseResult> {
    this.closing ??= (async () => {
      await Promise.resolve(); // let `closing` be set first: send() now throws ClosedError
      const timeoutMs = opts.timeoutMs ?? 5000;
      const deadline = Date.now() + timeoutMs;
      if (this.run) this.finishRun();
      let unwritten: number;
      try {
        await this.flush({ timeoutMs });
      } finally {
        this.commands.abortAll();
        await this.delivery.stop();
        unwritten = await this.writeRemaining(deadline);
        this.drops.flushAll();
        this.store.close();
        this.releaseLock();
      }
      return { unwritten };
    })();
    return this.closing;
  }

  /** On close: write what is still in RAM, trying until `deadline`; returns how many points could not be. */
  private async writeRemaining(deadline: number): Promise<number> {
    for (let wait = STORAGE_RETRY_MIN_MS; ; wait = Math.min(STORAGE_RETRY_MAX_MS, wait * 2)) {
      if (this.commitTimer) clearTimeout(this.commitTimer);
      this.commitTimer = null;
      const r = this.outbox.commit();
      if (r && r.count > 0) this.emit('stored', { upToSeq: r.firstSeq + r.count - 1, count: r.count });
      const left = this.outbox.pendingCount;
      if (left === 0) return 0;
      const pause = Math.min(wait, deadline - Date.now());
      if (pause <= 0) {
        const err = new StorageError(
          `could not write ${left.toLocaleString('en-US')} points to the buffer before closing (${r?.error?.message ?? 'unknown error'}): they are lost. Free some disk space in ${this.dataDir}.`,
        );
        this.logger.error(err.message);
        this.emit('error', err);
        return left;
      }
      await new Promise((res) => setTimeout(res, pause));
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new ClosedError();
  }
}
