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
//
// This class is the public face; the work is done by the parts its constructor builds, in
// order: options (config.ts), commands, the data folder (local-state.ts), group commit
// (commit-scheduler.ts), runs (run-recorder.ts), clock syncs (clock-sync.ts), points
// (point-writer.ts), video (video-sender.ts) and delivery (delivery.ts). It is over 400 lines
// because it is the client's whole documented public API, each method a short delegation:
// splitting it would scatter the documentation of one class over several files.

import type { Clock, ClockInfo } from './clock';
import type {
  BatchPoint,
  BlockRow,
  ClientStats,
  CloseResult,
  FlushResult,
  LoggedPoint,
  PlexusEvents,
  SendOptions,
  VideoResult,
} from './client-types';
import { ClockSync } from './clock-sync';
import { CommandRegistry, type CommandHandler, type CommandOptions } from './commands';
import { CommitScheduler } from './commit-scheduler';
import { checkSourceId, deviceWsUrl, ingestUrl, resolveOptions, silentLogger, type PlexusOptions } from './config';
import { Delivery, type DeliveryHooks } from './delivery';
import { DropReporter } from './drops';
import { FlushWaiters } from './flush-waiters';
import { ClosedError, StorageError, ValidationError } from './errors';
import { TypedEmitter } from '../../shared/util';
import { HttpSender } from './http-sender';
import { deviceAuthMessage, effectiveSourceId, rememberAssigned, rememberSourceId, type DeviceInfo } from './identity';
import { SOURCE_ID_RE } from './limits';
import { openLocalState } from './local-state';
import type { Outbox } from './outbox';
import { PointWriter } from './point-writer';
import { PreSyncStamps } from './presync';
import type { RecoveryInfo } from './recovery-info';
import { RunRecorder } from './run-recorder';
import type { RunInfo, RunOptions, RunRow } from './runs';
import type { StatusInfo } from './status';
import type { Store } from './store';
import { encodeTags, type Tags } from './validate';
import { VideoSender } from './video-sender';
import type { VideoFrameOptions } from './video';

export class Plexus extends TypedEmitter<PlexusEvents> {
  readonly dataDir: string;
  readonly installId: string;
  private readonly logger;
  private readonly httpTimeoutMs: number;
  /** What device_auth says about this device besides its name and key. */
  private readonly device: DeviceInfo;
  private apiKey: string | null;
  private requestedSourceId: string;
  private readonly startedMono = performance.now();
  private readonly commands: CommandRegistry;
  private readonly presync: PreSyncStamps;
  private readonly store: Store;
  private readonly releaseLock: () => void;
  private readonly recoveryInfo: RecoveryInfo | null;
  private readonly outbox: Outbox;
  private readonly clockImpl: Clock;
  private readonly drops = new DropReporter((info) => this.emit('dropped', info));
  private readonly commits: CommitScheduler;
  private readonly runRecorder: RunRecorder;
  private readonly clockSync: ClockSync;
  private readonly writer: PointWriter;
  private readonly video: VideoSender;
  private readonly delivery: Delivery;
  private readonly flushWaiters = new FlushWaiters();
  private closing: Promise<CloseResult> | null = null;
  /** The buffer is closed: nothing can read the log any more. */
  private storeClosed = false;

