// The client benchmark (`npm run bench -- client`): the Plexus client against the test gateway,
// which runs in its own process (GatewayProcess, record: 'count') on loopback so its parsing and
// validation do not share this event loop.
//
//   send_per_s       sustained send() calls/s, durable buffer on, connected, delivery running
//   delivered_per_s  1,000,000 points sent while connected: points / (first send → flush() delivered)
//   latency_p50/p99  10,000 points/s for 8 s; `lat` points carry their send() time as the value and
//                    the gateway stamps receivedAt with the same clock expression
//   drain_1m_s       1,000,000 points buffered during an outage: gateway up() → gateway counted all
//   delivered_rttNN_per_s / ceiling_rttNN_per_s / ratio_rttNN
//                    the gateway delays each direction by NN/2 ms (a round trip of NN ms); a
//                    backlog of RTT_BACKLOG points is buffered before the client has a key, then
//                    the key is set: delivered points/s in the steady state (first confirmed frame →
//                    last), against the ceiling of stop-and-wait delivery, points per full frame ÷ RTT
//                    (rtt0, loopback with no delay, has no ceiling: the baseline)
//   gateway_frame_cpu_ms / ws_frame_cpu_ms
//                    CPU one full frame costs the test gateway (parse, validate, count) and the
//                    WebSocket (both ends): besides the RTT, what each stop-and-wait cycle holds
//   windowW_rttNN_per_s (opt-in, BENCH_PHASES=window)
//                    a bare WebSocket device with W = 1–4 full frames in flight: what pipelining
//                    would deliver at each round trip, and whether the gateway drops any frame
//   rss_mb           the kernel's peak RSS (getrusage maxRSS) of the client process: each phase runs
//                    in its own child process, so this is the largest phase's own high-water mark
//                    (rss_phase names it; rss_<phase>_mb gives every phase's)
//
// Every measurement runs RUNS times (fresh client, fresh data dir each time); the median is
// reported. The output ends with exactly one JSON line, which scripts/bench.mjs collects.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket, { WebSocketServer } from 'ws';
import { Plexus, type BatchPoint, type PlexusOptions, type Status } from '../src/main/plexus';
import { GatewayProcess, type GatewayProcessOptions } from '../test/support/gateway-process';
import { Recorder } from '../test/support/gateway-records';
import { inferPointClasses, parseGoJson, validateMessage, type Obj } from '../test/support/gateway-validate';

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
/** Round trips of the RTT phases (ms); 0 is the loopback baseline (no ceiling). */
const RTTS = [0, 20, 50, 100] as const;
/** Points buffered before the RTT phases connect: 40 full frames. */
const RTT_BACKLOG = 400_000;
const RTT_CHUNK = 10_000;
/** Set in a phase's child process: the phase it runs. */
const CHILD_PHASE = process.env.BENCH_CLIENT_PHASE;
/** How a child reports its results to the parent (one line on stdout). */
const RESULT_PREFIX = '@phase ';
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

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

// ── memory ─────────────────────────────────────────────────────────────────────────────

/**
 * The kernel's high-water mark of this process's resident memory, in MB (getrusage ru_maxrss, in
 * KiB on Linux). Unlike sampling it misses no short peak; it covers the whole life of the process,
 * which is why every phase runs in a process of its own.
 */
const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;

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
        reject(e);
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

// ── 5. stop-and-wait delivery over a round trip ────────────────────────────────────────────

/**
 * When each telemetry frame was written to the socket (wall clock, as the gateway child stamps),
 * recorded by wrapping ws's send() in this process: the client sends frames as Buffers, control
 * messages as strings. Only the RTT phase turns it on.
 */
