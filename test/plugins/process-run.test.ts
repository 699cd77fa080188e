// Process plugins with real child processes (/bin/sh, /usr/bin/python3): their output parsed in
// each line format, error output logged, commands answered over stdin/stdout, and — above all —
// nothing they started left running: not on stop(), not when they end by themselves, not when the
// recorder itself is killed with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { ParserKind } from '../../src/main/devices/types';
import { PluginRecorder } from '../../src/main/plugins/plugin-recorder';
import { startProcessRun, type ProcessRunOptions } from '../../src/main/plugins/process/process-run';
import {
  PluginEnded,
  type CommandCall,
  type EndReason,
  type LogLevel,
  type PluginRun,
  type PluginSink,
} from '../../src/main/plugins/types';
import { pidRunning } from '../fixtures/camera-helpers';
import { sleep, until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

const SUBREAPER = path.join(__dirname, '../fixtures/camera-subreaper.py');
const APP = path.join(__dirname, '../fixtures/plugins/process-app.ts');
const PATH_ENV = process.env.PATH ?? '/usr/bin:/bin';

interface Point {
  metric: string;
  value: unknown;
}

interface Harness {
  run: PluginRun;
  points: Point[];
  logs: Array<{ level: LogLevel; message: string }>;
  dir: string;
  /** Pids the plugin printed to its error output as `<word> <pid>`. */
  pid(word: string): number | undefined;
}

const runs: PluginRun[] = [];
const pids: number[] = [];
const apps: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
  for (const a of apps.splice(0)) if (a.exitCode === null && a.signalCode === null) a.kill('SIGKILL');
  for (const pid of pids.splice(0))
    if (pidRunning(pid))
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
  cleanupTempDirs();
});

