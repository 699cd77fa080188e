// One camera: an FFmpeg child turns the source into JPEGs on its stdout, we split them and hand
// each to the Plexus client as a live video frame, and keep FFmpeg alive.
//
// Timestamps: a frame's timestamp is `sink.now()` when its last byte arrived from FFmpeg — the
// capture time on the client's clock, later than the true exposure by FFmpeg's own pipeline
// (decode, scale, encode: typically a few ms to a few tens of ms).
//
// Backpressure (frame-mailbox.ts): at most one sendVideoFrame() in flight plus the newest waiting
// frame. A newer frame replaces the waiting one, which is dropped and counted; a `sent: false`
// result (client not connected, socket backpressure, rate limit) is counted as dropped too. Video
// is never queued.
//
// FFmpeg (ffmpeg-supervisor.ts): restarted after any exit or stall with a backoff (1 s × 2ⁿ, cap
// 30 s, ±25 %), reported as status `restarting` with the reason and FFmpeg's last stderr lines;
// the backoff resets once frames have flowed for `stableAfterMs`. A file played once (`loop:
// false`) that ends is `stopped`, not restarted. stop() resolves when FFmpeg has exited.
//
// Ownership (camera-registry.ts): a camera started with `registry` is stopped by that registry's
// stopAll(); whatever the registry, FFmpeg is SIGKILLed if this process exits before stop().
//
// Side stream (points, every `metricsIntervalMs`, also while restarting so a run shows the gaps):
//   camera.<id>.fps             frames handed to the gateway connection per second, last interval
//   camera.<id>.frames_sent     total frames sent since streamCamera()
//   camera.<id>.frames_dropped  total frames dropped (backpressure, not connected, rate, errors)
//   camera.<id>.restarts        total FFmpeg restarts
// and an event `camera.<id>.state` = { state, message } on every status change.

import { Backoff, positive, TypedEmitter } from '../../../shared/util';
import type { VideoResult } from '../../plexus';
import type { TelemetrySink } from '../types';
import {
  buildFfmpegArgs,
  CameraConfigError,
  classifySource,
  redactSource,
  validateArgsOptions,
  type CameraSource,
} from './args';
import type { CameraRegistry } from './camera-registry';
import { ffmpegVersion, resolveFfmpeg } from './ffmpeg';
import { FfmpegSupervisor } from './ffmpeg-supervisor';
import { NewestFrameMailbox, type MailboxOutcome } from './frame-mailbox';
import { MjpegSplitter } from './mjpeg-splitter';

export interface CameraOptions {
  /** Frames per second out of FFmpeg (default 15). */
  fps?: number;
  /** JPEG quality 1–100 (default 85). */
  quality?: number;
  /** Scale to this size; with only one of them the other follows the aspect ratio. */
  width?: number;
  height?: number;
  /** The FFmpeg binary from Settings; default: `ffmpeg` on PATH. */
  ffmpegPath?: string | null;
  /** Loop a file source (default true). */
  loop?: boolean;
  /** No frame for this long → restart FFmpeg (default 10 s). */
  stallTimeoutMs?: number;
  /** Socket timeout given to FFmpeg for RTSP/HTTP sources (default 10 s). */
  ioTimeoutMs?: number;
  /** Restart backoff (default 1 s × 2ⁿ, cap 30 s, ±25 % jitter). */
  backoff?: { baseMs?: number; factor?: number; capMs?: number; jitter?: number };
  /** Frames flowing this long reset the backoff (default 10 s). */
  stableAfterMs?: number;
  /** Period of the side-stream points (default 1 s; 0 = none). */
  metricsIntervalMs?: number;
  /** A frame larger than this is dropped (default 8 MiB). */
  maxFrameBytes?: number;
  /** SIGTERM → SIGKILL grace on stop and restart (default 2 s). */
  killGraceMs?: number;
  /** The owner's registry: its stopAll() stops this camera. */
  registry?: CameraRegistry;
}

export type CameraState = 'starting' | 'streaming' | 'restarting' | 'stopped' | 'error';

export interface CameraStatus {
  state: CameraState;
  /** For a person (source passwords are redacted). */
  message: string;
  /** e.g. `5.1.6-0+deb12u1`, once known. */
  ffmpegVersion?: string;
  /** The FFmpeg process this status is about. */
  pid?: number;
  /** With `restarting`: the delay before the next attempt. */
  retryInMs?: number;
}

export interface CameraStats {
  framesSent: number;
  framesDropped: number;
  /** Frames that came out of FFmpeg (sent + dropped + in flight). */
  framesReceived: number;
  /** Frames sent per second over the last metrics interval. */
  fps: number;
  restarts: number;
  pid: number | null;
  /** Why the last frame was dropped, if any was. */
  lastDropReason: string | null;
}

export interface CameraHandle {
  readonly cameraId: string;
  /** The running FFmpeg's pid, or null between processes. */
  readonly pid: number | null;
  /** The latest status (also for listeners that subscribe late). */
  readonly status: CameraStatus;
  on(event: 'status', listener: (s: CameraStatus) => void): () => void;
  stats(): CameraStats;
  /** Stop streaming; resolves when FFmpeg has exited. Idempotent. */
  stop(): Promise<void>;
}