const frameWrites = { on: false, at: [] as number[], bytes: [] as number[] };
{
  const proto = WebSocket.prototype as unknown as { send: (data: unknown, ...rest: unknown[]) => void };
  const send = proto.send;
  proto.send = function (this: unknown, data: unknown, ...rest: unknown[]): void {
    if (frameWrites.on && Buffer.isBuffer(data)) {
      frameWrites.at.push(wallNow());
      frameWrites.bytes.push(data.length);
    }
    send.call(this, data, ...rest);
  };
}

interface RttResult {
  rttMs: number;
  /** Steady-state delivered points/s: first confirmed frame → last. */
  delivered: number;
  /** Points per full frame ÷ RTT (Infinity at RTT 0). */
  ceiling: number;
  framePoints: number;
  frames: number;
  /** Medians over frames 2…n, ms: confirm → confirm, and its parts (see rttRun). */
  cycleMs: number;
  prepMs: number;
  upMs: number;
  downMs: number;
}

/** Points per full frame: the protocol's 10,000, or fewer when that many points pass ~1 MiB. */
const FRAME_MAX_POINTS = 10_000;
const FRAME_MAX_BYTES = 1_048_576 - '{"type":"telemetry","points":[]}'.length - 1024;

async function rttRun(scope: RunScope, gw: GatewayProcess, run: number, rttMs: number): Promise<RttResult> {
  const oneWay = rttMs / 2;
  // No key yet: the backlog is buffered before any connection exists, as after a night offline.
  const c = scope.client(`bench-rtt${rttMs}-${run}`, { apiKey: null });
  const chunk: BatchPoint[] = Array.from({ length: RTT_CHUNK }, (_, i) => ({ metric: NAMES[i % 500]!, value: 0 }));
  for (let k = 0; k < RTT_BACKLOG;) {
    for (let i = 0; i < RTT_CHUNK; i++, k++) chunk[i]!.value = valueFor(k);
    // Explicit timestamps: nothing to move onto gateway time at the first sync.
    c.sendBatch(chunk, { timestamp: Date.now() });
    await yieldLoop();
  }
  await c.persisted();
  if (c.bufferSize() !== RTT_BACKLOG) throw new Error(`bufferSize() is ${c.bufferSize()}, not ${RTT_BACKLOG}`);

  const confirms: Array<{ at: number; count: number }> = [];
  let viaHttp = 0;
  c.on('delivered', (d) => {
    if (d.via === 'ws') confirms.push({ at: wallNow(), count: d.count });
    else viaHttp += d.count;
  });
  const fromReceipt = (await gw.stats()).receipts;
  frameWrites.at = [];
  frameWrites.bytes = [];
  frameWrites.on = true;
  const tKey = wallNow();
  try {
    c.setApiKey(API_KEY);
    await flushAll(c, gw, 120_000, `rtt ${rttMs} ms`);
  } finally {
    frameWrites.on = false;
  }
  const tDone = wallNow();
  if (viaHttp > 0) throw new Error(`${viaHttp} points went over HTTP: not a WebSocket measurement`);
  const total = confirms.reduce((n, x) => n + x.count, 0);
  if (total < RTT_BACKLOG) throw new Error(`${total} of ${RTT_BACKLOG} points confirmed over the WebSocket`);
  if (confirms.length < 3) throw new Error(`only ${confirms.length} frames`);

  // Gateway side: every point of one frame has the same receivedAt (stamped once per message).
  const rc = await gw.receiptsSince(fromReceipt, RTT_BACKLOG + 1);
  const accepts: number[] = [];
  for (let i = 0; i < rc.receivedAt.length; i++) {
    const t = rc.receivedAt[i]!;
    if (accepts.length === 0 || t !== accepts[accepts.length - 1]) accepts.push(t);
  }

  const first = confirms[0]!;
  const last = confirms[confirms.length - 1]!;
  const steadyPoints = total - first.count;
  const delivered = (steadyPoints / (last.at - first.at)) * 1000;
  const maxCount = Math.max(...confirms.map((x) => x.count));
  const bytesPerPoint = frameWrites.bytes.length
    ? frameWrites.bytes.reduce((a, b) => a + b, 0) / total
    : FRAME_MAX_BYTES / FRAME_MAX_POINTS;
  const framePoints = Math.min(FRAME_MAX_POINTS, Math.floor(FRAME_MAX_BYTES / bytesPerPoint));
  const ceiling = rttMs > 0 ? (framePoints / rttMs) * 1000 : Infinity;
  const full = confirms.filter((x) => x.count >= framePoints).length;

  // Where one cycle goes (frames 2…n; each list lines up only when every frame went once):
  //   prep  confirm of frame i−1 → frame i written (the client's gap, batch and JSON)
  //   up    frame i written → the gateway accepted it, minus the one-way delay (transfer, parse, validate)
  //   down  accepted → the client saw the confirmation, minus the one-way delay (the pong's way back)
  const cyc: number[] = [];
  const prep: number[] = [];
  const up: number[] = [];
  const down: number[] = [];
  const aligned = frameWrites.at.length === confirms.length && accepts.length === confirms.length;
  for (let i = 1; i < confirms.length; i++) {
    cyc.push(confirms[i]!.at - confirms[i - 1]!.at);
    if (!aligned) continue;
    prep.push(frameWrites.at[i]! - confirms[i - 1]!.at);
    up.push(accepts[i]! - frameWrites.at[i]! - oneWay);
    down.push(confirms[i]!.at - accepts[i]! - oneWay);
  }
  const r: RttResult = {
    rttMs,
    delivered,
    ceiling,
    framePoints,
    frames: confirms.length,
    cycleMs: median(cyc),
    prepMs: aligned ? median(prep) : NaN,
    upMs: aligned ? median(up) : NaN,
    downMs: aligned ? median(down) : NaN,
  };
  log(
    `  run ${run}: ${int(delivered)} points/s delivered in the steady state` +
      (rttMs > 0 ? ` = ${fixed((100 * delivered) / ceiling, 1)} % of the ceiling ${int(ceiling)}` : '') +
      `  (${confirms.length} frames, ${full} full = ${maxCount} points, ${fixed(bytesPerPoint, 1)} bytes/point; ` +
      `cycle ${fixed(r.cycleMs)} ms = RTT ${rttMs} + prep ${fixed(r.prepMs)} + up ${fixed(r.upMs)} + ` +
      `down ${fixed(r.downMs)}; key set → all confirmed ${fixed((tDone - tKey) / 1000)} s` +
      `${aligned ? '' : `; frames written ${frameWrites.at.length}, accepted ${accepts.length}: not aligned`})`,
  );
  return r;
}

