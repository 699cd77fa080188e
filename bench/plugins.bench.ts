// The plugin benchmark (`npm run bench -- plugins`): how fast each way in records into the durable
// buffer (a real Plexus client writing SQLite, local only, behind the host's recording sink with
// its live preview), how soon a crashed plugin records again, and what an idle script plugin
// costs in memory. Each throughput figure is the median of three runs. Ends with one JSON line.
//
//   script_points_per_s          a script plugin calling ctx.sendBatch as fast as it can (worker
//                                thread) → the durable buffer
//   process_lines_per_s          a process plugin printing 8-value plotter lines as fast as it can
//                                → read, parsed and handed to a sink that only counts: what the
//                                plugin channel itself carries
//   process_durable_lines_per_s  the same → the durable buffer (bounded by the client's own
//                                write rate, about 600,000 points/s on our machines)
//   network_lines_per_s          a TCP client on loopback sending 8-value plotter lines as fast
//   network_durable_lines_per_s  as it can, likewise to a counting sink and to the durable buffer
//   restart_ms                   a crash (its last point) → the first point of the next run
//   idle_plugin_rss_mb           resident memory one more idle script plugin adds to the recorder
//                                (a steady-state difference, not a peak: measured in a child
//                                process of its own, so the throughput runs' heap is not in it)
//   idle_plugins_max_rss_mb      the kernel's peak RSS (maxRSS) of that child: a recorder with
//                                five idle script plugins
//   max_rss_mb                   the kernel's peak RSS of this process (the throughput and
//                                restart runs)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Plexus } from '../src/main/plexus';
import { Plugins, type PluginSink } from '../src/main/plugins';
import { PreviewAggregator } from '../src/main/host/preview';
import { RecordingSink } from '../src/main/host/recording-sink';

const ROOT = join(__dirname, '..');
const dirs: string[] = [];
const temp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Rig {
  client: Plexus;
  plugins: Plugins;
  stored: () => number;
  /** See every point the plugins record (metric, value); returns the function that stops it. */
  watch: (fn: (metric: string, value: unknown) => void) => () => void;
  close: () => Promise<void>;
}

/**
 * A recorder without a window: the real client (local only) behind the host's recording sink —
 * or, with `durable` false, a sink that counts what it is given (the plugin channel alone).
 */
function rig(durable = true): Rig {
  const client = new Plexus({ apiKey: null, sourceId: 'bench-plugins', dataDir: temp('plexus-bench-') });
  let stored = 0;
  client.on('stored', (e) => (stored += e.count));
  const recording = new RecordingSink(client, new PreviewAggregator());
  const counting: PluginSink = {
    now: () => client.now(),
    send: () => ++stored,
    event: () => ++stored,
    sendBatch: (points) => (stored += points.length),
    sendVideoFrame: (frame, cameraId, opts) => client.sendVideoFrame(frame, cameraId, opts),
  };
  const base = durable ? recording : counting;
  const watchers = new Set<(metric: string, value: unknown) => void>();
  const sink: PluginSink = {
    now: () => base.now(),
    send: (metric, value, opts) => {
      for (const w of watchers) w(metric, value);
      return base.send(metric, value, opts);
    },
    event: (name, data, opts) => base.event(name, data, opts),
    sendBatch: (points, opts) => {
      if (watchers.size) for (const p of points) for (const w of watchers) w(p.metric, p.value);
      return base.sendBatch(points, opts);
    },
    sendVideoFrame: (frame, cameraId, opts) => base.sendVideoFrame(frame, cameraId, opts),
  };
  const plugins = new Plugins({
    dataDir: temp('plexus-bench-data-'),
    builtInDir: join(ROOT, 'plugins'),
    sink,
    registerCommand: (name, h, o) => client.onCommand(name, h, o),
    now: () => client.now(),
    changed: () => {},
    stateChanged: () => {},
  });
  return {
    client,
    plugins,
    stored: () => stored,
    watch: (fn) => {
      watchers.add(fn);
      return () => watchers.delete(fn);
    },
    close: async () => {
      await plugins.stopAll();
      await client.close({ timeoutMs: 2000 });
    },
  };
}

function folder(manifest: Record<string, unknown>, files: Record<string, string>): string {
  const d = join(temp('plexus-bench-plugin-'), String(manifest.id));
  mkdirSync(d);
  writeFileSync(join(d, 'plugin.json'), JSON.stringify(manifest));
  for (const [f, t] of Object.entries(files)) writeFileSync(join(d, f), t);
  return d;
}

/** Stored points per second between `warmS` and `warmS + measureS` after `start()`. */
async function rate(r: Rig, start: () => void | Promise<void>, warmS = 1.5, measureS = 4): Promise<number> {
  await start();
  await sleep(warmS * 1000);
  const a = r.stored();
  const t0 = performance.now();
  await sleep(measureS * 1000);
  return (r.stored() - a) / ((performance.now() - t0) / 1000);
}

