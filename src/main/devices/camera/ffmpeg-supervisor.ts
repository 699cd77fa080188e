// Keeps one FFmpeg alive for a camera: spawns it, watches for stalls, kills it with a grace
// period, decides what an exit means, and starts a new one after a backoff.
//
// Restarts: FFmpeg exiting for any reason, or no frame for `stallTimeoutMs`, kills it (if alive)
// and starts a new one after a backoff delay, reported with the reason and FFmpeg's last stderr
// lines. The backoff resets once frames have flowed for `stableAfterMs`. With `cleanExitEnds` (a
// file played once) a clean exit is the end, not a failure.
//
// Processes: FFmpeg gets no stdin (`-nostdin`, stdin ignored) and writes to a pipe we read, so if
// this process dies without warning FFmpeg dies of EPIPE at its next frame (a silent network
// source ends by its socket timeout first). stop() sends SIGTERM, SIGKILL after the grace period,
// and resolves when the process has exited. Every child is registered for the process 'exit'
// hook, and with the owner's registry when there is one.

import { type ChildProcess, spawn } from 'node:child_process';
import type { Backoff } from '../../../shared/util';
import { type CameraRegistry, killOnExit } from './camera-registry';

export interface SupervisorOptions {
  ffmpegPath: string;
  /** No frame for this long → kill and restart. */
  stallTimeoutMs: number;
  /** Frames flowing this long reset the backoff. */
  stableAfterMs: number;
  /** SIGTERM → SIGKILL grace on stop and stall. */
  killGraceMs: number;
  backoff: Backoff;
  /** A clean exit (code 0) ends the camera instead of restarting it (a file played once). */
  cleanExitEnds: boolean;
  /** The owner's registry, which lists this FFmpeg while it runs. */
  registry?: CameraRegistry;
  /** Blanks secrets (a source password) out of FFmpeg's stderr before it becomes a message. */
  redact: (text: string) => string;
}

/** What the supervisor tells its camera; called synchronously, in this order per process. */
export interface SupervisorEvents {
  /** A new FFmpeg runs. */
  spawned(pid: number): void;
  /** Bytes from the running FFmpeg's stdout (never from an older one). */
  stdout(chunk: Buffer): void;
  /** The running FFmpeg is gone (or never started); one of the next two follows unless stopped. */
  exited(): void;
  /** The next FFmpeg starts in `delayMs`; `pid` is the one that ended, if it ever ran. */
  restarting(reason: string, delayMs: number, pid: number | undefined): void;
  /** The clean end of a `cleanExitEnds` source: nothing follows. */
  ended(): void;
}

interface Proc {
  child: ChildProcess;
  exited: Promise<void>;
  /** Why we are killing it (stall, stop), if we are. */
  killReason: string | null;
  firstFrameAt: number | null;
  stderrTail: string;
  stderrBeforeKill: string | null;
}

const STDERR_TAIL_BYTES = 2000;

export class FfmpegSupervisor {
  private args: readonly string[] = [];
  private proc: Proc | null = null;
  private stopped = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private stallTimer: ReturnType<typeof setTimeout> | null = null;
  /** Processes whose end was handled ('error' and 'close' can both report it). */
  private readonly gone = new WeakSet<Proc>();

  constructor(
    private readonly opts: SupervisorOptions,
    private readonly on: SupervisorEvents,
  ) {}

  /** The running FFmpeg's pid, or null between processes. */
  get pid(): number | null {
    return this.proc?.child.pid ?? null;
  }

  /** Start the first FFmpeg with these arguments (restarts reuse them). No-op once stopped. */
  start(args: readonly string[]): void {
    this.args = args;
    this.spawnFfmpeg();
  }

  /**
   * A frame came out of the running FFmpeg: the stall timer starts over, and frames flowing for
   * `stableAfterMs` reset the backoff. True for the process's first frame.
   */
  frame(): boolean {
    const proc = this.proc;
    if (!proc) return false;
    this.stallTimer?.refresh();
    const mono = performance.now();
    if (proc.firstFrameAt === null) {
      proc.firstFrameAt = mono;
      return true;
    }
    if (this.opts.backoff.attempts > 0 && mono - proc.firstFrameAt >= this.opts.stableAfterMs) {
      this.opts.backoff.reset();
    }
    return false;
  }