// ── 6. the CPU a full frame costs, whatever the machine's load ─────────────────────────────

interface FrameCost {
  /** The test gateway's work on one full frame: JSON parse, validation, accounting (CPU ms). */
  gatewayMs: number;
  /** ws on both ends (mask, write, read, unmask, the ping back), one process (CPU ms). */
  wsMs: number;
}

/** CPU time per call of fn (user + system), after a warm-up: unlike wall time, not inflated by load. */
function cpuMsPer(fn: () => void, reps: number): number {
  for (let i = 0; i < 5; i++) fn();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / reps;
}

/**
 * Stop-and-wait puts everything between a frame's write and its pong into each cycle besides the
 * round trip. This prices the two big parts on this machine in CPU time, so the RTT figures can be
 * read against an idle machine: a full frame as the client builds it (same metric names, values,
 * timestamps), the gateway's processing of it, and the WebSocket transport of it.
 */
async function frameCost(_scope: RunScope, _gw: GatewayProcess, run: number): Promise<FrameCost> {
  const ts = Date.now();
  const pts: string[] = [];
  for (let i = 0; i < FRAME_MAX_POINTS; i++)
    pts.push(`{"metric":"${NAMES[i % 500]!}","value":${valueFor(i)},"timestamp":${ts + i},"class":"metric"}`);
  const frame = Buffer.from(`{"type":"telemetry","points":[${pts.join(',')}]}`);
  const rec = new Recorder('count', new Set(), true, undefined);
  const gatewayMs = cpuMsPer(() => {
    const parsed = parseGoJson(frame.toString('utf8'));
    if (!parsed.ok) throw new Error('frame is not JSON');
    const msg = parsed.value as Obj;
    inferPointClasses(msg['points']);
    const v = validateMessage(msg, FRAME_MAX_POINTS);
    if (v.error !== undefined) throw new Error(`frame refused: ${v.error}`);
    rec.acceptPoints('ws', 'dev', 'bench', msg['points'] as Obj[]);
  }, 20);

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 2 << 20 });
  try {
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (s) => s.on('message', () => s.ping()));
    const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, {
      perMessageDeflate: false,
    });
    await new Promise((r) => ws.once('open', r));
    const once = (): Promise<void> =>
      new Promise((r) => {
        ws.once('ping', () => r());
        ws.send(frame);
      });
    for (let i = 0; i < 3; i++) await once();
    const reps = 20;
    const c0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) await once();
    const c = process.cpuUsage(c0);
    ws.close();
    const r = { gatewayMs, wsMs: (c.user + c.system) / 1000 / reps };
    log(
      `  run ${run}: a full frame (${int(FRAME_MAX_POINTS)} points, ${int(frame.length)} bytes) costs the test gateway ` +
        `${fixed(r.gatewayMs)} ms of CPU (parse, validate, count) and the WebSocket ${fixed(r.wsMs)} ms (both ends)`,
    );
    return r;
  } finally {
    wss.close();
  }
}