const SCRIPT = `import { definePlugin } from 'plexus-bench/plugin';
export default definePlugin({ id: 'flood', name: 'Flood', version: '1.0.0', setup(ctx) {
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  let k = 0;
  const pump = () => {
    if (ctx.signal.aborted) return;
    for (let call = 0; call < 8; call++) {
      const batch = [];
      for (let row = 0; row < 125; row++, k++) for (let m = 0; m < 8; m++) batch.push({ metric: names[m], value: (k % 1000) / 10 + m });
      ctx.sendBatch(batch);
    }
    setImmediate(pump);
  };
  pump();
} });
`;

/** 10,000 distinct 8-value plotter lines, written again and again with backpressure. */
const LINES_WRITER = `
const lines = [];
for (let i = 0; i < 10000; i++) lines.push(['a','b','c','d','e','f','g','h'].map((n, j) => n + ':' + ((i * (j + 1)) % 997) / 10).join(','));
const buf = Buffer.from(lines.join('\\n') + '\\n');
const [mode, port] = process.argv.slice(-2);
const out = mode === 'tcp' ? require('node:net').createConnection(Number(port), '127.0.0.1') : process.stdout;
out.on('error', () => process.exit(0));
const write = () => { while (out.write(buf)); out.once('drain', write); };
write();
`;

async function scriptPointsPerS(): Promise<number> {
  const r = rig();
  try {
    return await rate(
      r,
      () =>
        void r.plugins.add(
          folder(
            { id: 'flood', name: 'Flood', version: '1.0.0', kind: 'script', entry: 'index.ts' },
            { 'index.ts': SCRIPT },
          ),
        ),
    );
  } finally {
    await r.close();
  }
}

