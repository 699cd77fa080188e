// Shared setup of the process plugin tests (test/plugins/process-run-*.test.ts): scripts written to a
// temp folder and started as process plugins, their points and log lines collected, and everything
// they started cleaned up after each test with `afterEach(cleanUp)`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { PluginRecorder } from '../../src/main/plugins/plugin-recorder';
import { startProcessRun, type ProcessRunOptions } from '../../src/main/plugins/process/process-run';
import type { CommandCall, LogLevel, PluginRun, PluginSink } from '../../src/main/plugins/types';
import { pidRunning } from '../fixtures/camera-helpers';
import { sleep } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

export const PATH_ENV = process.env.PATH ?? '/usr/bin:/bin';

export interface Point {
  metric: string;
  value: unknown;
}

export interface Harness {
  run: PluginRun;
  points: Point[];
  logs: Array<{ level: LogLevel; message: string }>;
  dir: string;
  /** Pids the plugin printed to its error output as `<word> <pid>`. */
  pid(word: string): number | undefined;
}

export const runs: PluginRun[] = [];
export const pids: number[] = [];
export const apps: ChildProcess[] = [];

/** Each test file runs `afterEach(cleanUp)`: stops the runs, kills the apps and pids the tests left. */
export async function cleanUp(): Promise<void> {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
  for (const a of apps.splice(0)) if (a.exitCode === null && a.signalCode === null) a.kill('SIGKILL');
  for (const pid of pids.splice(0))
    if (pidRunning(pid))
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
  cleanupTempDirs();
}

export function collectingSink(points: Point[]): PluginSink {
  return {
    now: () => Date.now(),
    send: (metric, value) => points.push({ metric, value }),
    sendBatch: (batch) => {
      for (const p of batch) points.push({ metric: p.metric, value: p.value });
      return points.length;
    },
    event: (metric, value) => points.push({ metric, value }),
    sendVideoFrame: () => Promise.resolve({ sent: true }),
  };
}

export function options(
  dir: string,
  points: Point[],
  logs: Harness['logs'],
  o: Partial<ProcessRunOptions>,
): ProcessRunOptions {
  const log = (level: LogLevel, message: string): void => void logs.push({ level, message });
  return {
    command: '/bin/sh',
    args: [],
    cwd: dir,
    env: { PATH: PATH_ENV, PYTHONUNBUFFERED: '1' },
    parser: 'plotter',
    prefix: 'dev',
    recorder: new PluginRecorder(collectingSink(points), null, log),
    log,
    stopGraceMs: 2000,
    ...o,
  };
}

/** Writes `body` as a script (sh or python) into a temp folder and starts it as a process plugin. */
export async function start(lang: 'sh' | 'py', body: string, o: Partial<ProcessRunOptions> = {}): Promise<Harness> {
  const dir = tempDir('plexus-proc-');
  const file = path.join(dir, lang === 'sh' ? 'plugin.sh' : 'plugin.py');
  writeFileSync(file, body);
  const points: Point[] = [];
  const logs: Harness['logs'] = [];
  const command = lang === 'sh' ? '/bin/sh' : '/usr/bin/python3';
  const run = await startProcessRun(options(dir, points, logs, { command, args: [file], ...o }));
  runs.push(run);
  pids.push(run.pid!);
  const pid = (word: string): number | undefined => {
    for (const l of logs) {
      const m = new RegExp(`^${word} (\\d+)$`).exec(l.message);
      if (m) {
        pids.push(Number(m[1]));
        return Number(m[1]);
      }
    }
    return undefined;
  };
  return { run, points, logs, dir, pid };
}

export function call(
  signal: AbortSignal = new AbortController().signal,
  id = `c${Math.random().toString(36).slice(2)}`,
): CommandCall {
  return { id, receivedAt: Date.now(), signal };
}

export function valueOf(points: Point[], metric: string): unknown {
  return points.find((p) => p.metric === metric)?.value;
}

/** Whether `p` settles within `ms`: for runs that must not report an end. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}

/** The session id of a process (field 6 of /proc/<pid>/stat). */
export function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
}
