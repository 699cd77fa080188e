// The serial end-to-end benchmark (`npm run bench -- serial`): a device process writes LINES
// 8-value plotter lines into one end of a socat pty pair as fast as the pty takes them; the app's
// real serial device reads the other end → line splitter → plotter parser → the Plexus client
// (durable buffer on) → WebSocket → the test gateway in its own process on loopback.
//
//   serial_e2e_lines_per_s   lines / (first byte written → the gateway accepted the last point);
//                            a line counts once all 8 of its points were accepted
//   serial_read_lines_per_s  lines / (first byte written → the serial device had parsed them all)
//   missing_lines            lines whose first value (the line number) the gateway never accepted
//   max_rss_mb               kernel peak RSS (maxRSS) of this process: serial, parser and client
//
// Each run uses a fresh pty pair, client and data dir; RUNS runs, the median is reported. Ends
// with exactly one JSON line, which scripts/bench.mjs collects.
//
// To see where the time goes, BENCH_SERIAL_SINK=local records into a client with no key (durable
// buffer, no delivery) and BENCH_SERIAL_SINK=count into a sink that only counts (the serial
// device and parser alone); both then report only the read rate.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Plexus } from '../src/main/plexus';
import { SerialDevice } from '../src/main/devices/serial';
import type { TelemetrySink } from '../src/main/devices/types';
import { LineReader } from '../src/main/devices/lines/line-reader';
import { GatewayProcess } from '../test/support/gateway-process';
import { killAllPtyProcesses, ptyPair } from '../test/helpers/pty';

const RUNS = positiveInt(process.env.BENCH_RUNS, 3);
const LINES = positiveInt(process.env.BENCH_SERIAL_LINES, 300_000);
const VALUES = 8;
const TARGET = 50_000;
const RUN_TIMEOUT_MS = 180_000;
const API_KEY = 'plx_bench_key';
const ROOT = join(__dirname, '..');
const SINK = process.env.BENCH_SERIAL_SINK ?? 'gateway';
if (!['gateway', 'local', 'count'].includes(SINK)) throw new Error(`BENCH_SERIAL_SINK must be gateway, local or count`);

function positiveInt(v: string | undefined, dflt: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}

const wallNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function until(pred: () => boolean | Promise<boolean>, ms: number, what: string, every = 5): Promise<void> {
  const end = performance.now() + ms;
  while (!(await pred())) {
    if (performance.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(every);
  }
}

/** Chunks the serial port handed over (LineReader.push calls), to see how the pty delivers. */
let chunks = 0;
{
  const proto = LineReader.prototype as unknown as { push: (chunk: Buffer) => void };
  const push = proto.push;
  proto.push = function (this: unknown, chunk: Buffer): void {
    chunks++;
    push.call(this, chunk);
  };
}

interface Writer {
  proc: ChildProcess;
  start: Promise<number>;
  end: Promise<{ at: number; bytes: number; maxRssMb: number }>;
  go(): void;
  stop(): void;
}

/** The device process (bench/serial-writer.ts), ready to write once go() is called. */
async function startWriter(path: string, count: number): Promise<Writer> {
  const proc = spawn(
    process.execPath,
    ['--require', 'tsx/cjs', join(__dirname, 'serial-writer.ts'), path, String(count)],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: proc.stdout });
  let onStart!: (t: number) => void;
  let onEnd!: (e: { at: number; bytes: number; maxRssMb: number }) => void;
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const start = new Promise<number>((r) => (onStart = r));
  const end = new Promise<{ at: number; bytes: number; maxRssMb: number }>((r) => (onEnd = r));
  lines.on('line', (l) => {
    const [word, a, b, c] = l.split(' ');
    if (word === 'ready') onReady();
    else if (word === 'start') onStart(Number(a));
    else if (word === 'end') onEnd({ at: Number(a), bytes: Number(b), maxRssMb: Number(c) });
  });
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code) => reject(new Error(`the writer exited (${String(code)}) before it was ready`))),
  );
  await Promise.race([ready, exited]);
  exited.catch(() => {}); // later exits are expected (stop())
  return {
    proc,
    start,
    end,
    go: () => proc.stdin.write('go\n'),
    stop: () => {
      proc.stdin.end();
      setTimeout(() => proc.kill('SIGKILL'), 2_000).unref();
    },
  };
}