  constructor(options: PlexusOptions = {}) {
    super();
    const env = process.env;
    // 1. Every option is checked before anything touches the disk: a bad one throws a
    // ConfigError and leaves no folder created, no lock held, no file open.
    const o = resolveOptions(options, env);
    this.logger = options.logger ?? silentLogger;
    this.httpTimeoutMs = o.httpTimeoutMs;
    this.apiKey = o.apiKey;
    this.device = { platform: o.platform, agentVersion: o.agentVersion, sensors: options.sensors };
    // 2. Command handlers (advertised on every connect).
    this.commands = new CommandRegistry(
      (msg) => this.delivery.sendControl(msg),
      (rec) => this.emit('command', rec),
      () => Math.round(this.clockImpl.now()),
    );
    for (const [name, c] of Object.entries(options.commands ?? {})) this.commands.register(name, c.handler, c);
    // Only a WebSocket session syncs the clock; over HTTP only there is no sync to wait for.
    this.presync = new PreSyncStamps(o.transport === 'ws');
    // 3. The data folder: lock, buffer, identity, outbox, clock.
    const local = openLocalState(o, env);
    this.dataDir = o.dataDir;
    ({ store: this.store, releaseLock: this.releaseLock, recovery: this.recoveryInfo } = local);
    ({ installId: this.installId, requestedSourceId: this.requestedSourceId } = local);
    ({ outbox: this.outbox, clock: this.clockImpl } = local);
    if (this.recoveryInfo) this.logger.warn(this.recoveryInfo.message);
    // 4. Recording: group commit, runs, the clock's syncs, points.
    this.commits = new CommitScheduler(this.outbox, o.buffer.commitIntervalMs, this.logger, {
      stored: (upToSeq, count) => this.emit('stored', { upToSeq, count }),
      dropped: (reason, count) => this.drops.add(reason, count),
      cursorMoved: () => this.afterCursorMoved(),
      committed: () => this.delivery.notify(),
      error: (err) => this.emit('error', err),
      closing: () => this.closing !== null,
    });
    const ctx = { ...local, presync: this.presync, logger: this.logger, storeSafely: this.storeSafely.bind(this) };
    this.runRecorder = new RunRecorder(ctx, {
      commitNow: () => this.commits.now(),
      record: (metric, valueJson, ts) => this.writer.runEvent(metric, valueJson, ts),
      emit: (kind, run) => this.emit('run', { kind, run }),
    });
    this.clockSync = new ClockSync(
      ctx,
      this.runRecorder,
      (info) => this.emit('clock', info),
      (deltaMs, runIds, fromSeq) => this.emit('restamped', { deltaMs, runIds, fromSeq }),
    );
    this.writer = new PointWriter(ctx, this.commits, this.runRecorder, () => this.drops.add('storage-error', 1));
    // 5. Live video.
    this.video = new VideoSender(
      {
        connected: () => this.delivery.connected,
        send: (msg) => this.delivery.sendVideo(msg),
        sourceId: () => this.sourceId,
        now: () => this.clockImpl.now(),
        dropped: (reason, cameraId) => this.drops.add(reason, 1, cameraId),
      },
      o.cameras,
    );
    // 6. Delivery.
    this.delivery = new Delivery(
      {
        ...o,
        http: new HttpSender({ url: o.ingestUrl, timeoutMs: this.httpTimeoutMs }),
        apiKey: this.apiKey,
        sourceId: effectiveSourceId(this.store, this.requestedSourceId),
        logger: this.logger,
      },
      this.outbox,
      this.deliveryHooks(),
    );
    // 7. Start on the next tick so callers can subscribe to the first status event (and hear of
    // a recovered buffer).
    queueMicrotask(() => {
      if (this.recoveryInfo) this.emit('recovered', this.recoveryInfo);
      if (!this.closing) this.delivery.start();
    });
  }

  private deliveryHooks(): DeliveryHooks {
    return {
      authMessage: (sourceId, apiKey) =>
        deviceAuthMessage(
          { ...this.device, installId: this.installId, sourceId, apiKey },
          this.commands.advertised(),
          this.video.advertised(),
        ),
      onAuthenticated: (reply) => this.clockSync.synced(reply),
      onSourceIdAssigned: (assigned, via) => this.adoptSourceId(assigned, via),
      onConfirmed: (count, via) => {
        this.emit('delivered', { upToSeq: this.outbox.confirmedSeq, count, via });
        this.afterCursorMoved();
      },
      onQuarantined: (seq, line, reason) => {
        this.logger.error(`point ${seq} quarantined: ${reason}`);
        this.emit('quarantined', { seq, line, reason, total: this.outbox.counts.quarantined });
        const message = `the gateway rejected point ${seq}; it is kept in quarantine: ${reason}`;
        this.emit('error', new ValidationError('gateway.rejected', line, message));
        this.afterCursorMoved();
      },
      onCommand: (msg) => this.commands.handle(msg),
      onStatus: (info) => this.emit('status', info),
      onError: (err) => this.emit('error', err),
      uptimeSeconds: () => Math.round((performance.now() - this.startedMono) / 1000),
      agentVersion: this.device.agentVersion,
    };
  }

