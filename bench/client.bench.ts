// The client benchmark (`npm run bench -- client`): the Plexus client against the test gateway,
// which runs in its own process (GatewayProcess, record: 'count') on loopback so its parsing and
// validation do not share this event loop.
//
//   send_per_s       sustained send() calls/s, durable buffer on, connected, delivery running
//   delivered_per_s  1,000,000 points sent while connected: points / (first send → flush() delivered)
//   latency_p50/p99  10,000 points/s for 8 s; `lat` points carry their send() time as the value and
//                    the gateway stamps receivedAt with the same clock expression
//   drain_1m_s       1,000,000 points buffered during an outage: gateway up() → gateway counted all
//   rss_mb           peak RSS of this (client) process, sampled every 50 ms over everything above
//
// Every measurement runs RUNS times (fresh client, fresh data dir each time); the median is
// reported. The output ends with exactly one JSON line, which scripts/bench.mjs collects.

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Plexus, type BatchPoint, type PlexusOptions, type Status } from '../src/main/plexus';
import { GatewayProcess } from '../test/support/gateway-process';

// BENCH_RUNS=n overrides the repeat count and BENCH_PHASES=send,drain picks phases (for iterating).
const RUNS = positiveInt(process.env.BENCH_RUNS, 3);
const PHASES = (process.env.BENCH_PHASES ?? '').split(',').filter(Boolean);
const API_KEY = 'plx_bench_key';
const SEND_MS = 3_000;
const YIELD_EVERY = 2_000; // send() calls between two setImmediate yields
const DELIVER_POINTS = 1_000_000;
const LAT_MS = 8_000;
const LAT_POINTS_PER_MS = 10; // one `lat` point and 9 filler points every millisecond = 10,000 points/s
const DRAIN_POINTS = 1_000_000;
const DRAIN_CHUNK = 10_000;
const DRAIN_RECONNECT = { baseMs: 100, capMs: 500 };
const RSS_SAMPLE_MS = 50;
/** Whole-bench deadline: whatever goes wrong, the process ends. */
const BENCH_DEADLINE_MS = 25 * 60_000;

const TARGETS = {
  send_per_s: { op: '≥', value: 200_000 },
  delivered_per_s: { op: '≥', value: 100_000 },
  latency_p99_ms: { op: '≤', value: 25 },
  drain_1m_s: { op: '≤', value: 15 },
  rss_mb: { op: '≤', value: 250 },
} as const;

/** The 500 metric names of the send loops (built once, so the loop measures the client). */
const NAMES = Array.from({ length: 500 }, (_, i) => `m${i}`);
const FILLER = Array.from({ length: LAT_POINTS_PER_MS - 1 }, (_, i) => `fill${i}`);

// ── small helpers ──────────────────────────────────────────────────────────────────────────

function positiveInt(v: string | undefined, dflt: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}

const now = (): number => performance.now();
/** Wall-clock ms with sub-ms resolution: the gateway child stamps receivedAt the same way. */
const wallNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
/** A sensor-like value: short decimals, never the same as the previous one. */
const valueFor = (k: number): number => 20 + (k % 1000) / 100;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${(ms / 1000).toFixed(0)} s: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function until(pred: () => boolean, timeoutMs: number, what: string, everyMs = 5): Promise<void> {
  const end = now() + timeoutMs;
  while (!pred()) {
    if (now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, d = 2): string => n.toFixed(d);
const round = (n: number, d: number): number => Math.round(n * 10 ** d) / 10 ** d;
const mb = (bytes: number): number => bytes / (1024 * 1024);

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

// ── RSS sampling ───────────────────────────────────────────────────────────────────────────

const rss = {
  /** RSS once the client modules are loaded, before any gateway or client exists. */
  atStart: process.memoryUsage.rss(),
  peak: 0,
  /** V8 heap at the moment of the peak: how much of the peak is the JS heap. */
  peakHeapTotal: 0,
  peakHeapUsed: 0,
  phasePeak: 0,
  timer: null as ReturnType<typeof setInterval> | null,
  sample(): void {
    const m = process.memoryUsage();
    if (m.rss > this.peak) {
      this.peak = m.rss;
      this.peakHeapTotal = m.heapTotal;
      this.peakHeapUsed = m.heapUsed;
    }
    if (m.rss > this.phasePeak) this.phasePeak = m.rss;
  },
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), RSS_SAMPLE_MS);
  },
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  },
  /** Peak since the last call (for the per-phase lines). */
  takePhasePeak(): number {
    this.sample();
    const p = this.phasePeak;
    this.phasePeak = process.memoryUsage.rss();
    return p;
  },
};