  /** No more restarts; kill the running FFmpeg and resolve when it has exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.clearStall();
    const proc = this.proc;
    if (proc) {
      proc.killReason ??= 'stopped';
      this.kill(proc);
      await proc.exited;
    }
    this.proc = null;
  }

  private spawnFfmpeg(): void {
    this.restartTimer = null;
    // A status listener may stop the camera while the restart is being scheduled.
    if (this.stopped) return;
    const path = this.opts.ffmpegPath;
    let child: ChildProcess;
    try {
      child = spawn(path, this.args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      this.scheduleRestart(`could not run ${path}: ${(e as Error).message}`);
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
    killOnExit(child);
    this.opts.registry?.track(child);
    child.once('exit', () => markExited());
    child.on('error', (err) => {
      // Spawning failed (no 'exit' may follow), or a signal could not be delivered.
      if (child.pid === undefined) {
        proc.stderrTail = `could not run ${path}: ${err.message}`;
        markExited();
        this.onGone(proc, null, null);
      }
    });
    // 'close' comes after the exit *and* the last stdout/stderr bytes, so the reason is complete.
    child.once('close', (code, signal) => this.onGone(proc, code, signal));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (this.proc === proc && !this.stopped) this.on.stdout(chunk);
    });
    // A pipe error ends in 'close' like everything else; it must not become an uncaught 'error'.
    child.stdout!.on('error', () => {});
    child.stderr!.on('error', () => {});
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      proc.stderrTail = (proc.stderrTail + s).slice(-STDERR_TAIL_BYTES);
    });
    this.armStall(proc);
    if (child.pid !== undefined) this.on.spawned(child.pid);
  }

  /** The FFmpeg process ended (or never started): decide what comes next. */
  private onGone(proc: Proc, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.gone.has(proc)) return;
    this.gone.add(proc);
    if (this.proc !== proc) return;
    this.clearStall();
    this.proc = null;
    this.on.exited();
    if (this.stopped) return;
    if (this.opts.cleanExitEnds && code === 0 && !proc.killReason) {
      this.on.ended();
      return;
    }
    const why = proc.killReason ?? describeExit(code, signal);
    const tail = lastLines(this.opts.redact(proc.stderrBeforeKill ?? proc.stderrTail));
    this.scheduleRestart(`${why}${tail ? `: ${tail}` : ''}`, proc.child.pid);
  }

  private scheduleRestart(reason: string, pid?: number): void {
    const delay = this.opts.backoff.next();
    this.on.restarting(reason, delay, pid);
    if (this.stopped) return;
    this.restartTimer = setTimeout(() => this.spawnFfmpeg(), delay);
  }

  private armStall(proc: Proc): void {
    this.clearStall();
    const ms = this.opts.stallTimeoutMs;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null;
      if (this.proc !== proc || this.stopped) return;
      proc.killReason = `no frame for ${(ms / 1000).toFixed(1)} s`;
      // What FFmpeg says after our signal ("Immediate exit requested") is noise: keep what came before.
      proc.stderrBeforeKill = proc.stderrTail;
      this.kill(proc); // its end comes through onGone, like any other
    }, ms);
  }

  private clearStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  /**
   * SIGTERM, then SIGKILL after the grace period (`proc.exited` tells when it is over). FFmpeg
   * acts on one SIGTERM between packets, but a read blocked on a silent source is interrupted only
   * by a second signal: so a second SIGTERM follows after 250 ms.
   */
  private kill(proc: Proc): void {
    const c = proc.child;
    const alive = (): boolean => c.exitCode === null && c.signalCode === null;
    if (c.pid === undefined || !alive()) return;
    const grace = this.opts.killGraceMs;
    c.kill('SIGTERM');
    const again = setTimeout(() => alive() && c.kill('SIGTERM'), Math.min(250, grace / 2));
    const hard = setTimeout(() => alive() && c.kill('SIGKILL'), grace);
    c.once('exit', () => {
      clearTimeout(again);
      clearTimeout(hard);
    });
  }
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
