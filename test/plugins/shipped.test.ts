// The plugins that ship with the recorder (plugins/) and the examples a developer copies
// (examples/), run for real: script plugins in worker threads, the Python example as a child
// process, through the Plugins manager exactly as the window adds them. Only the sink (where points
// go) and the command registry (where the platform's commands come from) are stand-ins.
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { CommandHandler, SendOptions } from '../../src/main/plexus';
import { Plugins } from '../../src/main/plugins/plugins';
import type { PluginSink, RegisterCommand } from '../../src/main/plugins/types';
import { until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

const REPO = join(__dirname, '..', '..');
const LONG = 30_000; // deadlines: a loaded CI machine compiles and starts four plugins at once

interface Point {
  metric: string;
  value: unknown;
  event: boolean;
}

/** Keeps every point it is given, in order. */
class Sink implements PluginSink {
  readonly points: Point[] = [];
  now(): number {
    return Date.now();
  }
  send(metric: string, value: unknown): number {
    this.points.push({ metric, value, event: typeof value !== 'number' });
    return this.points.length;
  }
  event(name: string, data: unknown): number {
    this.points.push({ metric: name, value: data, event: true });
    return this.points.length;
  }
  sendBatch(points: Array<{ metric: string; value: unknown }>, _opts?: SendOptions): number {
    for (const p of points) this.send(p.metric, p.value);
    return this.points.length;
  }
  sendVideoFrame(): Promise<{ sent: boolean }> {
    return Promise.resolve({ sent: false });
  }
  /** Values of one metric, from index `from` of the points on. */
  values(metric: string, from = 0): unknown[] {
    return this.points.slice(from).flatMap((p) => (p.metric === metric ? [p.value] : []));
  }
  last(metric: string): number {
    const v = this.values(metric);
    return v[v.length - 1] as number;
  }
}

interface Harness {
  dataDir: string;
  sink: Sink;
  plugins: Plugins;
  commands: Map<string, CommandHandler>;
  call(name: string, params: Record<string, unknown>): Promise<unknown>;
  view(name: string): ReturnType<Plugins['views']>[number];
}

const open: Plugins[] = [];

function start(): Harness {
  const sink = new Sink();
  const commands = new Map<string, CommandHandler>();
  const registerCommand: RegisterCommand = (name, handler) => {
    commands.set(name, handler);
    return () => {
      if (commands.get(name) === handler) commands.delete(name);
    };
  };
  const dataDir = tempDir();
  const plugins = new Plugins({
    dataDir,
    builtInDir: join(REPO, 'plugins'),
    sink,
    registerCommand,
    now: () => Date.now(),
    changed() {},
    stateChanged() {},
    timing: { restart: { baseMs: 50 } },
  });
  open.push(plugins);
  return {
    dataDir,
    sink,
    plugins,
    commands,
    async call(name, params) {
      const h = commands.get(name);
      if (!h) throw new Error(`no command ${name} registered (have ${[...commands.keys()].join(', ')})`);
      return h(params, {
        id: randomUUID(),
        command: name,
        receivedAt: Date.now(),
        signal: new AbortController().signal,
      });
    },
    view(name) {
      const v = plugins.views().find((x) => x.name === name);
      if (!v) throw new Error(`no plugin named ${name}`);
      return v;
    },
  };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.stopAll()));
  cleanupTempDirs();
});

/** Running, and not a zombie (state Z in /proc/<pid>/stat: ended, only not yet reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Every process in the process group `pgid` (the plugin and the watcher its shim started). */
function group(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) out.push(Number(d));
    } catch {
      // ended while we looked
    }
  }
  return out;
}

const num = (v: unknown): number => {
  expect(typeof v).toBe('number');
  return v as number;
};