// ── 7. what more frames in flight would give (opt-in: BENCH_PHASES=window) ─────────────────

interface WindowResult {
  rttMs: number;
  window: number;
  /** Steady-state accepted points/s. */
  rate: number;
  /** Telemetry messages the gateway dropped for spacing (silently) or refused. */
  dropped: number;
}

const WINDOW_FRAMES = 30;

/**
 * Not the client: a bare WebSocket device sending full frames, each followed by its own ping,
 * with up to `window` frames unanswered (1 = the client's stop-and-wait, with its 1 ms gap). It
 * shows what pipelining would deliver against the same gateway and round trip, and whether the
 * gateway's 0.5 ms spacing rule drops frames that arrive back to back (it checks after parsing
 * and validating each, so full frames are far apart at the check).
 */
async function windowRun(gw: GatewayProcess, rttMs: number, window: number): Promise<WindowResult> {
  const frames = Array.from({ length: 4 }, (_, k) => {
    const pts: string[] = [];
    const ts = Date.now();
    for (let i = 0; i < FRAME_MAX_POINTS; i++)
      pts.push(`{"metric":"${NAMES[i % 500]!}","value":${valueFor(k * 7 + i)},"timestamp":${ts + i},"class":"metric"}`);
    return Buffer.from(`{"type":"telemetry","points":[${pts.join(',')}]}`);
  });
  const ws = new WebSocket(gw.wsUrl, { perMessageDeflate: false });
  try {
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const auth = { type: 'device_auth', api_key: API_KEY, source_id: `bench-win-${rttMs}-${window}` };
    ws.send(
      JSON.stringify({
        ...auth,
        platform: 'bench',
        agent_version: '0',
        install_id: 'bench',
        commands: [],
        cameras: [],
      }),
    );
    await new Promise((r) => ws.once('message', r));
    const before = (await gw.stats()).counters;
    let sent = 0;
    let answered = 0;
    let tFirst = 0;
    const tLast = await new Promise<number>((resolve) => {
      const pump = (): void => {
        for (; sent < WINDOW_FRAMES && sent - answered < window; sent++) {
          ws.send(frames[sent % frames.length]!, { binary: false });
          const id = Buffer.alloc(4);
          id.writeUInt32BE(sent);
          ws.ping(id);
        }
      };
      ws.on('pong', () => {
        answered++;
        if (answered === 1) tFirst = now();
        if (answered === WINDOW_FRAMES) resolve(now());
        else if (window === 1) setTimeout(pump, 1);
        else pump();
      });
      pump();
    });
    const after = (await gw.stats()).counters;
    const dropped =
      Object.values(after.dropped).reduce((a, b) => a + b, 0) -
      Object.values(before.dropped).reduce((a, b) => a + b, 0);
    const accepted = after.acceptedPoints - before.acceptedPoints;
    if (accepted + dropped * FRAME_MAX_POINTS < WINDOW_FRAMES * FRAME_MAX_POINTS)
      throw new Error(`the gateway accounted for ${accepted} points and ${dropped} dropped frames`);
    return { rttMs, window, rate: ((WINDOW_FRAMES - 1) * FRAME_MAX_POINTS) / ((tLast - tFirst) / 1000), dropped };
  } finally {
    ws.close();
  }
}