// ── clients and data dirs ──────────────────────────────────────────────────────────────────

/** What one run opened, closed by its cleanup even when the run failed or timed out. */
class RunScope {
  private readonly clients: Plexus[] = [];
  private readonly dirs: string[] = [];

  constructor(private readonly gw: GatewayProcess) {}

  client(sourceId: string, opts: PlexusOptions = {}): Plexus {
    const dataDir = mkdtempSync(join(tmpdir(), 'plexus-bench-'));
    this.dirs.push(dataDir);
    const c = new Plexus({
      apiKey: API_KEY,
      sourceId,
      gatewayUrl: this.gw.url,
      gatewayWsUrl: this.gw.wsUrl,
      dataDir,
      ...opts,
    });
    this.clients.push(c);
    return c;
  }

  async cleanup(): Promise<void> {
    for (const c of this.clients.splice(0)) {
      await withTimeout(c.close({ timeoutMs: 1_000 }), 10_000, 'client.close()').catch((e: unknown) =>
        log(`  (closing a client failed: ${(e as Error).message})`),
      );
    }
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

async function waitForStatus(c: Plexus, pred: (s: Status) => boolean, timeoutMs: number, what: string) {
  await until(() => pred(c.status().status), timeoutMs, `${what} (status now ${c.status().status})`);
}

async function connectedClient(
  scope: RunScope,
  gw: GatewayProcess,
  sourceId: string,
  opts: PlexusOptions = {},
): Promise<Plexus> {
  const c = scope.client(sourceId, opts);
  const end = now() + 15_000;
  while (c.status().status !== 'connected') {
    await gw.stats(); // rejects at once when the gateway process is gone
    if (now() > end) throw new Error(`${sourceId} did not connect within 15 s (status ${c.status().status})`);
    await sleep(5);
  }
  return c;
}

/**
 * flush() until everything is delivered, checking between tries that the gateway process is
 * still there (so a dead gateway fails the run at once, not after the timeout). Resolves when
 * the client's own flush() resolved delivered, so the time it resolves is exact.
 */
async function flushAll(c: Plexus, gw: GatewayProcess, timeoutMs: number, what: string): Promise<void> {
  const end = now() + timeoutMs;
  for (;;) {
    const f = await c.flush({ timeoutMs: 500 });
    if (f.delivered) return;
    await gw.stats();
    if (now() > end)
      throw new Error(`${what}: flush() did not deliver within ${timeoutMs / 1000} s (${f.pending} pending)`);
  }
}

async function accepted(gw: GatewayProcess): Promise<number> {
  return (await gw.stats()).counters.acceptedPoints;
}

/** After a measurement: let the client deliver its backlog so the next run starts quiet. */
async function settle(c: Plexus, gw: GatewayProcess, expectAtLeast: number, before: number): Promise<string> {
  await flushAll(c, gw, 120_000, 'after the measurement');
  const got = (await accepted(gw)) - before;
  if (got < expectAtLeast) throw new Error(`the gateway counted ${got} points, expected at least ${expectAtLeast}`);
  const st = c.stats();
  return `gateway counted ${int(got)}, resent ${int(st.resent)}, dropped ${int(st.dropped)}`;
}

// ── 1. sustained send() rate ───────────────────────────────────────────────────────────────

async function sendRate(scope: RunScope, gw: GatewayProcess, run: number): Promise<number> {
  const c = await connectedClient(scope, gw, `bench-send-${run}`);
  const before = await accepted(gw);
  let k = 0;
  const t0 = now();
  const end = t0 + SEND_MS;
  while (now() < end) {
    for (let i = 0; i < YIELD_EVERY; i++, k++) c.send(NAMES[k % 500]!, valueFor(k));
    await yieldLoop();
  }
  await c.persisted();
  const elapsed = (now() - t0) / 1000;
  const rate = k / elapsed;
  const deliveredInWindow = c.stats().delivered;
  const t1 = now();
  const note = await settle(c, gw, k, before);
  log(
    `  run ${run}: ${int(rate)} send()/s  (${int(k)} calls in ${fixed(elapsed)} s; ` +
      `${int(deliveredInWindow)} delivered within the window, the rest ${fixed((now() - t1) / 1000)} s later; ${note})`,
  );
  return rate;
}

// ── 2. delivered points/s ──────────────────────────────────────────────────────────────────

async function deliveredRate(scope: RunScope, gw: GatewayProcess, run: number): Promise<number> {
  const c = await connectedClient(scope, gw, `bench-deliver-${run}`);
  const before = await accepted(gw);
  let k = 0;
  const t0 = now();
  while (k < DELIVER_POINTS) {
    const n = Math.min(YIELD_EVERY, DELIVER_POINTS - k);
    for (let i = 0; i < n; i++, k++) c.send(NAMES[k % 500]!, valueFor(k));
    await yieldLoop();
  }
  const tSent = now();
  await flushAll(c, gw, 120_000, 'deliver');
  const t1 = now();
  const got = (await accepted(gw)) - before;
  if (got < DELIVER_POINTS) throw new Error(`the gateway counted ${got} of ${DELIVER_POINTS} points`);
  const secs = (t1 - t0) / 1000;
  const rate = DELIVER_POINTS / secs;
  const st = c.stats();
  log(
    `  run ${run}: ${int(rate)} delivered points/s  (1,000,000 points in ${fixed(secs)} s: sending took ` +
      `${fixed((tSent - t0) / 1000)} s, flush() ${fixed((t1 - tSent) / 1000)} s more; gateway counted ${int(got)}, ` +
      `resent ${int(st.resent)})`,
  );
  return rate;
}

// ── 3. latency at 10,000 points/s ──────────────────────────────────────────────────────────

interface LatencyResult {
  p50: number;
  p99: number;
}

async function latency(scope: RunScope, gw: GatewayProcess, run: number): Promise<LatencyResult> {
  const sourceId = `bench-lat-${run}`;
  const c = await connectedClient(scope, gw, sourceId);
  const before = await accepted(gw);
  const fromIdx = (await gw.stats()).points; // `lat` points recorded so far (sampleMetrics)
  let ticks = 0;
  let maxBurst = 0;
  let k = 0;
  const t0 = now();
  await new Promise<void>((resolve, reject) => {
    const tick = (): void => {
      try {
        // Catch up on every millisecond that has passed, so timer lateness never lowers the rate.
        const due = Math.min(LAT_MS, Math.floor(now() - t0));
        maxBurst = Math.max(maxBurst, due - ticks);
        for (; ticks < due; ticks++) {
          c.send('lat', wallNow());
          for (let j = 0; j < FILLER.length; j++, k++) c.send(FILLER[j]!, valueFor(k));
        }
        if (ticks >= LAT_MS) resolve();
        else setTimeout(tick, 1);
      } catch (e) {
        reject(e as Error);
      }
    };
    setTimeout(tick, 1);
  });
  const elapsed = (now() - t0) / 1000;
  const note = await settle(c, gw, ticks * LAT_POINTS_PER_MS, before);
  await gw.waitFor((s) => s.points >= fromIdx + ticks, 10_000, 'every lat point');
  const pts = (await gw.pointsSince(fromIdx)).filter((p) => p.metric === 'lat' && p.sourceId === sourceId);
  const lat = new Float64Array(pts.length);
  for (let i = 0; i < pts.length; i++) lat[i] = pts[i]!.receivedAt - (pts[i]!.value as number);
  lat.sort();
  if (pts.length < ticks) throw new Error(`the gateway recorded ${pts.length} of ${ticks} lat points`);
  const r = { p50: percentile(lat, 50), p99: percentile(lat, 99) };
  log(
    `  run ${run}: p50 ${fixed(r.p50)} ms, p99 ${fixed(r.p99)} ms, p99.9 ${fixed(percentile(lat, 99.9))} ms, ` +
      `max ${fixed(lat[lat.length - 1]!)} ms, min ${fixed(lat[0]!)} ms  (${int(pts.length)} lat points; ` +
      `${int((ticks * LAT_POINTS_PER_MS) / elapsed)} points/s paced over ${fixed(elapsed)} s, ` +
      `largest catch-up ${maxBurst} ms; ${note})`,
  );
  return r;
}

// ── 4. draining a 1,000,000-point backlog ──────────────────────────────────────────────────

async function drain(scope: RunScope, gw: GatewayProcess, run: number): Promise<number> {
  const c = await connectedClient(scope, gw, `bench-drain-${run}`, { reconnect: DRAIN_RECONNECT });
  const via = { ws: 0, http: 0 };
  c.on('delivered', (d) => (via[d.via] += d.count));
  const before = await accepted(gw);
  await gw.down();
  await waitForStatus(c, (s) => s !== 'connected', 10_000, 'the client to notice the outage');

  const chunk: BatchPoint[] = Array.from({ length: DRAIN_CHUNK }, (_, i) => ({ metric: NAMES[i % 500]!, value: 0 }));
  const tb0 = now();
  for (let k = 0; k < DRAIN_POINTS;) {
    for (let i = 0; i < DRAIN_CHUNK; i++, k++) chunk[i]!.value = valueFor(k);
    c.sendBatch(chunk);
    await yieldLoop();
  }
  await c.persisted();
  const buffered = c.bufferSize();
  if (buffered !== DRAIN_POINTS) throw new Error(`bufferSize() is ${buffered} after the outage, not ${DRAIN_POINTS}`);
  const bufferSecs = (now() - tb0) / 1000;

  let connectedAt = 0;
  let connectedAs = '';
  c.on('status', (s) => {
    if (!connectedAt && (s.status === 'connected' || s.status === 'http-fallback')) {
      connectedAt = now();
      connectedAs = `${s.status} (${s.transport})`;
    }
  });
  const tUp = now();
  await gw.up();
  let clientEmptyAt = 0;
  const deadline = tUp + 60_000;
  for (;;) {
    const counted = (await accepted(gw)) - before;
    if (!clientEmptyAt && c.bufferSize() === 0) clientEmptyAt = now();
    if (counted >= DRAIN_POINTS) break;
    if (now() > deadline) throw new Error(`drain: the gateway counted ${counted} of ${DRAIN_POINTS} after 60 s`);
    await sleep(10);
  }
  const tDone = now();
  const secs = (tDone - tUp) / 1000;
  await flushAll(c, gw, 30_000, 'drain');
  if (!clientEmptyAt) clientEmptyAt = now();
  const st = c.stats();
  log(
    `  run ${run}: ${fixed(secs)} s from up() to 1,000,000 counted by the gateway  ` +
      `(reconnected ${connectedAt ? `after ${fixed((connectedAt - tUp) / 1000)} s as ${connectedAs}` : 'never (?)'}, ` +
      `then ${connectedAt ? fixed((tDone - connectedAt) / 1000) : '?'} s to drain; ` +
      `client buffer empty at +${fixed((clientEmptyAt - tUp) / 1000)} s; delivered via ws ${int(via.ws)}, ` +
      `http ${int(via.http)}; resent ${int(st.resent)}; buffering took ${fixed(bufferSecs)} s)`,
  );
  return secs;
}

// ── main ───────────────────────────────────────────────────────────────────────────────────

interface Phase<T> {
  name: string;
  title: string;
  timeoutMs: number;
  run(scope: RunScope, gw: GatewayProcess, run: number): Promise<T>;
}

async function runPhase<T>(gw: GatewayProcess, p: Phase<T>, errors: string[]): Promise<T[]> {
  if (PHASES.length > 0 && !PHASES.includes(p.name)) return [];
  log(`\n[${p.name}] ${p.title}`);
  const results: T[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const scope = new RunScope(gw);
    try {
      results.push(await withTimeout(p.run(scope, gw, i), p.timeoutMs, `${p.name} run ${i}`));
    } catch (e) {
      const msg = `${p.name} run ${i} failed: ${(e as Error).message}`;
      log(`  ${msg}`);
      errors.push(msg);
    } finally {
      await scope.cleanup();
    }
  }
  log(`  peak RSS during this phase: ${fixed(mb(rss.takePhasePeak()), 1)} MB`);
  return results;
}

function verdict(key: keyof typeof TARGETS, v: number | null): string {
  const t = TARGETS[key];
  if (v === null) return 'n/a';
  const ok = t.op === '≥' ? v >= t.value : v <= t.value;
  return `target ${t.op} ${t.value.toLocaleString('en-US')}: ${ok ? 'OK' : 'MISSED'}`;
}

async function main(): Promise<number> {
  const watchdog = setTimeout(() => {
    log(`client bench: still running after ${BENCH_DEADLINE_MS / 60_000} min, giving up`);
    process.exit(2); // the gateway child exits when its parent goes away
  }, BENCH_DEADLINE_MS);
  watchdog.unref();
  rss.start();

  const errors: string[] = [];
  let gw: GatewayProcess | null = null;
  const out = {
    send_per_s: null as number | null,
    delivered_per_s: null as number | null,
    latency_p50_ms: null as number | null,
    latency_p99_ms: null as number | null,
    drain_1m_s: null as number | null,
    rss_mb: null as number | null,
  };
  const runs = {
    send: [] as number[],
    delivered: [] as number[],
    p50: [] as number[],
    p99: [] as number[],
    drain: [] as number[],
  };
  try {
    gw = await GatewayProcess.start({ record: 'count', sampleMetrics: ['lat'], receipts: false });
    const cpu = cpus();
    log(
      `Plexus client bench: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; ` +
        `test gateway in its own process (pid ${gw.pid}) at ${gw.wsUrl}, record 'count'`,
    );
    log(`Each measurement runs ${RUNS}× with a fresh client and data dir; the median is reported.`);
    log(`RSS of this process before any client: ${fixed(mb(rss.atStart), 1)} MB (Node, tsx, the client's modules).`);
    log(`The client runs with default options unless noted (durable buffer on: SQLite WAL, group commit 5 ms).`);

    const sends = await runPhase(
      gw,
      {
        name: 'send',
        title: `sustained send() for ${SEND_MS / 1000} s, connected, yielding every ${YIELD_EVERY} calls`,
        timeoutMs: 180_000,
        run: sendRate,
      },
      errors,
    );
    const delivered = await runPhase(
      gw,
      {
        name: 'deliver',
        title: `1,000,000 points sent while connected, until flush() reports them delivered`,
        timeoutMs: 180_000,
        run: deliveredRate,
      },
      errors,
    );
    const lats = await runPhase(
      gw,
      {
        name: 'latency',
        title: `send() → gateway receipt at ${int(LAT_POINTS_PER_MS * 1000)} points/s for ${LAT_MS / 1000} s (1 'lat' + ${FILLER.length} filler points per ms)`,
        timeoutMs: 120_000,
        run: latency,
      },
      errors,
    );
    const drains = await runPhase(
      gw,
      {
        name: 'drain',
        title:
          `1,000,000 points buffered while the gateway is down, then up(): time until the gateway counted all ` +
          `(this client uses reconnect backoff ${DRAIN_RECONNECT.baseMs} ms × 2ⁿ, cap ${DRAIN_RECONNECT.capMs} ms, ` +
          `instead of the default 1 s × 2ⁿ, so reconnect wait does not hide drain speed)`,
        timeoutMs: 240_000,
        run: drain,
      },
      errors,
    );

    runs.send = sends;
    runs.delivered = delivered;
    runs.p50 = lats.map((l) => l.p50);
    runs.p99 = lats.map((l) => l.p99);
    runs.drain = drains;
    if (sends.length) out.send_per_s = Math.round(median(sends));
    if (delivered.length) out.delivered_per_s = Math.round(median(delivered));
    if (lats.length) {
      out.latency_p50_ms = round(median(runs.p50), 2);
      out.latency_p99_ms = round(median(runs.p99), 2);
    }
    if (drains.length) out.drain_1m_s = round(median(drains), 2);
  } catch (e) {
    const msg = `client bench failed: ${(e as Error).stack ?? String(e)}`;
    log(msg);
    errors.push(msg);
  } finally {
    if (gw) {
      await withTimeout(gw.stop(), 15_000, 'stopping the gateway process').catch((e: unknown) =>
        log(`stopping the gateway failed: ${(e as Error).message}`),
      );
    }
    rss.stop();
  }
  out.rss_mb = round(mb(rss.peak), 1);
  const maxRss = mb(process.resourceUsage().maxRSS * 1024);

  log('\nSummary: median (individual runs)');
  const row = (label: string, key: keyof typeof out, runs: number[], fmt: (n: number) => string): void => {
    const v = out[key];
    const target = key in TARGETS ? `   ${verdict(key as keyof typeof TARGETS, v)}` : '';
    const each = runs.length > 1 ? `  (${runs.map(fmt).join(', ')})` : '';
    log(`  ${label.padEnd(20)}${v === null ? 'n/a' : fmt(v)}${each}${target}`);
  };
  row('send()/s', 'send_per_s', runs.send, int);
  row('delivered points/s', 'delivered_per_s', runs.delivered, int);
  row('latency p50', 'latency_p50_ms', runs.p50, (n) => `${fixed(n)} ms`);
  row('latency p99', 'latency_p99_ms', runs.p99, (n) => `${fixed(n)} ms`);
  row('drain 1M backlog', 'drain_1m_s', runs.drain, (n) => `${fixed(n)} s`);
  row('peak RSS', 'rss_mb', [], (n) => `${fixed(n, 1)} MB`);
  log(
    `  (RSS of this process sampled every ${RSS_SAMPLE_MS} ms over all phases; kernel maxRSS ${fixed(maxRss, 1)} MB; ` +
      `${fixed(mb(rss.atStart), 0)} MB before any client; at the peak the V8 heap was ` +
      `${fixed(mb(rss.peakHeapTotal), 0)} MB, ${fixed(mb(rss.peakHeapUsed), 0)} MB of it in use)`,
  );
  if (errors.length) log(`\n${errors.length} error(s):\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  log(JSON.stringify({ bench: 'client', ...out }));
  return errors.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Anything left open (it should not be) must not keep the bench alive.
    setTimeout(() => process.exit(code), 5_000).unref();
  },
  (e: unknown) => {
    log(`client bench crashed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