async function processLinesPerS(durable: boolean): Promise<number> {
  const r = rig(durable);
  try {
    const dir = folder(
      {
        id: 'lines',
        name: 'Lines',
        version: '1.0.0',
        kind: 'process',
        command: 'node',
        args: ['writer.js'],
        parser: 'plotter',
      },
      { 'writer.js': LINES_WRITER },
    );
    return (await rate(r, () => void r.plugins.add(dir))) / 8;
  } finally {
    await r.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function networkLinesPerS(durable: boolean): Promise<number> {
  const r = rig(durable);
  // The sender is its own process: it must not share the recorder's event loop.
  let sender: ReturnType<typeof spawn> | null = null;
  try {
    const port = await freePort();
    r.plugins.addNetwork({ name: 'nb', protocol: 'tcp', port, parser: 'plotter' });
    await sleep(300);
    return (
      (await rate(r, () => {
        sender = spawn(process.execPath, ['-e', LINES_WRITER, 'tcp', String(port)], { stdio: 'ignore' });
      })) / 8
    );
  } finally {
    (sender as ReturnType<typeof spawn> | null)?.kill('SIGKILL');
    await r.close();
  }
}

async function restartMs(samples = 5): Promise<number[]> {
  const r = rig();
  const out: number[] = [];
  try {
    const code = `import { definePlugin } from 'plexus-bench/plugin';
export default definePlugin({ id: 'crashy', name: 'Crashy', version: '1.0.0', setup(ctx) {
  ctx.send('boot', ctx.now());
  setTimeout(() => { ctx.send('dying', ctx.now()); throw new Error('crash'); }, 300);
} });`;
    const dir = folder(
      { id: 'crashy', name: 'Crashy', version: '1.0.0', kind: 'script', entry: 'index.ts' },
      { 'index.ts': code },
    );
    // Each sample is a fresh instance: its first crash, as a technician would meet it.
    for (let i = 0; i < samples; i++) {
      const seen: Array<{ metric: string; t: number }> = [];
      const name = `crashy${i}`;
      const off = r.watch((metric, value) => {
        if (metric.startsWith(`${name}.`)) seen.push({ metric: metric.slice(name.length + 1), t: value as number });
      });
      const id = r.plugins.add(dir, name);
      const t0 = Date.now();
      while (seen.filter((s) => s.metric === 'boot').length < 2 && Date.now() - t0 < 15_000) await sleep(5);
      off();
      await r.plugins.remove(id);
      const dying = seen.find((s) => s.metric === 'dying');
      const reboot = seen.filter((s) => s.metric === 'boot')[1];
      if (dying && reboot) out.push(reboot.t - dying.t);
    }
  } finally {
    await r.close();
  }
  return out;
}

async function idleRssMb(extra = 4): Promise<number> {
  const r = rig();
  try {
    const code = `import { definePlugin } from 'plexus-bench/plugin';
export default definePlugin({ id: 'idle', name: 'Idle', version: '1.0.0', setup(ctx) { ctx.status('idle'); } });`;
    const dir = folder(
      { id: 'idle', name: 'Idle', version: '1.0.0', kind: 'script', entry: 'index.ts' },
      { 'index.ts': code },
    );
    const running = (): number => r.plugins.views().filter((v) => v.state === 'running').length;
    // One first, so what every plugin shares (the bundler, the worker's code) is not counted.
    r.plugins.add(dir, 'idle0');
    while (running() < 1) await sleep(20);
    await sleep(1500);
    const before = process.memoryUsage().rss;
    for (let i = 1; i <= extra; i++) r.plugins.add(dir, `idle${i}`);
    while (running() < extra + 1) await sleep(20);
    await sleep(2500);
    return (process.memoryUsage().rss - before) / extra / 1024 / 1024;
  } finally {
    await r.close();
  }
}

/** This bench, run with PLUGINS_BENCH_ONLY=rss in a child process: its result line. */
function rssChild(): Promise<{ idle_plugin_rss_mb: number | null; max_rss_mb: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PLUGINS_BENCH_ONLY: 'rss' },
    });
    let result: { idle_plugin_rss_mb: number | null; max_rss_mb: number | null } | null = null;
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (l.startsWith('{"bench":"plugins"')) result = JSON.parse(l) as typeof result;
      else console.log(l);
    });
    child.on('close', (code) => (result ? resolve(result) : reject(new Error(`the rss process exited ${code}`))));
  });
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const out: Record<string, number | string | null> = { bench: 'plugins' };
  let failed = false;
  // PLUGINS_BENCH_ONLY=process (or script, network, restart, rss): one part, e.g. to profile it.
  const only = process.env.PLUGINS_BENCH_ONLY;
  const step = async (name: string, fn: () => Promise<void>): Promise<void> => {
    if (only && only !== name) return;
    try {
      await fn();
    } catch (e) {
      failed = true;
      console.error(`${name} failed: ${(e as Error).stack ?? String(e)}`);
    }
  };
  await step('script', async () => {
    const runs = [await scriptPointsPerS(), await scriptPointsPerS(), await scriptPointsPerS()];
    out.script_points_per_s = Math.round(median(runs));
    console.log(`script plugin, sendBatch → durable buffer: ${runs.map(fmt).join(' / ')} points/s (target ≥ 300,000)`);
  });
  const three = async (fn: () => Promise<number>): Promise<number[]> => [await fn(), await fn(), await fn()];
  await step('process', async () => {
    const runs = await three(() => processLinesPerS(false));
    out.process_lines_per_s = Math.round(median(runs));
    console.log(`process plugin, 8-value lines → parsed: ${runs.map(fmt).join(' / ')} lines/s (target ≥ 100,000)`);
    const durable = await three(() => processLinesPerS(true));
    out.process_durable_lines_per_s = Math.round(median(durable));
    console.log(`process plugin, 8-value lines → durable buffer: ${durable.map(fmt).join(' / ')} lines/s`);
  });
  await step('network', async () => {
    const runs = await three(() => networkLinesPerS(false));
    out.network_lines_per_s = Math.round(median(runs));
    console.log(`network lines (TCP), 8-value lines → parsed: ${runs.map(fmt).join(' / ')} lines/s (target ≥ 100,000)`);
    const durable = await three(() => networkLinesPerS(true));
    out.network_durable_lines_per_s = Math.round(median(durable));
    console.log(`network lines (TCP), 8-value lines → durable buffer: ${durable.map(fmt).join(' / ')} lines/s`);
  });
  await step('restart', async () => {
    const ms = await restartMs();
    if (ms.length === 0) throw new Error('no restart was seen');
    out.restart_ms = Math.round(median(ms));
    console.log(`crash → recording again: ${ms.map((m) => `${Math.round(m)} ms`).join(', ')} (target ≤ 2,000 ms)`);
  });
  await step('rss', async () => {
    if (only !== 'rss') {
      // In a fresh process: what the throughput runs left in this one's heap would blur it.
      const child = await rssChild();
      out.idle_plugin_rss_mb = child.idle_plugin_rss_mb;
      out.idle_plugins_max_rss_mb = child.max_rss_mb;
      console.log(`its process: peak RSS (kernel maxRSS) ${child.max_rss_mb} MB`);
      return;
    }
    const mb = await idleRssMb();
    out.idle_plugin_rss_mb = Math.round(mb * 10) / 10;
    console.log(`one more idle script plugin: +${mb.toFixed(1)} MB resident (target ≤ 30 MB)`);
  });
  for (const k of [
    'script_points_per_s',
    'process_lines_per_s',
    'network_lines_per_s',
    'restart_ms',
    'idle_plugin_rss_mb',
    'idle_plugins_max_rss_mb',
  ])
    out[k] ??= null;
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  out.max_rss_mb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
  console.log(JSON.stringify(out));
  process.exit(failed ? 1 : 0);
}

main().catch((e: unknown) => {
  console.error(`plugins bench failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