async function windows(_scope: RunScope, _gw: GatewayProcess, run: number): Promise<WindowResult[]> {
  const out: WindowResult[] = [];
  for (const rtt of RTTS.filter((r) => r > 0)) {
    const gw = await GatewayProcess.start({ record: 'count', receipts: false, latencyMs: rtt / 2 });
    try {
      for (const w of [1, 2, 3, 4]) out.push(await windowRun(gw, rtt, w));
    } finally {
      await gw.stop();
    }
    const rs = out.filter((r) => r.rttMs === rtt);
    log(
      `  run ${run}, RTT ${rtt} ms (ceiling ${int((FRAME_MAX_POINTS / rtt) * 1000)}): ` +
        rs
          .map((r) => `${r.window} in flight ${int(r.rate)}/s${r.dropped ? ` (${r.dropped} dropped!)` : ''}`)
          .join(', '),
    );
  }
  return out;
}

// ── phases, each in a child process ────────────────────────────────────────────────────────

type PhaseResult = number | LatencyResult | RttResult | FrameCost | WindowResult[];

interface Phase {
  name: string;
  /** Runs only when BENCH_PHASES names it. */
  optIn?: boolean;
  title: string;
  /** Per run. */
  timeoutMs: number;
  /** Gateway options on top of the bench's own (record 'count', no receipts). */
  gateway?: GatewayProcessOptions;
  run(scope: RunScope, gw: GatewayProcess, run: number): Promise<PhaseResult>;
}

const PHASE_LIST: Phase[] = [
  {
    name: 'send',
    title: `sustained send() for ${SEND_MS / 1000} s, connected, yielding every ${YIELD_EVERY} calls`,
    timeoutMs: 180_000,
    run: sendRate,
  },
  {
    name: 'deliver',
    title: `1,000,000 points sent while connected, until flush() reports them delivered`,
    timeoutMs: 180_000,
    run: deliveredRate,
  },
  {
    name: 'latency',
    title: `send() → gateway receipt at ${int(LAT_POINTS_PER_MS * 1000)} points/s for ${LAT_MS / 1000} s (1 'lat' + ${FILLER.length} filler points per ms)`,
    timeoutMs: 120_000,
    run: latency,
  },
  {
    name: 'drain',
    title:
      `1,000,000 points buffered while the gateway is down, then up(): time until the gateway counted all ` +
      `(this client uses reconnect backoff ${DRAIN_RECONNECT.baseMs} ms × 2ⁿ, cap ${DRAIN_RECONNECT.capMs} ms, ` +
      `instead of the default 1 s × 2ⁿ, so reconnect wait does not hide drain speed)`,
    timeoutMs: 240_000,
    run: drain,
  },
  ...RTTS.map((rtt): Phase => ({
    name: `rtt${rtt}`,
    title:
      `round trip ${rtt} ms (the gateway delays each direction by ${rtt / 2} ms): ${int(RTT_BACKLOG)} points ` +
      `buffered before the client has a key, then the key is set; steady-state delivery vs. the stop-and-wait ceiling`,
    timeoutMs: 180_000,
    gateway: { latencyMs: rtt / 2, receipts: true },
    run: (scope, gw, run) => rttRun(scope, gw, run, rtt),
  })),
  {
    name: 'framecost',
    title: 'CPU time one full frame costs outside the client (the part of each stop-and-wait cycle besides the RTT)',
    timeoutMs: 60_000,
    run: frameCost,
  },
  {
    name: 'window',
    optIn: true,
    title: `a bare WebSocket device with 1–4 full frames in flight, each with its own ping (what pipelining would give)`,
    timeoutMs: 180_000,
    run: windows,
  },
];

