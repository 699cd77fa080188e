// Real pseudo-terminal pairs (socat) for serial tests, and the simulated device process.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const children = new Set<ChildProcess>();
let scripts = 0;

export interface PtyPair {
  /** The device's end: the simulated device writes here. */
  device: string;
  /** The host's end: what the SerialDevice opens. */
  host: string;
  proc: ChildProcess;
  /** Kill socat: both links vanish — an unplug. */
  kill(): Promise<void>;
}

async function waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A fresh pty pair with links `<dir>/<name>-dev` and `<dir>/<name>-host`. */
export async function ptyPair(dir: string, name = 'tty', paths?: { device: string; host: string }): Promise<PtyPair> {
  const device = paths?.device ?? join(dir, `${name}-dev`);
  const host = paths?.host ?? join(dir, `${name}-host`);
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${host}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  let spawnError: Error | null = null;
  proc.on('error', (e) => (spawnError = e));
  await waitFor(() => spawnError !== null || (existsSync(device) && existsSync(host)), 5000, `socat links ${device}`);
  if (spawnError)
    throw new Error(`cannot start socat (install it: apt-get install socat): ${(spawnError as Error).message}`);
  return {
    device,
    host,
    proc,
    kill: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
      await waitFor(() => !existsSync(host) && !existsSync(device), 3000, 'the links to vanish');
    },
  };
}

export interface SimDevice {
  proc: ChildProcess;
  /** Lines the device received from the host (it echoes them to its stdout). */
  received: string[];
  done: Promise<number | null>;
  kill(): Promise<void>;
}

/**
 * The simulated device: a child process that writes to the device end of a pty.
 * `script` is JSON: { lines?: string[] (raw, "\n" is not added), hex?: string[] (raw bytes),
 * rate?: { linesPerSec, seconds, values } (paced "seq:i,v1:…" lines), stayOpenMs? }.
 */
export function simDevice(path: string, script: Record<string, unknown>): SimDevice {
  // The script goes through a file: a big one would not fit on a command line.
  const scriptFile = `${path}.script-${++scripts}.json`;
  writeFileSync(scriptFile, JSON.stringify(script));
  const proc = spawn(
    process.execPath,
    ['--require', 'tsx/cjs', join(__dirname, '..', 'fixtures', 'sim-serial-device.ts'), path, scriptFile],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.add(proc);
  const received: string[] = [];
  createInterface({ input: proc.stdout }).on('line', (l) => {
    if (l.startsWith('rx ')) received.push(l.slice(3));
  });
  const done = new Promise<number | null>((r) =>
    proc.on('exit', (code) => {
      children.delete(proc);
      r(code);
    }),
  );
  return {
    proc,
    received,
    done,
    kill: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await done;
    },
  };
}

/** Kill every socat and simulated device still running (afterEach). */
export async function killAllPtyProcesses(): Promise<void> {
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise<void>((r) => {
          if (c.exitCode !== null || c.signalCode !== null) return r();
          c.once('exit', () => r());
          c.kill('SIGKILL');
        }),
    ),
  );
}

/** Write to the device's end of the pty in one write() call: the host reads it as one chunk. */
export function writeAtOnce(path: string, text: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
