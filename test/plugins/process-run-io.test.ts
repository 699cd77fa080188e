// Process plugins with real child processes (/bin/sh, /usr/bin/python3): their output parsed in
// each line format, error output logged, start failures named, and commands answered over
// stdin/stdout.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ParserKind } from '../../src/main/devices/types';
import { startProcessRun, type ProcessRunOptions } from '../../src/main/plugins/process/process-run';
import { PluginEnded, type EndReason } from '../../src/main/plugins/types';
import { sleep, until } from '../helpers/plexus';
import { tempDir } from '../helpers/tmp';
import { cleanUp, PATH_ENV, type Point, runs, options, start, call, valueOf, settlesWithin } from './process-harness';

afterEach(cleanUp);

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
