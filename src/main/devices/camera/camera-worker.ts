// One camera: an FFmpeg child turns the source into JPEGs on its stdout, we split them and hand
// each to the Plexus client as a live video frame, and keep FFmpeg alive.
//
// Timestamps: a frame's timestamp is `sink.now()` when its last byte arrived from FFmpeg — the
// capture time on the client's clock, later than the true exposure by FFmpeg's own pipeline
// (decode, scale, encode: typically a few ms to a few tens of ms).
//
// Backpressure: at most one sendVideoFrame() in flight plus the newest waiting frame. A newer
// frame replaces the waiting one, which is dropped and counted; a `sent: false` result (client not
// connected, socket backpressure, rate limit) is counted as dropped too. Video is never queued.
//
// Restarts: FFmpeg exiting for any reason, or no frame for `stallTimeoutMs`, kills it (if alive)
// and starts a new one after a backoff (1 s × 2ⁿ, cap 30 s, ±25 %), reported as status
// `restarting` with the reason and FFmpeg's last stderr lines. The backoff resets once frames have
// flowed for `stableAfterMs`. A file played once (`loop: false`) that ends is `stopped`, not restarted.
//
// Processes: FFmpeg gets no stdin (`-nostdin`, stdin ignored) and writes to a pipe we read, so if
// this process dies without warning FFmpeg dies of EPIPE at its next frame (a silent network
// source ends by its socket timeout first). stop() sends SIGTERM, SIGKILL after 2 s, and resolves
// when the process has exited. Every live child is in a module registry: stopAllCameras() stops
// them all, and a process 'exit' hook SIGKILLs survivors synchronously (the host should still
// await stopAllCameras() before quitting, which lets FFmpeg end cleanly).
//
// Side stream (points, every `metricsIntervalMs`, also while restarting so a run shows the gaps):
//   camera.<id>.fps             frames handed to the gateway connection per second, last interval
//   camera.<id>.frames_sent     total frames sent since streamCamera()
//   camera.<id>.frames_dropped  total frames dropped (backpressure, not connected, rate, errors)
//   camera.<id>.restarts        total FFmpeg restarts
// and an event `camera.<id>.state` = { state, message } on every status change.

import { type ChildProcess, spawn } from 'node:child_process';
import { Backoff, TypedEmitter } from '../../plexus';
import type { TelemetrySink } from '../types';
import {
  buildFfmpegArgs,
  CameraConfigError,
  classifySource,
  redactSource,
  validateArgsOptions,
  type CameraSource,
} from './args';
import { ffmpegVersion, resolveFfmpeg } from './ffmpeg';
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

// ── the registry of live children and cameras ──────────────────────────────────────────────

const liveChildren = new Set<ChildProcess>();
const liveCameras = new Set<CameraStream>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  liveChildren.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' listeners must be synchronous: kill() is (it only sends the signal).
    process.on('exit', () => {
      for (const c of liveChildren) {
        try {
          c.kill('SIGKILL');
        } catch {}
      }
    });
  }
}

/** Stop every camera of this process; resolves when all their FFmpeg processes have exited. */
export async function stopAllCameras(): Promise<void> {
  await Promise.all([...liveCameras].map((c) => c.stop()));
}

/** Pids of FFmpeg processes this module started that have not exited yet (diagnostics, tests). */
export function liveFfmpegPids(): number[] {
  return [...liveChildren].map((c) => c.pid).filter((p): p is number => p !== undefined);
}

// ── one camera ─────────────────────────────────────────────────────────────────────────────

interface Proc {
  child: ChildProcess;
  exited: Promise<void>;
  /** Why we are killing it (stall, stop), if we are. */
  killReason: string | null;
  firstFrameAt: number | null;
  stderrTail: string;
  stderrBeforeKill: string | null;
}

interface PendingFrame {
  frame: Buffer;
  timestamp: number;
}