function collectingSink(points: Point[]): PluginSink {
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

function options(
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
async function start(lang: 'sh' | 'py', body: string, o: Partial<ProcessRunOptions> = {}): Promise<Harness> {
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

function call(signal = new AbortController().signal, id = `c${Math.random().toString(36).slice(2)}`): CommandCall {
  return { id, receivedAt: Date.now(), signal };
}

function valueOf(points: Point[], metric: string): unknown {
  return points.find((p) => p.metric === metric)?.value;
}

/** Whether `p` settles within `ms`: for runs that must not report an end. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}

/** The session id of a process (field 6 of /proc/<pid>/stat). */
function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
}

describe('process plugin: data', () => {
  const cases: Array<{ parser: ParserKind | 'auto'; lines: string[]; expect: Record<string, unknown> }> = [
    { parser: 'plotter', lines: ['temp:21.5,hum:40'], expect: { 'dev.temp': 21.5, 'dev.hum': 40 } },
    { parser: 'csv', lines: ['time_ms,voltage', '1000,12.5'], expect: { 'dev.time_ms': 1000, 'dev.voltage': 12.5 } },
    {
      parser: 'jsonl',
      lines: ['{"psu":{"v":12.1},"state":"charging"}'],
      expect: { 'dev.psu.v': 12.1, 'dev.state': 'charging' },
    },
    { parser: 'kv', lines: ['temp=21.5 msg="door open"'], expect: { 'dev.temp': 21.5, 'dev.msg': 'door open' } },
    // Five lines: detection decides as soon as it has them, while the plugin keeps running.
    {
      parser: 'auto',
      lines: ['a=1 b=2', 'a=2 b=3', 'a=3 b=4', 'a=4 b=5', 'a=5 b=6'],
      expect: { 'dev.a': 1, 'dev.b': 2 },
    },
  ];

  it.each(cases)('records $parser lines from stdout with the prefix', async (c) => {
    const printf = c.lines.map((l) => `printf '%s\\n' '${l}'`).join('\n');
    const h = await start('sh', `${printf}\nexec sleep 1000\n`, { parser: c.parser });
    const want = Object.keys(c.expect);
    await until(() => want.every((m) => valueOf(h.points, m) !== undefined), 10_000, `points ${want.join(', ')}`);
    for (const [metric, value] of Object.entries(c.expect)) expect(valueOf(h.points, metric)).toEqual(value);
    if (c.parser === 'auto') expect(h.logs.some((l) => l.message.startsWith('detected the kv format'))).toBe(true);
    expect(h.logs.filter((l) => l.level !== 'info')).toEqual([]);
    expect(await settlesWithin(h.run.ended, 50)).toBe(false);
  });

  it('logs error output at warn and reports an exit with its code and last error line', async () => {
    const h = await start(
      'sh',
      'echo "looking for the PSU" >&2\necho "   " >&2\necho "  no PSU on /dev/ttyUSB9  " >&2\necho "v:1"\nexit 3\n',
    );
    const reason = await h.run.ended;
    expect(reason.kind).toBe('exited');
    expect(reason.retry).toBe(true);
    expect(reason.message).toBe('exited with code 3 — last error output: "no PSU on /dev/ttyUSB9"');
    expect(h.logs).toContainEqual({ level: 'warn', message: 'looking for the PSU' });
    expect(h.logs).toContainEqual({ level: 'warn', message: 'no PSU on /dev/ttyUSB9' });
    expect(h.logs.filter((l) => l.message.trim() === '')).toEqual([]);
    expect(valueOf(h.points, 'dev.v')).toBe(1); // output before the exit is recorded
    await h.run.stop(); // after the end: resolves, does nothing
  });

  it('reports a plugin killed by a signal, and cuts a flood of error output short', async () => {
    const h = await start(
      'sh',
      'i=0\nwhile [ $i -lt 3000 ]; do echo "bad reading $i" >&2; i=$((i+1)); done\nkill -SEGV $$\n',
    );
    const reason = await h.run.ended;
    expect(reason.message).toMatch(/^was killed by SIGSEGV — last error output: "bad reading 2999"$/);
    const shown = h.logs.filter((l) => l.message.startsWith('bad reading')).length;
    expect(shown).toBeGreaterThanOrEqual(50);
    expect(shown).toBeLessThan(1500);
    const notShown = h.logs.filter((l) => /^\d+ more lines? of error output not shown/.test(l.message));
    expect(notShown.length).toBeGreaterThan(0);
    expect(shown + notShown.reduce((n, l) => n + Number(l.message.split(' ')[0]), 0)).toBe(3000);
  });

  it('survives endless lines and invalid UTF-8 on stdout and stderr', async () => {
    const h = await start(
      'py',
      [
        'import sys, time',
        'sys.stderr.buffer.write(b"E" * 3_000_000 + b"\\xff\\xfe\\n"); sys.stderr.flush()',
        'sys.stdout.buffer.write(b"\\xff\\xfe\\x00garbage\\n" + b"9" * 300_000 + b"\\nx:1\\n"); sys.stdout.flush()',
        'sys.stderr.write("still here\\n"); sys.stderr.flush()',
        'time.sleep(1000)',
      ].join('\n'),
    );
    await until(() => valueOf(h.points, 'dev.x') === 1, 10_000, 'the point after the bad lines');
    await until(() => h.logs.some((l) => l.message === 'still here'), 10_000, 'the error line after the long one');
    const long = h.logs.find((l) => l.message.startsWith('EEE'))!;
    expect(long.level).toBe('warn');
    expect(long.message.length).toBeLessThanOrEqual(2000);
    expect(long.message.endsWith('…')).toBe(true);
    expect(await settlesWithin(h.run.ended, 50)).toBe(false);
  });
});

describe('process plugin: could not start', () => {
  const attempt = async (o: Partial<ProcessRunOptions>): Promise<EndReason> => {
    const dir = tempDir('plexus-proc-');
    const e = await startProcessRun(options(dir, [], [], o)).then(
      (run) => {
        runs.push(run);
        throw new Error('it started');
      },
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(PluginEnded);
    return (e as PluginEnded).reason;
  };

  it('names a command missing from PATH and says what to do', async () => {
    const r = await attempt({ command: 'python3x', args: ['x.py'] });
    expect(r).toEqual({
      kind: 'spawn-failed',
      retry: false,
      message: 'command "python3x" not found on PATH — install it or give its full path in plugin.json',
    });
  });

  it('refuses a script that is not executable, a missing path, and a missing working folder', async () => {
    const dir = tempDir('plexus-proc-');
    writeFileSync(path.join(dir, 'read.sh'), 'echo a:1\n');
    chmodSync(path.join(dir, 'read.sh'), 0o644);
    const notExec = await attempt({ command: './read.sh', cwd: dir });
    expect(notExec).toMatchObject({ kind: 'spawn-failed', retry: false });
    expect(notExec.message).toContain(`${path.join(dir, 'read.sh')} is not executable`);
    const missing = await attempt({ command: './nope.sh', cwd: dir });
    expect(missing.message).toContain(`there is no ${path.join(dir, 'nope.sh')}`);
    const noFolder = await attempt({ cwd: path.join(dir, 'gone') });
    expect(noFolder).toMatchObject({ kind: 'spawn-failed', retry: false });
    expect(noFolder.message).toContain(`${path.join(dir, 'gone')} does not exist`);
  });

  it('runs an executable script by relative path, and one found on the plugin PATH', async () => {
    const dir = tempDir('plexus-proc-');
    writeFileSync(path.join(dir, 'read.sh'), '#!/bin/sh\necho "x:7"\nexec sleep 1000\n');
    chmodSync(path.join(dir, 'read.sh'), 0o755);
    const points: Point[] = [];
    const byPath = await startProcessRun(options(dir, points, [], { command: './read.sh' }));
    runs.push(byPath);
    const viaPath = await startProcessRun(
      options(dir, points, [], { command: 'read.sh', env: { PATH: `${dir}:${PATH_ENV}` }, prefix: 'env' }),
    );
    runs.push(viaPath);
    await until(() => valueOf(points, 'dev.x') === 7 && valueOf(points, 'env.x') === 7, 10_000, 'both scripts');
  });
});

describe('process plugin: commands', () => {
  const SCRIPT = `
import json, os, sys, threading, time
lock = threading.Lock()
def out(s):
    with lock:
        sys.stdout.write(s + "\\n")
        sys.stdout.flush()
def data():
    i = 0
    while True:
        out("tick:%d" % i)
        i += 1
        time.sleep(0.01)
threading.Thread(target=data, daemon=True).start()
for line in sys.stdin:
    m = json.loads(line)
    if m["command"] == "add":
        out(json.dumps({"type": "command_result", "id": m["id"], "result": {"sum": m["params"]["a"] + m["params"]["b"]}}))
    elif m["command"] == "fail":
        out(json.dumps({"type": "command_result", "id": m["id"], "error": "the relay is stuck"}))
    elif m["command"] == "stranger":
        out(json.dumps({"type": "command_result", "id": "nobody-asked", "result": 1}))
        out(json.dumps({"type": "command_result", "id": m["id"], "result": None}))
    # "ignore": never answered
`;

  it('sends commands as JSON lines on stdin and takes results and errors from stdout amid data', async () => {
    const h = await start('py', SCRIPT);
    await until(() => h.points.length > 5, 10_000, 'data');
    expect(await h.run.command('add', { a: 2, b: 3 }, call())).toEqual({ sum: 5 });
    await expect(h.run.command('fail', {}, call())).rejects.toThrow('the relay is stuck');
    // Several at once, answered in any order, each to its own caller.
    const many = await Promise.all([1, 2, 3, 4, 5].map((a) => h.run.command('add', { a, b: 10 }, call())));
    expect(many).toEqual([11, 12, 13, 14, 15].map((sum) => ({ sum })));
    expect(await h.run.command('stranger', {}, call())).toBeNull();
    expect(h.logs.some((l) => l.level === 'warn' && l.message.includes('"nobody-asked"'))).toBe(true);

    // Data kept flowing around the answers, and no answer was read as data.
    const before = h.points.length;
    await until(() => h.points.length > before + 5, 10_000, 'more data');
    expect(h.points.every((p) => p.metric === 'dev.tick')).toBe(true);
    expect(h.logs.filter((l) => l.level !== 'info' && !l.message.includes('nobody-asked'))).toEqual([]);
  });

  it('forgets a command the plugin never answers when its call is aborted', async () => {
    const h = await start('py', SCRIPT);
    const ac = new AbortController();
    const c = call(ac.signal, 'never');
    const p = h.run.command('ignore', {}, c);
    setTimeout(() => ac.abort(), 200);
    await expect(p).rejects.toThrow(/cancelled/);
    // The plugin still answers others; a late answer to the aborted id would only be logged.
    expect(await h.run.command('add', { a: 1, b: 1 }, call())).toEqual({ sum: 2 });
    await expect(h.run.command('add', { a: 1, b: 1 }, call(AbortSignal.abort()))).rejects.toThrow(/cancelled/);
  });

  it('rejects pending commands when the plugin stops, and commands to a plugin that closed its stdin', async () => {
    const h = await start('py', SCRIPT);
    const pending = h.run.command('ignore', {}, call());
    await sleep(100);
    const stopped = h.run.stop();
    await expect(pending).rejects.toThrow('the plugin stopped');
    await stopped;
    await expect(h.run.command('add', { a: 1, b: 1 }, call())).rejects.toThrow('not running');

    const deaf = await start('py', 'import os, sys, time\nos.close(0)\nprint("x:1", flush=True)\ntime.sleep(1000)\n');
    await until(() => deaf.points.length > 0, 10_000, 'the deaf plugin to close its input');
    await expect(deaf.run.command('add', { a: 1, b: 1 }, call())).rejects.toThrow(/closed its input/);
    expect(await settlesWithin(deaf.run.ended, 50)).toBe(false); // it did not crash anything
  });
});

describe('process plugin: nothing left behind', () => {
  it('kills a plugin that ignores SIGTERM after the grace period; stop() is idempotent', async () => {
    const h = await start('sh', `trap '' TERM\necho ready >&2\nwhile :; do sleep 0.1; done\n`, { stopGraceMs: 500 });
    await until(() => h.logs.some((l) => l.message === 'ready'), 10_000, 'the plugin to start');
    const t0 = Date.now();
    const a = h.run.stop();
    const b = h.run.stop();
    await Promise.all([a, b]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450); // it waited for the grace period
    expect(pidRunning(h.run.pid!)).toBe(false);
    expect(await settlesWithin(h.run.ended, 100)).toBe(false); // a stop is not an end
  });

  it('does not wait for the grace period when the plugin ends on SIGTERM', async () => {
    const h = await start('sh', 'echo ready >&2\nwhile :; do sleep 0.1; done\n', { stopGraceMs: 30_000 });
    await until(() => h.logs.some((l) => l.message === 'ready'), 10_000, 'the plugin to start');
    const t0 = Date.now();
    await h.run.stop();
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(pidRunning(h.run.pid!)).toBe(false);
  });

  it('stop() ends its children, including one in its own session that ignores SIGTERM', async () => {
    const h = await start(
      'sh',
      [
        'sleep 1000 &',
        'echo "child $!" >&2',
        `setsid sh -c 'trap "" TERM HUP; echo "setsid $$" >&2; exec sleep 1000' &`,
        'wait',
      ].join('\n'),
    );
    await until(() => h.pid('child') !== undefined && h.pid('setsid') !== undefined, 10_000, 'the children');
    const all = [h.run.pid!, h.pid('child')!, h.pid('setsid')!];
    expect(all.every(pidRunning)).toBe(true);
    expect(sessionOf(h.pid('setsid')!)).not.toBe(sessionOf(h.run.pid!)); // really escaped the group
    await h.run.stop();
    await until(() => !all.some(pidRunning), 10_000, `pids ${all.join(', ')} to end`);
  });

  it('kills what a plugin left behind when it exits by itself', async () => {
    const h = await start('sh', 'sleep 1000 &\necho "child $!" >&2\nsleep 0.3\nexit 0\n');
    const reason = await h.run.ended;
    expect(reason.message).toMatch(/^exited with code 0/);
    const child = h.pid('child')!;
    expect(child).toBeGreaterThan(0);
    await until(() => !pidRunning(child), 10_000, `the left-behind child ${child} to end`);
  });

  it.each([
    { when: 'while it runs', mode: 'run', trap: '' },
    // The watcher ignores SIGTERM: the recorder dying in the middle of a graceful stop still cleans up.
    { when: 'during the grace period of a stop', mode: 'stop', trap: "trap '' TERM\n" },
  ])('leaves nothing running when the recorder is killed with SIGKILL $when', async ({ mode, trap }) => {
    const dir = tempDir('plexus-proc-');
    const script = path.join(dir, 'plugin.sh');
    // It never writes to stdout: no broken pipe can end it, only the watcher.
    writeFileSync(
      script,
      [
        `${trap}sleep 1000 &`,
        'echo "child $!" >&2',
        `setsid sh -c 'trap "" TERM HUP; echo "setsid $$" >&2; exec sleep 1000' &`,
        'sleep 0.2', // the setsid child has printed its pid
        'echo ready >&2',
        'wait',
      ].join('\n'),
    );
    // Under a subreaper: the orphans are adopted and reaped here, so dead ones really are gone.
    const app = spawn('/usr/bin/python3', [SUBREAPER, process.execPath, '--import', 'tsx', APP, script, mode], {
      cwd: path.join(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    apps.push(app);
    const seen = new Map<string, number>();
    createInterface({ input: app.stdout }).on('line', (l) => {
      const m = /^(?:log warn )?(app|plugin|child|setsid) (\d+)$/.exec(l);
      if (m) {
        seen.set(m[1]!, Number(m[2]));
        pids.push(Number(m[2]));
      }
      if (l === 'stopping' || (mode === 'run' && l === 'log warn ready')) seen.set('go', 0);
    });
    await until(() => seen.size === 5, 20_000, `the app and plugin pids (have ${[...seen.keys()].join(', ')})`);
    const tree = ['plugin', 'child', 'setsid'].map((k) => seen.get(k)!);
    if (mode === 'stop') await sleep(200); // SIGTERM was sent and ignored
    expect(tree.every(pidRunning)).toBe(true);

    process.kill(seen.get('app')!, 'SIGKILL');
    await until(() => !tree.some(pidRunning), 10_000, `pids ${tree.join(', ')} to end after the app was killed`);
    // The subreaper exits once every process below it has ended: the watcher too.
    await until(() => app.exitCode !== null || app.signalCode !== null, 10_000, 'every process of the app to end');
  });
});