interface ChildReport {
  phase: string;
  results: PhaseResult[];
  errors: string[];
  maxRssMb: number;
  rssAtStartMb: number;
}

/** Child process: one phase, RUNS times, on a gateway of its own; reports one RESULT_PREFIX line. */
async function childMain(p: Phase): Promise<number> {
  // The parent kills a stuck phase; this covers a parent that is gone.
  setTimeout(() => process.exit(2), p.timeoutMs * RUNS + 90_000).unref();
  const rssAtStartMb = process.memoryUsage.rss() / (1024 * 1024);
  const errors: string[] = [];
  const results: PhaseResult[] = [];
  let gw: GatewayProcess | null = null;
  try {
    gw = await GatewayProcess.start({ record: 'count', sampleMetrics: ['lat'], receipts: false, ...p.gateway });
    log(`\n[${p.name}] ${p.title}`);
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
  } catch (e) {
    errors.push(`${p.name} failed: ${(e as Error).stack ?? String(e)}`);
  } finally {
    if (gw) {
      await withTimeout(gw.stop(), 15_000, 'stopping the gateway process').catch((e: unknown) =>
        log(`stopping the gateway failed: ${(e as Error).message}`),
      );
    }
  }
  const maxRss = maxRssMb();
  log(
    `  peak RSS of this phase's process (kernel maxRSS): ${fixed(maxRss, 1)} MB (${fixed(rssAtStartMb, 0)} MB at start)`,
  );
  const report: ChildReport = { phase: p.name, results, errors, maxRssMb: maxRss, rssAtStartMb };
  // Infinity (the RTT 0 ceiling) is not JSON: it travels as null.
  log(`${RESULT_PREFIX}${JSON.stringify(report)}`);
  return errors.length ? 1 : 0;
}