const STDERR_TAIL_BYTES = 2000;

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
  private readonly stallTimeoutMs: number;
  private readonly stableAfterMs: number;
  private readonly killGraceMs: number;
  private readonly backoff: Backoff;
  private readonly splitter: MjpegSplitter;
  private readonly metricNames: { fps: string; sent: string; dropped: string; restarts: string; state: string };
  private version: { version: string; major: number | null } | null = null;
  private proc: Proc | null = null;
  private current: CameraStatus;
  private stopping: Promise<void> | null = null;
  private stopped = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private stallTimer: ReturnType<typeof setTimeout> | null = null;
  private metricsTimer: ReturnType<typeof setInterval> | null = null;
  /** The sendVideoFrame() in flight, settled or not (at most one). */
  private inFlight: Promise<void> | null = null;
  private waiting: PendingFrame | null = null;
  private counts = { sent: 0, dropped: 0, received: 0, restarts: 0 };
  private interval = { sent: 0, startedMono: performance.now() };
  private lastFps = 0;
  private lastDropReason: string | null = null;
  /** Processes whose end was handled ('error' and 'close' can both report it). */
  private readonly gone = new WeakSet<Proc>();
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
    this.stallTimeoutMs = positive(opts.stallTimeoutMs, 10_000, 'stallTimeoutMs');
    this.stableAfterMs = positive(opts.stableAfterMs, 10_000, 'stableAfterMs');
    this.killGraceMs = positive(opts.killGraceMs, 2_000, 'killGraceMs');
    this.ffmpegPath = resolveFfmpeg({ configuredPath: opts.ffmpegPath });
    this.backoff = new Backoff({ baseMs: 1000, factor: 2, capMs: 30_000, jitter: 0.25, ...opts.backoff });
    this.splitter = new MjpegSplitter((f) => this.onFrame(f), opts.maxFrameBytes);
    const m = `camera.${cameraId}`;
    this.metricNames = {
      fps: `${m}.fps`,
      sent: `${m}.frames_sent`,
      dropped: `${m}.frames_dropped`,
      restarts: `${m}.restarts`,
      state: `${m}.state`,
    };
    this.current = { state: 'starting', message: `starting ${this.label}` };
    liveCameras.add(this);
    const every = opts.metricsIntervalMs ?? 1000;
    if (every > 0) this.metricsTimer = setInterval(() => this.reportMetrics(), every);
    void this.launch();
  }

  get pid(): number | null {
    return this.proc?.child.pid ?? null;
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
        void this.terminate(null);
      }
      return;
    }
    if (!this.stopped) this.spawnFfmpeg();
  }

  private spawnFfmpeg(): void {
    this.restartTimer = null;
    if (this.stopped) return;
    const args = buildFfmpegArgs(this.source, {
      fps: this.fps,
      quality: this.quality,
      width: this.opts.width,
      height: this.opts.height,
      loop: this.opts.loop,
      ioTimeoutMs: this.opts.ioTimeoutMs,
      ffmpegMajor: this.version?.major,
    });
    let child: ChildProcess;
    try {
      child = spawn(this.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      this.scheduleRestart(`could not run ${this.ffmpegPath}: ${(e as Error).message}`);
      return;
    }
    let markExited!: () => void;
    const proc: Proc = {
      child,
      exited: new Promise<void>((r) => (markExited = r)),
      killReason: null,
      firstFrameAt: null,
      stderrTail: '',
      stderrBeforeKill: null,
    };
    this.proc = proc;
    this.splitter.reset();
    if (child.pid !== undefined) track(child);
    child.once('exit', () => {
      liveChildren.delete(child);
      markExited();
    });
    child.on('error', (err) => {
      // Spawning failed (no 'exit' may follow), or a signal could not be delivered.
      if (child.pid === undefined) {
        proc.stderrTail = `could not run ${this.ffmpegPath}: ${err.message}`;
        markExited();
        this.onGone(proc, null, null);
      }
    });
    // 'close' comes after the exit *and* the last stdout/stderr bytes, so the reason is complete.
    child.once('close', (code, signal) => this.onGone(proc, code, signal));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (this.proc === proc && !this.stopped) this.splitter.push(chunk);
    });
    // A pipe error ends in 'close' like everything else; it must not become an uncaught 'error'.
    child.stdout!.on('error', () => {});
    child.stderr!.on('error', () => {});
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      proc.stderrTail = (proc.stderrTail + s).slice(-STDERR_TAIL_BYTES);
    });
    this.armStall(proc);
    if (child.pid !== undefined) {
      this.setStatus({
        state: 'starting',
        message: `FFmpeg ${this.version?.version ?? '?'} started for ${this.label}`,
        pid: child.pid,
      });
    }
  }

  /** The FFmpeg process ended (or never started): decide what comes next. */
  private onGone(proc: Proc, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.gone.has(proc)) return;
    this.gone.add(proc);
    if (this.proc !== proc) return;
    this.clearStall();
    this.proc = null;
    this.splitter.reset();
    if (this.stopped) return;
    const pid = proc.child.pid;
    if (this.source.kind === 'file' && this.opts.loop === false && code === 0 && !proc.killReason) {
      void this.terminate('end of file');
      return;
    }
    const why = proc.killReason ?? describeExit(code, signal);
    const tail = lastLines(this.redact(proc.stderrBeforeKill ?? proc.stderrTail));
    this.scheduleRestart(`${why}${tail ? `: ${tail}` : ''}`, pid);
  }

  private scheduleRestart(reason: string, pid?: number): void {
    const delay = this.backoff.next();
    this.counts.restarts++;
    this.setStatus({
      state: 'restarting',
      message: `${reason}; restarting in ${(delay / 1000).toFixed(1)} s`,
      retryInMs: delay,
      ...(pid !== undefined ? { pid } : {}),
    });
    this.restartTimer = setTimeout(() => this.spawnFfmpeg(), delay);
  }

  private armStall(proc: Proc): void {
    this.clearStall();
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null;
      if (this.proc !== proc || this.stopped) return;
      proc.killReason = `no frame for ${(this.stallTimeoutMs / 1000).toFixed(1)} s`;
      // What FFmpeg says after our signal ("Immediate exit requested") is noise: keep what came before.
      proc.stderrBeforeKill = proc.stderrTail;
      void this.kill(proc);
    }, this.stallTimeoutMs);
  }

  private clearStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  /**
   * SIGTERM, then SIGKILL after the grace period; resolves when the process has exited. FFmpeg
   * acts on one SIGTERM between packets, but a read blocked on a silent source is interrupted only
   * by a second signal: so a second SIGTERM follows after 250 ms.
   */
  private async kill(proc: Proc): Promise<void> {
    const c = proc.child;
    const alive = (): boolean => c.exitCode === null && c.signalCode === null;
    if (c.pid === undefined || !alive()) return proc.exited;
    c.kill('SIGTERM');
    const again = setTimeout(() => alive() && c.kill('SIGTERM'), Math.min(250, this.killGraceMs / 2));
    const hard = setTimeout(() => alive() && c.kill('SIGKILL'), this.killGraceMs);
    await proc.exited;
    clearTimeout(again);
    clearTimeout(hard);
  }

  private async shutdown(final: string | null): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.clearStall();
    if (this.waiting) this.dropped('camera stopped');
    this.waiting = null;
    const proc = this.proc;
    const pid = proc?.child.pid;
    if (proc) {
      proc.killReason ??= 'stopped';
      await this.kill(proc);
    }
    this.proc = null;
    if (this.inFlight) {
      // So the totals below are final; a sink that never answers must not block stop().
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.inFlight, new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
      clearTimeout(timer);
    }
    if (this.metricsTimer) {
      clearInterval(this.metricsTimer);
      this.metricsTimer = null;
      this.reportMetrics();
    }
    liveCameras.delete(this);
    if (final !== null) this.setStatus({ state: 'stopped', message: final, ...(pid !== undefined ? { pid } : {}) });
  }

  // ── frames ───────────────────────────────────────────────────────────────────────────

  private onFrame(frame: Buffer): void {
    const timestamp = Math.round(this.sink.now());
    const proc = this.proc;
    if (!proc) return;
    this.counts.received++;
    this.stallTimer?.refresh();
    const mono = performance.now();
    if (proc.firstFrameAt === null) {
      proc.firstFrameAt = mono;
      this.setStatus({
        state: 'streaming',
        message: `streaming ${this.label} at ${this.fps} fps`,
        ...(proc.child.pid !== undefined ? { pid: proc.child.pid } : {}),
      });
    } else if (this.backoff.attempts > 0 && mono - proc.firstFrameAt >= this.stableAfterMs) {
      this.backoff.reset();
    }
    const f = { frame, timestamp };
    if (!this.inFlight) return this.dispatch(f);
    if (this.waiting) this.dropped('superseded by a newer frame');
    this.waiting = f;
  }

  private dispatch(f: PendingFrame): void {
    let p: Promise<{ sent: boolean; reason?: string }>;
    try {
      p = this.sink.sendVideoFrame(f.frame, this.cameraId, { timestamp: f.timestamp });
    } catch (e) {
      p = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    this.inFlight = p
      .then(
        (r) => {
          if (r.sent) {
            this.counts.sent++;
            this.interval.sent++;
          } else this.dropped(r.reason ?? 'not sent');
        },
        (e: unknown) => this.dropped(e instanceof Error ? e.message : String(e)),
      )
      .finally(() => {
        this.inFlight = null;
        const next = this.waiting;
        this.waiting = null;
        if (next && !this.stopped) this.dispatch(next);
      });
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

  private setStatus(s: CameraStatus): void {
    const full: CameraStatus = this.version ? { ...s, ffmpegVersion: this.version.version } : s;
    this.current = full;
    try {
      this.sink.send(this.metricNames.state, { state: full.state, message: full.message.slice(0, 1000) });
    } catch {}
    this.emit('status', { ...full });
  }

  private redact(text: string): string {
    return this.secret ? text.split(this.secret).join('***') : text;
  }
}

function urlPassword(url: string): string | null {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^/@]+)@/i.exec(url)?.[1] ?? null;
}

function positive(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v <= 0) throw new CameraConfigError(`${name} must be a positive number of ms, got ${v}`);
  return v;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `FFmpeg was killed by ${signal}`;
  if (code === 0) return 'FFmpeg ended (end of stream)';
  if (code === null) return 'FFmpeg could not start';
  return `FFmpeg exited with code ${code}`;
}

/** The last few non-empty lines of FFmpeg's stderr, on one line. */
function lastLines(text: string, n = 3): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ');
}