describe('shipped plugins and examples', () => {
  it('all four run side by side: prefixed names, plausible values, units', async () => {
    const h = start();
    h.plugins.add(join(REPO, 'plugins', 'demo-signals'));
    h.plugins.add(join(REPO, 'plugins', 'system-stats'), undefined, { intervalS: 0.5 });
    h.plugins.add(join(REPO, 'examples', 'python-jsonl'));
    h.plugins.add(join(REPO, 'examples', 'typescript-sensor'));
    expect(h.plugins.views().map((v) => v.name)).toEqual([
      'demo-signals',
      'system-stats',
      'python-jsonl',
      'typescript-sensor',
    ]);
    expect(h.view('demo-signals').folder).toBe('builtin:demo-signals');
    expect(h.view('system-stats').folder).toBe('builtin:system-stats');

    const want = [
      'demo-signals.coolant_temp_c',
      'demo-signals.engine_rpm',
      'system-stats.cpu_percent',
      'system-stats.memory_used_mb',
      'system-stats.memory_used_percent',
      'system-stats.disk_free_gb',
      'system-stats.disk_free_percent',
      'python-jsonl.temperature_c',
      'python-jsonl.humidity_pct',
      'typescript-sensor.force',
    ];
    await until(
      () => want.every((m) => h.sink.values(m).length >= 2),
      LONG,
      `two points each of ${want.filter((m) => h.sink.values(m).length < 2).join(', ')} (views: ${JSON.stringify(h.plugins.views().map((v) => [v.name, v.state, v.message]))})`,
    );

    // demo-signals
    expect(num(h.sink.last('demo-signals.coolant_temp_c'))).toBeGreaterThan(70);
    expect(num(h.sink.last('demo-signals.engine_rpm'))).toBeGreaterThan(2000);

    // system-stats: the recording computer's own health
    for (const v of h.sink.values('system-stats.cpu_percent')) expect(num(v)).toBeGreaterThanOrEqual(0);
    for (const v of h.sink.values('system-stats.cpu_percent')) expect(num(v)).toBeLessThanOrEqual(100);
    const memPct = num(h.sink.last('system-stats.memory_used_percent'));
    expect(memPct).toBeGreaterThan(0);
    expect(memPct).toBeLessThanOrEqual(100);
    const memMb = num(h.sink.last('system-stats.memory_used_mb'));
    expect(memMb).toBeGreaterThan(0);
    expect(memMb).toBeLessThanOrEqual(totalmem() / 2 ** 20 + 1);
    expect(Math.abs((100 * memMb) / (totalmem() / 2 ** 20) - memPct)).toBeLessThan(10); // the two agree
    expect(num(h.sink.last('system-stats.disk_free_gb'))).toBeGreaterThan(0);
    const diskPct = num(h.sink.last('system-stats.disk_free_percent'));
    expect(diskPct).toBeGreaterThan(0);
    expect(diskPct).toBeLessThanOrEqual(100);
    if (process.platform !== 'win32') expect(num(h.sink.last('system-stats.load_1m'))).toBeGreaterThanOrEqual(0);
    await until(
      () => /^CPU \d+ % · memory \d+ % · disk [\d.]+ GB free$/.test(h.view('system-stats').statusText ?? ''),
      LONG,
      'the status line with CPU',
    );
    const stats = h.view('system-stats');
    expect(stats).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });
    // Temperatures where /sys has them; otherwise said once in the log.
    const temps = [
      ...new Set(h.sink.points.filter((p) => p.metric.startsWith('system-stats.temp.')).map((p) => p.metric)),
    ];
    const zones = existsSync('/sys/class/thermal')
      ? readdirSync('/sys/class/thermal').filter((d) => d.startsWith('thermal_zone'))
      : [];
    if (temps.length > 0) {
      for (const t of temps) expect(h.plugins.metricInfo()[t]).toMatchObject({ unit: '°C' });
      for (const t of temps) expect(num(h.sink.last(t))).toBeGreaterThan(-60);
    } else {
      const said = stats.log.filter((l) => /temperature/.test(l.message));
      expect(said).toHaveLength(1);
      if (zones.length === 0) expect(said[0]!.message).toMatch(/no temperature sensors found|Linux only/);
    }
    expect(stats.log.filter((l) => l.level !== 'info')).toEqual([]); // nothing failed

    // python-jsonl: JSON lines from a child process
    for (const v of h.sink.values('python-jsonl.temperature_c')) expect(num(v)).toBeGreaterThan(18);
    for (const v of h.sink.values('python-jsonl.temperature_c')) expect(num(v)).toBeLessThan(26);
    for (const v of h.sink.values('python-jsonl.humidity_pct')) expect(num(v)).toBeGreaterThan(38);
    for (const v of h.sink.values('python-jsonl.humidity_pct')) expect(num(v)).toBeLessThan(52);

    // typescript-sensor
    for (const v of h.sink.values('typescript-sensor.force')) expect(num(v)).toBeGreaterThan(35);
    for (const v of h.sink.values('typescript-sensor.force')) expect(num(v)).toBeLessThan(75);

    // Units: from describe() (script plugins) and from plugin.json "metrics" (process plugins).
    const info = h.plugins.metricInfo();
    expect(info['demo-signals.coolant_temp_c']).toMatchObject({ unit: '°C' });
    expect(info['system-stats.cpu_percent']).toEqual({ unit: '%', label: 'CPU load', min: 0, max: 100 });
    expect(info['system-stats.memory_used_mb']).toMatchObject({ unit: 'MB', label: 'Memory used' });
    expect(info['system-stats.memory_used_percent']).toMatchObject({ unit: '%' });
    expect(info['system-stats.disk_free_gb']).toMatchObject({ unit: 'GB' });
    expect(info['system-stats.disk_free_percent']).toMatchObject({ unit: '%' });
    expect(info['system-stats.load_1m']).toMatchObject({ label: 'Load average (1 min)' });
    expect(info['python-jsonl.temperature_c']).toEqual({ unit: '°C', label: 'Temperature', min: -20, max: 150 });
    expect(info['python-jsonl.humidity_pct']).toMatchObject({ unit: '%' });
    expect(info['typescript-sensor.force']).toMatchObject({ unit: 'N', label: 'Force' });

    // Commands, prefixed with the instance's name.
    await until(
      () => h.commands.has('python-jsonl.set_offset') && h.commands.has('typescript-sensor.zero'),
      LONG,
      'the commands',
    );
    expect(h.view('python-jsonl').commands).toEqual(['python-jsonl.set_offset']);
    expect(h.view('typescript-sensor').commands).toEqual(['typescript-sensor.zero']);

    for (const v of h.plugins.views()) expect(v, v.name).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });
  });

  it('system-stats: a reading that fails is logged once and skipped; the others go on', async () => {
    const h = start();
    h.plugins.add(join(REPO, 'plugins', 'system-stats'), 'pc', { intervalS: 0.5 });
    await until(
      () => h.sink.values('pc.disk_free_gb').length >= 1 && h.sink.values('pc.cpu_percent').length >= 1,
      LONG,
      'the first readings',
    );
    rmSync(h.dataDir, { recursive: true, force: true }); // the data folder vanishes: statfs fails
    await until(() => h.view('pc').log.some((l) => l.level === 'warn'), LONG, 'the failure in the log');
    const disk = h.sink.values('pc.disk_free_gb').length;
    const cpu = h.sink.values('pc.cpu_percent').length;
    await until(() => h.sink.values('pc.cpu_percent').length >= cpu + 3, LONG, 'three more CPU readings');
    expect(h.sink.values('pc.disk_free_gb').length).toBe(disk);
    const v = h.view('pc');
    const warnings = v.log.filter((l) => l.level !== 'info');
    expect(warnings).toHaveLength(1); // said once, not every tick
    expect(warnings[0]!.message).toMatch(/^disk free of .*ENOENT/);
    expect(v.statusText).toMatch(/^CPU \d+ % · memory \d+ %$/);
    expect(v).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('python-jsonl: set_offset answers and shifts the temperature; stopAll leaves no process behind', async () => {
    const h = start();
    h.plugins.add(join(REPO, 'examples', 'python-jsonl'), 'room', { rate_hz: 20 });
    await until(() => h.sink.values('room.temperature_c').length >= 3, LONG, 'temperatures');
    const pid = h.view('room').pid;
    expect(pid).toBeGreaterThan(0);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('sensor.py'); // the pid is Python itself
    const processes = group(pid!);
    expect(processes).toContain(pid);
    expect(processes.length).toBeGreaterThanOrEqual(2); // Python and the shim's watcher

    // A command with a bad parameter: the script's error text comes back as the command's error.
    await expect(h.call('room.set_offset', { celsius: 'warm' })).rejects.toThrow(
      'set_offset needs the parameter celsius, a number',
    );

    const result = await h.call('room.set_offset', { celsius: 100 });
    expect(result).toEqual({ offset_c: 100 });
    // The answer and the data share stdout, in order: every temperature after the answer is shifted.
    const after = h.sink.points.length;
    await until(() => h.sink.values('room.temperature_c', after).length >= 5, LONG, 'temperatures after set_offset');
    for (const v of h.sink.values('room.temperature_c', after)) expect(num(v)).toBeGreaterThan(118);
    for (const v of h.sink.values('room.temperature_c', after)) expect(num(v)).toBeLessThan(126);
    // The command answer is consumed, never recorded as data.
    expect(
      h.sink.points.filter(
        (p) => !p.metric.startsWith('room.temperature_c') && !p.metric.startsWith('room.humidity_pct'),
      ),
    ).toEqual([]);

    const back = await h.call('room.set_offset', { celsius: 0 });
    expect(back).toEqual({ offset_c: 0 });
    const after0 = h.sink.points.length;
    await until(
      () => h.sink.values('room.temperature_c', after0).length >= 3,
      LONG,
      'temperatures after removing the offset',
    );
    for (const v of h.sink.values('room.temperature_c', after0)) expect(num(v)).toBeLessThan(26);

    // The rate from PLEXUS_PLUGIN_CONFIG: 20 Hz, not the default 5. Eleven new readings take ~0.5 s
    // at 20 Hz; at 5 Hz at least 10 × 200 ms. A busy machine only slows the plugin down, so this
    // fails only when it ran over 3.5× slower than configured (or at the default rate).
    const n0 = h.sink.values('room.humidity_pct').length;
    const t0 = performance.now();
    await until(() => h.sink.values('room.humidity_pct').length - n0 >= 11, LONG, '11 more humidity readings');
    expect(performance.now() - t0).toBeLessThan(1800);

    expect(h.view('room')).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });
    await h.plugins.stopAll();
    await until(
      () => !processes.some(alive) && !group(pid!).some(alive),
      10_000,
      `processes ${processes.join(', ')} to end`,
    );
    expect(h.commands.size).toBe(0); // its command is unregistered on stop
  });

  it('typescript-sensor: config, the zero command, events, status and log', async () => {
    const h = start();
    h.plugins.add(join(REPO, 'examples', 'typescript-sensor'), 'cell', { rateHz: 50, shape: 'square', drift: false });
    await until(() => h.sink.values('cell.force').length >= 5, LONG, 'force readings');
    for (const v of h.sink.values('cell.force'))
      expect([0, 10].some((load) => Math.abs(num(v) - 50 - load) < 0.2)).toBe(true); // square, no drift
    await until(() => h.commands.has('cell.zero'), LONG, 'the zero command');

    await expect(h.call('cell.zero', { reads: 'abc' })).rejects.toThrow('reads must be a number');

    const result = (await h.call('cell.zero', { reads: 1000 })) as { offset: number };
    expect(result.offset).toBeGreaterThan(-960);
    expect(result.offset).toBeLessThan(-930);
    // Readings queued before the command may still be on their way: wait for shifted ones, then
    // every later one is shifted.
    await until(() => h.sink.last('cell.force') > 900, LONG, 'a zeroed reading');
    const after = h.sink.points.length;
    await until(() => h.sink.values('cell.force', after).length >= 10, LONG, 'more zeroed readings');
    for (const v of h.sink.values('cell.force', after)) expect(Math.abs(num(v) - 1000)).toBeLessThanOrEqual(10.5);
    expect(h.sink.points.find((p) => p.metric === 'cell.zeroed')).toMatchObject({
      event: true,
      value: { reads: 1000, offset: result.offset },
    });
    expect(h.sink.values('cell.offset')).toEqual([result.offset]);

    const zeroAgain = (await h.call('cell.zero', {})) as { offset: number }; // reads defaults to 0
    expect(zeroAgain.offset).toBeGreaterThan(45);
    await until(() => Math.abs(h.sink.last('cell.force')) < 10.5, LONG, 'readings near 0');

    expect(h.plugins.metricInfo()['cell.force']).toEqual({ unit: 'N', label: 'Force', min: -20, max: 120 });
    expect(h.plugins.metricInfo()['cell.offset']).toEqual({ unit: 'N', label: 'Zero offset' });
    await until(
      () => /^-?[\d.]+ N \(offset -?[\d.]+ N\)$/.test(h.view('cell').statusText ?? ''),
      LONG,
      'the status line',
    );
    const v = h.view('cell');
    expect(v.log.map((l) => l.message)).toContain('connected (simulated), 50 Hz, square load');
    expect(v.config).toMatchObject({ rateHz: 50, shape: 'square', drift: false });
    expect(v).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });

    // The enum is checked before anything runs.
    const bad = h.plugins.add(join(REPO, 'examples', 'typescript-sensor'), 'bad', { shape: 'triangle' });
    await until(() => h.plugins.views().find((x) => x.id === bad)?.state === 'invalid', LONG, 'the bad config refused');
    expect(h.view('bad').message).toMatch(/must be one of "sine", "square", "noise"/);

    await h.plugins.stopAll();
    expect(h.view('cell').log.map((l) => l.message)).toContain('stopped'); // the cleanup ran
    expect(h.commands.size).toBe(0);
  });
});