/** Runs one phase in a child process, passing its log through; resolves with its report. */
function runChild(p: Phase): Promise<ChildReport> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_CLIENT_PHASE: p.name },
    });
    let report: ChildReport | null = null;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(RESULT_PREFIX)) report = JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildReport;
      else log(line);
    });
    // Whatever goes wrong in the child, the bench goes on to the next phase.
    const timer = setTimeout(() => child.kill('SIGKILL'), p.timeoutMs * RUNS + 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const fallback: ChildReport = {
        phase: p.name,
        results: [],
        errors: [`${p.name}: the phase's process ended (${code ?? signal}) without a report`],
        maxRssMb: NaN,
        rssAtStartMb: NaN,
      };
      resolve(report ?? fallback);
    });
  });
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
    process.exit(2); // the phase's child (and its gateway) exit when their parent goes away
  }, BENCH_DEADLINE_MS);
  watchdog.unref();

  const cpu = cpus();
  log(
    `Plexus client bench: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; ` +
      `each phase in its own process, with the test gateway in another (record 'count') on loopback.`,
  );
  log(`Each measurement runs ${RUNS}× with a fresh client and data dir; the median is reported.`);
  log(`The client runs with default options unless noted (durable buffer on: SQLite WAL, group commit 5 ms).`);

  const errors: string[] = [];
  const reports = new Map<string, ChildReport>();
  for (const p of PHASE_LIST) {
    if (PHASES.length > 0 ? !PHASES.includes(p.name) : p.optIn) continue;
    const r = await runChild(p);
    reports.set(p.name, r);
    errors.push(...r.errors);
  }
  const nums = (name: string): number[] => (reports.get(name)?.results ?? []) as number[];
  const lats = (reports.get('latency')?.results ?? []) as LatencyResult[];
  const rtts = (rtt: number): RttResult[] => (reports.get(`rtt${rtt}`)?.results ?? []) as RttResult[];
  const med = (xs: number[], d = 0): number | null => (xs.length ? round(median(xs), d) : null);

  const out: Record<string, number | string | null> = {
    send_per_s: med(nums('send')),
    delivered_per_s: med(nums('deliver')),
    latency_p50_ms: med(
      lats.map((l) => l.p50),
      2,
    ),
    latency_p99_ms: med(
      lats.map((l) => l.p99),
      2,
    ),
    drain_1m_s: med(nums('drain'), 2),
  };
  for (const rtt of RTTS) {
    const rs = rtts(rtt);
    out[`delivered_rtt${rtt}_per_s`] = med(rs.map((r) => r.delivered));
    if (rtt === 0) continue;
    out[`ceiling_rtt${rtt}_per_s`] = med(rs.map((r) => r.ceiling));
    out[`ratio_rtt${rtt}`] = med(
      rs.map((r) => r.delivered / r.ceiling),
      3,
    );
  }
  const wins = ((reports.get('window')?.results ?? []) as WindowResult[][]).flat();
  for (const rtt of RTTS.filter((r) => r > 0)) {
    for (const w of [1, 2, 3, 4]) {
      const xs = wins.filter((r) => r.rttMs === rtt && r.window === w);
      if (xs.length) out[`window${w}_rtt${rtt}_per_s`] = med(xs.map((r) => r.rate));
    }
  }
  if (wins.length) out.window_dropped_frames = wins.reduce((n, r) => n + r.dropped, 0);
  // The largest phase's own peak: every phase ran in a fresh process.
  let rssPhase = '';
  let rssMax = -1;
  for (const [name, r] of reports) {
    // framecost and window run no client: their processes are not the client's memory.
    if (name === 'framecost' || name === 'window') continue;
    if (Number.isFinite(r.maxRssMb) && r.maxRssMb > rssMax) [rssMax, rssPhase] = [r.maxRssMb, name];
  }
  out.rss_mb = rssMax >= 0 ? round(rssMax, 1) : null;
  out.rss_phase = rssPhase || null;
  for (const [name, r] of reports) out[`rss_${name}_mb`] = Number.isFinite(r.maxRssMb) ? round(r.maxRssMb, 1) : null;

  log('\nSummary: median (individual runs)');
  const row = (label: string, key: string, runs: number[], fmt: (n: number) => string): void => {
    const v = out[key] as number | null;
    const target = key in TARGETS ? `   ${verdict(key as keyof typeof TARGETS, v)}` : '';
    const each = runs.length > 1 ? `  (${runs.map(fmt).join(', ')})` : '';
    log(`  ${label.padEnd(24)}${v === null ? 'n/a' : fmt(v)}${each}${target}`);
  };
  row('send()/s', 'send_per_s', nums('send'), int);
  row('delivered points/s', 'delivered_per_s', nums('deliver'), int);
  row(
    'latency p50',
    'latency_p50_ms',
    lats.map((l) => l.p50),
    (n) => `${fixed(n)} ms`,
  );
  row(
    'latency p99',
    'latency_p99_ms',
    lats.map((l) => l.p99),
    (n) => `${fixed(n)} ms`,
  );
  row('drain 1M backlog', 'drain_1m_s', nums('drain'), (n) => `${fixed(n)} s`);
  for (const rtt of RTTS) {
    const rs = rtts(rtt);
    row(
      `delivered, RTT ${rtt} ms`,
      `delivered_rtt${rtt}_per_s`,
      rs.map((r) => r.delivered),
      int,
    );
    if (rtt === 0 || rs.length === 0) continue;
    const ratio = out[`ratio_rtt${rtt}`] as number;
    log(
      `  ${''.padEnd(24)}= ${fixed(100 * ratio, 1)} % of the ceiling ${int(out[`ceiling_rtt${rtt}_per_s`] as number)} ` +
        `(target ≥ 80 %: ${ratio >= 0.8 ? 'OK' : 'MISSED'}); cycle ${fixed(median(rs.map((r) => r.cycleMs)))} ms = ` +
        `RTT ${rtt} + prep ${fixed(median(rs.map((r) => r.prepMs)))} + up ${fixed(median(rs.map((r) => r.upMs)))} + ` +
        `down ${fixed(median(rs.map((r) => r.downMs)))} (medians)`,
    );
  }
  if (wins.length) {
    for (const rtt of RTTS.filter((r) => r > 0)) {
      const ws = [1, 2, 3, 4].map((w) => out[`window${w}_rtt${rtt}_per_s`] as number | undefined);
      log(
        `  ${`bare device, RTT ${rtt} ms`.padEnd(24)}${ws.map((v, i) => `${i + 1} in flight ${v === undefined ? 'n/a' : int(v)}`).join(', ')} points/s` +
          ` (ceiling of one in flight ${int((FRAME_MAX_POINTS / rtt) * 1000)})`,
      );
    }
    log(`  ${''.padEnd(24)}frames the gateway dropped or refused meanwhile: ${String(out.window_dropped_frames)}`);
  }
  const fcs = (reports.get('framecost')?.results ?? []) as FrameCost[];
  if (fcs.length) {
    const gwMs = round(median(fcs.map((f) => f.gatewayMs)), 2);
    const wsMs = round(median(fcs.map((f) => f.wsMs)), 2);
    out.gateway_frame_cpu_ms = gwMs;
    out.ws_frame_cpu_ms = wsMs;
    const preps = RTTS.flatMap((rtt) => rtts(rtt).map((r) => r.prepMs)).filter(Number.isFinite);
    // Without an RTT phase, the client's own share is left out (it is about 2 ms).
    const prep = preps.length ? median(preps) : 0;
    const extra = gwMs + wsMs + prep;
    log(
      `  full frame, CPU          test gateway ${fixed(gwMs)} ms + WebSocket ${fixed(wsMs)} ms` +
        ` + client prep ${fixed(prep)} ms = ${fixed(extra)} ms per cycle besides the RTT; on an idle machine` +
        ` stop-and-wait reaches at most ${RTTS.filter((r) => r > 0)
          .map((r) => `${fixed((100 * r) / (r + extra), 0)} % (RTT ${r})`)
          .join(', ')} of the ceiling`,
    );
  }
  row('peak RSS', 'rss_mb', [], (n) => `${fixed(n, 1)} MB (phase ${rssPhase})`);
  log(
    `  (kernel maxRSS of each phase's process: ${[...reports].map(([n, r]) => `${n} ${fixed(r.maxRssMb, 0)}`).join(', ')} MB)`,
  );
  if (errors.length) log(`\n${errors.length} error(s):\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  log(JSON.stringify({ bench: 'client', ...out }));
  return errors.length ? 1 : 0;
}

const childPhase = CHILD_PHASE === undefined ? null : PHASE_LIST.find((p) => p.name === CHILD_PHASE);
if (CHILD_PHASE !== undefined && !childPhase) {
  log(`client bench: unknown phase ${JSON.stringify(CHILD_PHASE)}`);
  process.exit(1);
}
(childPhase ? childMain(childPhase) : main()).then(
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