interface PendingFrame {
  frame: Buffer;
  timestamp: number;
}

/**
 * Start streaming a camera to the sink. Throws at once for what no retry can fix: an unusable
 * source spelling or option (CameraConfigError) or no FFmpeg (FfmpegNotFoundError). Everything
 * after that is reported through status events.
 */
export function streamCamera(
  sink: TelemetrySink,
  url: string,
  cameraId: string,
  opts: CameraOptions = {},
): CameraHandle {
  return new CameraStream(sink, url, cameraId, opts);
}

class CameraStream extends TypedEmitter<{ status: CameraStatus }> implements CameraHandle {
  private readonly source: CameraSource;
  private readonly label: string;
  private readonly ffmpegPath: string;
  private readonly fps: number;
  private readonly quality: number;
  private readonly splitter: MjpegSplitter;
  private readonly ffmpeg: FfmpegSupervisor;
  private readonly mailbox: NewestFrameMailbox<PendingFrame, VideoResult>;
  private readonly metricNames: { fps: string; sent: string; dropped: string; restarts: string; state: string };
  private version: { version: string; major: number | null } | null = null;
  private current: CameraStatus;
  private stopping: Promise<void> | null = null;
  private stopped = false;
  private metricsTimer: ReturnType<typeof setInterval> | null = null;
  private counts = { sent: 0, dropped: 0, received: 0, restarts: 0 };
  private interval = { sent: 0, startedMono: performance.now() };
  private lastFps = 0;
  private lastDropReason: string | null = null;
  /** The source URL's password, to blank out of FFmpeg's messages. */
  private readonly secret: string | null;

  constructor(
    private readonly sink: TelemetrySink,
    url: string,
    readonly cameraId: string,
    private readonly opts: CameraOptions,
  ) {
    super();
    if (typeof cameraId !== 'string' || cameraId.length === 0 || Buffer.byteLength(cameraId) > 200) {
      throw new CameraConfigError(`camera id must be 1–200 bytes, got ${JSON.stringify(cameraId)}`);
    }
    this.source = classifySource(url);
    this.label = redactSource(url.trim());
    this.secret = 'url' in this.source ? urlPassword(this.source.url) : null;
    this.fps = opts.fps ?? 15;
    this.quality = opts.quality ?? 85;
    validateArgsOptions({ fps: this.fps, quality: this.quality, width: opts.width, height: opts.height });
    const stallTimeoutMs = ms('stallTimeoutMs', opts.stallTimeoutMs, 10_000);
    const stableAfterMs = ms('stableAfterMs', opts.stableAfterMs, 10_000);
    const killGraceMs = ms('killGraceMs', opts.killGraceMs, 2_000);
    this.ffmpegPath = resolveFfmpeg({ configuredPath: opts.ffmpegPath });
    const backoff = new Backoff({ baseMs: 1000, factor: 2, capMs: 30_000, jitter: 0.25, ...opts.backoff });
    this.splitter = new MjpegSplitter((f) => this.onFrame(f), opts.maxFrameBytes);
    this.mailbox = new NewestFrameMailbox((f) =>
      this.sink.sendVideoFrame(f.frame, cameraId, { timestamp: f.timestamp }),
    );
    this.ffmpeg = new FfmpegSupervisor(
      {
        ffmpegPath: this.ffmpegPath,
        stallTimeoutMs,
        stableAfterMs,
        killGraceMs,
        backoff,
        cleanExitEnds: this.source.kind === 'file' && opts.loop === false,
        ...(opts.registry ? { registry: opts.registry } : {}),
        redact: (text) => (this.secret ? text.split(this.secret).join('***') : text),
      },
      {
        spawned: (pid) => {
          this.splitter.reset();
          const message = `FFmpeg ${this.version?.version ?? '?'} started for ${this.label}`;
          this.setStatus({ state: 'starting', message, pid });
        },
        stdout: (chunk) => this.splitter.push(chunk),
        exited: () => this.splitter.reset(),
        restarting: (reason, delay, pid) => {
          this.counts.restarts++;
          this.setStatus({
            state: 'restarting',
            message: `${reason}; restarting in ${(delay / 1000).toFixed(1)} s`,
            retryInMs: delay,
            ...(pid !== undefined ? { pid } : {}),
          });
        },
        ended: () => {
          this.terminate('end of file').catch((e: unknown) => this.internalError(e));
        },
      },
    );
    const m = `camera.${cameraId}`;
    this.metricNames = {
      fps: `${m}.fps`,
      sent: `${m}.frames_sent`,
      dropped: `${m}.frames_dropped`,
      restarts: `${m}.restarts`,
      state: `${m}.state`,
    };
    this.current = { state: 'starting', message: `starting ${this.label}` };
    opts.registry?.add(this);
    const every = opts.metricsIntervalMs ?? 1000;
    if (every > 0) this.metricsTimer = setInterval(() => this.reportMetrics(), every);
    this.launch().catch((e: unknown) => this.internalError(e));
  }