interface RunResult {
  e2e: number;
  read: number;
  missing: number;
  detail: string;
}

async function oneRun(gw: GatewayProcess, run: number): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-serial-'));
  let client: Plexus | null = null;
  let dev: SerialDevice | null = null;
  let writer: Writer | null = null;
  try {
    const pty = await ptyPair(dir, 'e2e');
    writer = await startWriter(pty.device, LINES);
    const c = (client = new Plexus({
      apiKey: SINK === 'gateway' ? API_KEY : null,
      sourceId: `bench-serial-${run}`,
      gatewayUrl: gw.url,
      gatewayWsUrl: gw.wsUrl,
      dataDir: join(dir, 'data'),
    }));
    if (SINK === 'gateway') await until(() => c.status().status === 'connected', 15_000, 'the client to connect');
    let counted = 0;
    const counting: TelemetrySink = {
      now: () => c.now(),
      send: () => ++counted,
      sendBatch: (points) => (counted += points.length),
      sendVideoFrame: (frame, cameraId, opts) => c.sendVideoFrame(frame, cameraId, opts),
    };
    const d = (dev = new SerialDevice(
      { name: 'e2e', path: pty.host, baudRate: 115_200, parser: 'plotter' },
      SINK === 'count' ? counting : c,
    ));
    d.start();
    await until(() => d.status().state === 'open', 10_000, 'the serial port to open');

    const before = await gw.stats();
    chunks = 0;
    const want = LINES * VALUES;
    writer.go();
    const tStart = await writer.start;
    await until(
      () => d.stats().lines >= LINES,
      RUN_TIMEOUT_MS,
      `${int(LINES)} lines read (${int(d.stats().lines)} so far)`,
    );
    const tRead = wallNow();
    await c.persisted();
    const tPersisted = wallNow();
    if (SINK !== 'gateway') {
      const read = (LINES / (tRead - tStart)) * 1000;
      const detail =
        `  run ${run}: ${int(read)} lines/s read and parsed into the ${SINK === 'count' ? 'counting sink' : 'durable buffer'} ` +
        `(${((tRead - tStart) / 1000).toFixed(2)} s; durable at +${((tPersisted - tStart) / 1000).toFixed(2)} s; ` +
        `${int(SINK === 'count' ? counted : c.stats().stored)} points; serial chunks ≈ ${int(d.stats().bytes / Math.max(1, chunks))} bytes each)`;
      return { e2e: NaN, read, missing: 0, detail };
    }
    await until(
      async () => (await gw.stats()).counters.acceptedPoints - before.counters.acceptedPoints >= want,
      RUN_TIMEOUT_MS,
      'the gateway to accept every point',
      10,
    );
    const w = await writer.end;

    // Every accepted point of this run, from the gateway's receipt log: when the last one was
    // accepted, and which line numbers (value1) arrived.
    const seen = new Uint8Array(LINES);
    let lastAccepted = 0;
    let accepted = 0;
    for (let from = before.receipts; ;) {
      const rc = await gw.receiptsSince(from, 500_000);
      const n = rc.receivedAt.length;
      if (n === 0) break;
      const id = rc.metricNames.indexOf('e2e.value1');
      for (let i = 0; i < n; i++) {
        lastAccepted = Math.max(lastAccepted, rc.receivedAt[i]!);
        if (rc.metricIds[i] === id) {
          const line = rc.values[i]!;
          if (Number.isInteger(line) && line >= 0 && line < LINES) seen[line] = 1;
        }
      }
      accepted += n;
      from += n;
    }
    let missing = 0;
    for (let i = 0; i < LINES; i++) missing += seen[i] ? 0 : 1;
    const st = d.stats();
    const problems = Object.values(st.problems).reduce((a, b) => a + b, 0);
    const cs = c.stats();
    const e2e = (LINES / (lastAccepted - tStart)) * 1000;
    const read = (LINES / (tRead - tStart)) * 1000;
    const detail =
      `  run ${run}: ${int(e2e)} lines/s end to end (${int(LINES)} lines in ${((lastAccepted - tStart) / 1000).toFixed(2)} s); ` +
      `written in ${((w.at - tStart) / 1000).toFixed(2)} s (${int(w.bytes)} bytes), all read and parsed at ` +
      `+${((tRead - tStart) / 1000).toFixed(2)} s (${int(read)} lines/s), durable at +${((tPersisted - tStart) / 1000).toFixed(2)} s, ` +
      `last point accepted at +${((lastAccepted - tStart) / 1000).toFixed(2)} s; gateway accepted ${int(accepted)} points ` +
      `(${int(want)} expected), missing lines ${missing}, line problems ${problems}, resent ${int(cs.resent)}, ` +
      `serial chunks ≈ ${int(st.bytes / Math.max(1, chunks))} bytes each`;
    return { e2e, read, missing, detail };
  } finally {
    writer?.stop();
    await dev?.stop();
    await client?.close({ timeoutMs: 1_000 });
    await killAllPtyProcesses();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const cpu = cpus();
  console.log(
    `Serial end to end: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; ${int(LINES)} lines of ` +
      `${VALUES} values (plotter format), socat pty pair → SerialDevice → plotter parser → Plexus client → ` +
      `test gateway (own process, loopback); ${RUNS} runs`,
  );
  const gw = await GatewayProcess.start({ record: 'count', receipts: true });
  const results: RunResult[] = [];
  const errors: string[] = [];
  try {
    for (let i = 1; i <= RUNS; i++) {
      try {
        const r = await oneRun(gw, i);
        console.log(r.detail);
        results.push(r);
      } catch (e) {
        const msg = `run ${i} failed: ${(e as Error).message}`;
        console.log(`  ${msg}`);
        errors.push(msg);
      }
    }
  } finally {
    await gw.stop();
  }
  const maxRss = process.resourceUsage().maxRSS / 1024;
  const e2es = results.map((r) => r.e2e).filter(Number.isFinite);
  const e2e = e2es.length ? Math.round(median(e2es)) : null;
  const read = results.length ? Math.round(median(results.map((r) => r.read))) : null;
  const missing = results.length ? Math.max(...results.map((r) => r.missing)) : null;
  if (missing) errors.push(`${missing} lines never reached the gateway`);
  const readText = `read and parsed ${read === null ? 'n/a' : int(read)} lines/s`;
  const rssText = `peak RSS of this process ${maxRss.toFixed(1)} MB`;
  console.log(
    SINK === 'gateway'
      ? `Summary (median of ${results.length}): ${e2e === null ? 'n/a' : int(e2e)} lines/s end to end ` +
          `(target ≥ ${int(TARGET)}: ${e2e !== null && e2e >= TARGET ? 'OK' : 'MISSED'}); ${readText}; ${rssText}`
      : `Summary (median of ${results.length}, sink ${SINK}): ${readText}; ${rssText}`,
  );
  if (errors.length) console.log(`${errors.length} error(s):\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  console.log(
    JSON.stringify({
      bench: 'serial-e2e',
      ...(SINK === 'gateway' ? {} : { sink: SINK }),
      serial_e2e_lines_per_s: e2e,
      serial_read_lines_per_s: read,
      lines: LINES,
      missing_lines: missing,
      max_rss_mb: Math.round(maxRss * 10) / 10,
    }),
  );
  return errors.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 5_000).unref();
  },
  (e: unknown) => {
    console.log(`serial bench crashed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