  /** When the buffer was found damaged at start: where it went and what was recovered; else null. */
  recovery(): RecoveryInfo | null {
    return this.recoveryInfo ? { ...this.recoveryInfo } : null;
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

  // ── recording ─────────────────────────────────────────────────────────────────────────

  /**
   * Record one value. Numbers are metrics; strings, booleans, objects and arrays are events.
   * Throws a ValidationError naming the rule when the point would be refused by the gateway.
   * Returns the point's sequence number in the local log.
   */
  send(metric: string, value: unknown, opts?: SendOptions): number {
    this.assertOpen();
    return this.writer.send(metric, value, opts);
  }

  /** Record an event: `data` is its value (string ≤ 256 bytes, number, bool, or object/array ≤ 4 KiB of JSON). */
  event(name: string, data: unknown = true, opts?: SendOptions): number {
    this.assertOpen();
    return this.writer.event(name, data, opts);
  }

  /**
   * Record many points at once — all or none: if any point is invalid, nothing is recorded.
   * They share one timestamp unless a point gives its own; `opts.tags` apply to every point
   * (a point's own tags win). Accepts an array of points or a `{ metric: value }` object.
   * Returns the sequence number of the last point (the batch's are consecutive).
   */
  sendBatch(points: BatchPoint[] | Record<string, unknown>, opts: SendOptions = {}): number {
    this.assertOpen();
    return this.writer.batch(points, opts);
  }

  private afterCursorMoved(): void {
    this.flushWaiters.cursorMoved(this.outbox.confirmedSeq);
    this.commits.soon(); // persist the cursor soon even if no new points arrive
  }

  // ── runs ──────────────────────────────────────────────────────────────────────────────

  /** Start a named run; every point from now on carries `tags.run_id`. Ends an active run first. */
  startRun(name?: string, opts?: RunOptions): RunInfo {
    this.assertOpen();
    return this.runRecorder.start(name, opts);
  }

  /** New tags (besides run_id) for the active run's points from now on; no-op without a run. */
  setRunTags(tags: Tags): void {
    this.assertOpen();
    encodeTags(tags, { run_id: 'x' }, 'run fields: ');
    this.runRecorder.setTags(tags);
  }

  /**
   * Forget a past run (its row in the run log; its points stay in the log until pruned like any
   * delivered point). The active run cannot be deleted: end it first.
   */
  deleteRun(runId: string): void {
    this.assertOpen();
    if (this.runRecorder.current()?.id === runId)
      throw new ValidationError('run.id', runId, 'the run is still recording; stop it first');
    this.store.deleteRun(runId);
  }

  /**
   * Committed blocks of the log after seq `after` (at most 64), oldest first, for a reader that
   * follows the log (the recorder's run library). Commits what is pending first when `commit`.
   * `from`: the first seq wanted, when a block starting before it is wanted too (after = -1).
   */
  logBlocksAfter(after: number, commit = false, from = after + 1): BlockRow[] {
    // Also while closing, until the buffer is closed (close()'s beforeStoreClose reads the rest).
    if (this.storeClosed) throw new ClosedError();
    if (commit && !this.closing) this.commits.now();
    return this.store.blocksBetween(from, this.outbox.storedSeq, after);
  }

  /** A run of the run log (with `interrupted` when it was cut short), or undefined. */
  run(runId: string): RunRow | undefined {
    this.assertOpen();
    return this.runRecorder.get(runId);
  }

  /** Points of seqs from..to the gateway refused for good (kept aside in quarantine). */
  quarantinedBetween(from: number, to: number): number {
    this.assertOpen();
    return this.store.quarantinedBetween(from, to);
  }

  /**
   * Keep the log's points after `seq` even once delivered, until a later call moves it: a reader
   * following the log with logBlocksAfter() calls it with what it has copied, so retention never
   * removes a point before the reader saw it.
   */
  holdLogAfter(seq: number): void {
    this.outbox.holdAfter(seq);
  }

  /** End the active run (no-op when none); returns it. */
  endRun(): RunInfo | null {
    this.assertOpen();
    return this.runRecorder.finish();
  }

  /** Run `fn` inside a run that ends when it settles (also when it throws). */
  async withRun<T>(name: string, fn: (run: RunInfo) => T | Promise<T>): Promise<T> {
    const run = this.startRun(name);
    try {
      return await fn(run);
    } finally {
      if (this.runRecorder.current()?.id === run.id && !this.closing) this.endRun();
    }
  }

  currentRun(): RunInfo | null {
    return this.runRecorder.current();
  }

  /** Past and current runs, newest first. */
  runs(limit = 1000): RunRow[] {
    this.assertOpen();
    return this.runRecorder.list(limit);
  }

  /**
   * The points of a run, from the local log, in recording order (for export). Needs the points to
   * be kept after delivery (`buffer.retainPoints`/`retainBytes`); points already pruned are absent.
   */
  runPoints(runId: string): Generator<LoggedPoint> {
    return this.runRecorder.points(runId);
  }

  /**
   * A run's points named `metric` (its markers, say), read back from the local log in recording
   * order, at most `limit`. The log is read in slices with a turn of the event loop between them,
   * so a long run does not stall the recorder. Points already pruned (see runPoints) are absent;
   * rejects with a ClosedError when the client closes meanwhile.
   */
  async runPointsNamed(runId: string, metric: string, limit = Infinity): Promise<LoggedPoint[]> {
    const out: LoggedPoint[] = [];
    let after = -1;
    for (;;) {
      this.assertOpen();
      const slice = this.runRecorder.namedSlice(runId, metric, after);
      for (const p of slice.points) out.push(p);
      if (slice.next === null || out.length >= limit) return out.slice(0, limit);
      after = slice.next;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Clock syncs recorded between two SDK times (to say how good a run's time base was). */
  clockHistory(from: number, to: number): Array<{ at: number; offsetMs: number; uncertaintyMs: number | null }> {
    return this.store
      .clockBetween(from, to)
      .map((r) => ({ at: r.at, offsetMs: r.offsetMs, uncertaintyMs: r.uncertaintyMs }));
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
    return this.video.send(frame, cameraId, opts);
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
      video: this.video.stats(),
    };
  }

  /** Write pending points to disk now; resolves with the highest durable sequence number. */
  persisted(): Promise<number> {
    this.commits.now();
    return Promise.resolve(this.outbox.storedSeq);
  }

  /**
   * Write everything to disk, then wait until the gateway confirmed every point recorded so far
   * (at most `timeoutMs`, default 10 s). Never throws for network trouble: the result says.
   */
  async flush(opts: { timeoutMs?: number } = {}): Promise<FlushResult> {
    this.commits.now();
    const target = this.outbox.lastSeq;
    if (this.outbox.confirmedSeq >= target) return { delivered: true, pending: this.outbox.size };
    if (!this.apiKey) return { delivered: false, pending: this.outbox.size };
    await this.flushWaiters.until(target, opts.timeoutMs ?? 10_000);
    return { delivered: this.outbox.confirmedSeq >= target, pending: this.outbox.size };
  }

  /**
   * End an active run, flush (at most `timeoutMs`, default 5 s), close the connection and the
   * buffer (`beforeStoreClose` runs just before, with the log complete). Points that cannot be written to disk (a full disk) are tried again until the timeout;
   * the result and an 'error' event say exactly how many were lost.
   */
  close(opts: { timeoutMs?: number; beforeStoreClose?: () => void } = {}): Promise<CloseResult> {
    this.closing ??= (async () => {
      await Promise.resolve(); // let `closing` be set first: send() now throws ClosedError
      const timeoutMs = opts.timeoutMs ?? 5000;
      const deadline = Date.now() + timeoutMs;
      // A run still recording when the client closes was cut short (the recorder quit mid-run).
      this.runRecorder.finish({ interrupted: 'the recorder quit while recording' });
      let unwritten: number;
      try {
        await this.flush({ timeoutMs });
      } finally {
        this.commands.abortAll();
        await this.delivery.stop();
        unwritten = await this.commits.writeRemaining(deadline, this.dataDir);
        this.drops.flushAll();
        // A reader following the log (logBlocksAfter) takes the last of it, the run's end too.
        try {
          opts.beforeStoreClose?.();
        } catch (e) {
          this.logger.warn(`reading the log before closing failed: ${(e as Error).message}`);
        }
        this.storeClosed = true;
        this.store.close();
        this.releaseLock();
      }
      return { unwritten };
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new ClosedError();
  }
}
