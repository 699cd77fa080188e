// Who owns which cameras. Whoever starts cameras (a host, a test, a bench) creates a
// CameraRegistry and passes it to streamCamera(); stopAll() then stops exactly those cameras and
// no others, so two hosts in one process cannot stop each other's FFmpeg.
//
// Crash safety is process-wide on purpose: every FFmpeg any camera starts, with or without a
// registry, is SIGKILLed by one synchronous process 'exit' hook if it is still alive then. An
// owner should still await stopAll() before quitting, which lets FFmpeg end cleanly.

import type { ChildProcess } from 'node:child_process';

/** What the registry needs of a camera: a way to stop it. */
export interface StoppableCamera {
  stop(): Promise<void>;
}

/** Every FFmpeg of this process not yet exited, whichever registry it belongs to. */
const everyLiveChild = new Set<ChildProcess>();
let exitHookInstalled = false;

/** SIGKILL `child` when this process exits, if it is still alive then. */
export function killOnExit(child: ChildProcess): void {
  if (child.pid === undefined) return; // never started: nothing to kill
  everyLiveChild.add(child);
  child.once('exit', () => everyLiveChild.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' listeners must be synchronous: kill() is (it only sends the signal).
  process.on('exit', () => {
    for (const c of everyLiveChild) {
      try {
        c.kill('SIGKILL');
      } catch {
        // already gone, or not ours to signal any more: nothing else can be done while exiting
      }
    }
  });
}

export class CameraRegistry {
  private readonly cameras = new Set<StoppableCamera>();
  private readonly children = new Set<ChildProcess>();

  /** A camera started with this registry (streamCamera calls it). */
  add(camera: StoppableCamera): void {
    this.cameras.add(camera);
  }

  /** A camera that has stopped for good (it calls this itself). */
  delete(camera: StoppableCamera): void {
    this.cameras.delete(camera);
  }

  /** An FFmpeg one of this registry's cameras started; forgotten when it exits. */
  track(child: ChildProcess): void {
    if (child.pid === undefined) return;
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  /** Cameras started with this registry and not stopped yet. */
  get size(): number {
    return this.cameras.size;
  }

  /** Stop this registry's cameras; resolves when their FFmpeg processes have exited. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.cameras].map((c) => c.stop()));
  }

  /** Pids of this registry's FFmpeg processes that have not exited yet (diagnostics, tests). */
  ffmpegPids(): number[] {
    return [...this.children].map((c) => c.pid).filter((p): p is number => p !== undefined);
  }
}
