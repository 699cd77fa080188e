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
//                    WebSocket (both ends): what bounds delivery when the round trip is short
//   windowW_rttNN_per_s (opt-in, BENCH_PHASES=window)
//                    a bare WebSocket device with W = 1–4 full frames in flight: what pipelining
//                    would deliver at each round trip, and whether the gateway drops any frame
//   rss_mb           the kernel's peak RSS (getrusage maxRSS) of the client process: each phase runs
//                    in its own child process, so this is the largest phase's own high-water mark
//                    (rss_phase names it; rss_<phase>_mb gives every phase's)
//
// Every measurement runs RUNS times (fresh client, fresh data dir each time); the median is
// reported. The output ends with exactly one JSON line, which scripts/bench.mjs collects.
//
// The phases live under bench/client/ (one module per group, with shared helpers); this entry lists
// them, runs each in a child process (the same file, with BENCH_CLIENT_PHASE set) and prints the summary.

import { cpus } from 'node:os';
import { DRAIN_RECONNECT, drain } from './client/drain';
import { frameCost, type FrameCost } from './client/frame-cost';
import { fixed, int, log, median, round, RUNS } from './client/helpers';
import { FILLER, LAT_MS, LAT_POINTS_PER_MS, latency, type LatencyResult } from './client/latency';
import { childMain, runChild, type ChildReport, type Phase } from './client/phase-process';
import { FRAME_MAX_POINTS, RTT_BACKLOG, RTTS, rttRun, type RttResult } from './client/round-trips';
import { deliveredRate, SEND_MS, sendRate, YIELD_EVERY } from './client/throughput';
import { windows, type WindowResult } from './client/window';

// BENCH_PHASES=send,drain picks phases (for iterating); BENCH_RUNS=n (see client/helpers.ts) the repeat count.
const PHASES = (process.env.BENCH_PHASES ?? '').split(',').filter(Boolean);
/** Set in a phase's child process: the phase it runs. */
const CHILD_PHASE = process.env.BENCH_CLIENT_PHASE;
/** Whole-bench deadline: whatever goes wrong, the process ends. */
const BENCH_DEADLINE_MS = 25 * 60_000;

const TARGETS = {
  send_per_s: { op: '≥', value: 200_000 },
  delivered_per_s: { op: '≥', value: 100_000 },
  latency_p99_ms: { op: '≤', value: 25 },
  drain_1m_s: { op: '≤', value: 15 },
  rss_mb: { op: '≤', value: 250 },
} as const;

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
    title: 'CPU time one full frame costs outside the client (what bounds delivery at a short round trip)',
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
    const r = await runChild(p, __filename);
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
        `(target ≥ 80 %: ${ratio >= 0.8 ? 'OK' : 'MISSED'}); a frame confirmed every ` +
        `${fixed(median(rs.map((r) => r.cycleMs)))} ms, ${fixed(median(rs.map((r) => r.inFlight)), 0)} in flight; ` +
        `each frame RTT ${rtt} + up ${fixed(median(rs.map((r) => r.upMs)))} + down ${fixed(median(rs.map((r) => r.downMs)))} ms (medians)`,
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
    // One core's worth of gateway work per second: the most any number of frames in flight can get
    // through the test gateway, whatever the round trip.
    log(
      `  full frame, CPU          test gateway ${fixed(gwMs)} ms + WebSocket ${fixed(wsMs)} ms (both ends); ` +
        `the test gateway alone takes at most ${int(1000 / gwMs)} frames/s = ${int((1000 / gwMs) * FRAME_MAX_POINTS)} points/s`,
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