  get pid(): number | null {
    return this.ffmpeg.pid;
  }

  get status(): CameraStatus {
    return { ...this.current };
  }

  stats(): CameraStats {
    return {
      framesSent: this.counts.sent,
      framesDropped: this.counts.dropped,
      framesReceived: this.counts.received,
      fps: this.lastFps,
      restarts: this.counts.restarts,
      pid: this.pid,
      lastDropReason: this.lastDropReason,
    };
  }

  stop(): Promise<void> {
    return this.terminate('stopped');
  }

  /** Stop for good (once): `final` is the status message, or null when an error status was already set. */
  private terminate(final: string | null): Promise<void> {
    this.stopping ??= this.shutdown(final);
    return this.stopping;
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────

  private async launch(): Promise<void> {
    try {
      this.version = await ffmpegVersion(this.ffmpegPath);
    } catch (e) {
      if (!this.stopped) {
        this.setStatus({ state: 'error', message: (e as Error).message });
        this.terminate(null).catch((err: unknown) => this.internalError(err));
      }
      return;
    }
    if (this.stopped) return;
    this.ffmpeg.start(
      buildFfmpegArgs(this.source, {
        fps: this.fps,
        quality: this.quality,
        width: this.opts.width,
        height: this.opts.height,
        loop: this.opts.loop,
        ioTimeoutMs: this.opts.ioTimeoutMs,
        ffmpegMajor: this.version.major,
      }),
    );
  }

  private async shutdown(final: string | null): Promise<void> {
    this.stopped = true;
    this.mailbox.close(); // the waiting frame, if any, is dropped as 'camera stopped'
    const pid = this.ffmpeg.pid ?? undefined;
    await this.ffmpeg.stop();
    // So the totals below are final; a sink that never answers must not block stop().
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.mailbox.idle(), new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    if (this.metricsTimer) {
      clearInterval(this.metricsTimer);
      this.metricsTimer = null;
      this.reportMetrics();
    }
    this.opts.registry?.delete(this);
    if (final !== null) this.setStatus({ state: 'stopped', message: final, ...(pid !== undefined ? { pid } : {}) });
  }

  // ── frames ───────────────────────────────────────────────────────────────────────────

  private onFrame(frame: Buffer): void {
    const timestamp = Math.round(this.sink.now());
    const pid = this.ffmpeg.pid;
    if (pid === null) return;
    this.counts.received++;
    if (this.ffmpeg.frame())
      this.setStatus({ state: 'streaming', message: `streaming ${this.label} at ${this.fps} fps`, pid });
    this.mailbox.post({ frame, timestamp }).then(
      (o) => this.count(o),
      (e: unknown) => this.internalError(e),
    );
  }

  private count(o: MailboxOutcome<VideoResult>): void {
    if (o.kind === 'sent' && o.result.sent) {
      this.counts.sent++;
      this.interval.sent++;
    } else if (o.kind === 'sent') this.dropped(o.result.reason ?? 'not sent');
    else if (o.kind === 'failed') this.dropped(o.error.message);
    else if (o.kind === 'superseded') this.dropped('superseded by a newer frame');
    else this.dropped('camera stopped');
  }

  private dropped(reason: string): void {
    this.counts.dropped++;
    this.lastDropReason = reason;
  }

  // ── reporting ────────────────────────────────────────────────────────────────────────

  private reportMetrics(): void {
    const mono = performance.now();
    const secs = (mono - this.interval.startedMono) / 1000;
    this.lastFps = secs > 0 ? Math.round((this.interval.sent / secs) * 100) / 100 : 0;
    this.interval = { sent: 0, startedMono: mono };
    const timestamp = Math.round(this.sink.now());
    try {
      this.sink.sendBatch([
        { metric: this.metricNames.fps, value: this.lastFps, timestamp },
        { metric: this.metricNames.sent, value: this.counts.sent, timestamp },
        { metric: this.metricNames.dropped, value: this.counts.dropped, timestamp },
        { metric: this.metricNames.restarts, value: this.counts.restarts, timestamp },
      ]);
    } catch {
      // The client is closed or refused the points: the stats() counters still tell.
    }
  }

  /** One of our own promises that cannot reject did: a bug, shown rather than hidden. */
  private internalError(e: unknown): void {
    this.setStatus({ state: 'error', message: `internal error: ${e instanceof Error ? e.message : String(e)}` });
  }

  private setStatus(s: CameraStatus): void {
    const full: CameraStatus = this.version ? { ...s, ffmpegVersion: this.version.version } : s;
    this.current = full;
    try {
      this.sink.send(this.metricNames.state, { state: full.state, message: full.message.slice(0, 1000) });
    } catch {}
    this.emit('status', { ...full });
  }
}

function urlPassword(url: string): string | null {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^/@]+)@/i.exec(url)?.[1] ?? null;
}

/** A duration option: the shared check, reported as a camera configuration error. */
function ms(name: string, v: number | undefined, dflt: number): number {
  try {
    return positive(name, v, dflt);
  } catch (e) {
    throw new CameraConfigError(`${(e as Error).message} (milliseconds)`);
  }
}
