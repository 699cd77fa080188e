// The camera benchmark: one 1280×720 camera at 30 fps through streamCamera() and a real Plexus
// client to the test gateway, which runs in its own process (GatewayProcess, record: 'count') so
// its parsing does not share this event loop. Called by bench/devices.bench.ts; for a manual run:
//   node --require tsx/cjs bench/camera.ts [seconds]
//
// The source is a generated 1280×720 30 fps H.264 file, looped in real time by FFmpeg (`-re
// -stream_loop -1`), re-encoded to MJPEG at quality 85 — the same work a camera source costs
// FFmpeg, minus the network. After a warm-up, for `seconds` (default 10):
//
//   camera_fps             frames the gateway received whose capture timestamp lies in the window,
//                          divided by the window
//   camera_latency_p50/p99 per frame: gateway receivedAt − capture timestamp. The capture timestamp
//                          is the client's now() when the frame's last byte came out of FFmpeg's
//                          pipe; so the latency covers splitting, sendVideoFrame (JPEG header read,
//                          message build), the WebSocket write, loopback TCP, and the gateway
//                          process's read, rate limit and header parse, until it records the frame.
//                          It does not cover FFmpeg's decode + encode (the time from "exposure" to
//                          the pipe). Clocks: the client's now() runs on this process's monotonic
//                          clock anchored at the gateway's time; receivedAt is the gateway child's
//                          performance.timeOrigin + performance.now(). We measure the constant
//                          offset between client.now() and this process's timeOrigin + now() and
//                          convert each capture timestamp into that clock, so both ends are
//                          read the same way (as in the client bench); timestamps travel as whole
//                          ms, so each latency is ±0.5 ms.
//   camera_cpu_pct         CPU time of this Node process (process.cpuUsage, user + system) over the
//                          window, in % of one core: the client, the splitter and the camera worker
//                          (FFmpeg's own CPU is in the details). Run it alone for a clean figure.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamCamera, type CameraStatus } from '../src/main/devices/camera';
import { Plexus } from '../src/main/plexus';
import { makeTestVideo } from '../test/fixtures/camera-helpers';
import { GatewayProcess } from '../test/support/gateway-process';

export interface CameraBenchResult {
  camera_fps: number;
  camera_latency_p50_ms: number;
  camera_latency_p99_ms: number;
  camera_cpu_pct: number;
  details: string[];
}

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 30;
const WARMUP_MS = 2_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Wall-clock ms with sub-ms resolution, the expression the gateway child stamps receivedAt with. */
const wallNow = (): number => performance.timeOrigin + performance.now();

async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

/** user + system CPU seconds of a process from /proc (Linux), or null. */
function procCpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the state field; clock ticks of 1/100 s.
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

export async function measureCamera(opts: { seconds?: number } = {}): Promise<CameraBenchResult> {
  const seconds = opts.seconds ?? 10;
  const dir = mkdtempSync(join(tmpdir(), 'plexus-camera-bench-'));
  let gw: GatewayProcess | null = null;
  let client: Plexus | null = null;
  let cam: ReturnType<typeof streamCamera> | null = null;
  try {
    const [video, started] = await Promise.all([
      makeTestVideo(join(dir, 'hd.mp4'), { width: WIDTH, height: HEIGHT, rate: FPS, seconds: 4, pattern: 'testsrc2' }),
      GatewayProcess.start({ record: 'count' }),
    ]);
    gw = started;
    const g = gw;
    client = new Plexus({
      apiKey: 'plx_bench_key',
      sourceId: 'bench-camera',
      gatewayUrl: g.url,
      gatewayWsUrl: g.wsUrl,
      dataDir: join(dir, 'data'),
    });
    const c = client;
    await until(() => c.status().status === 'connected', 15_000, 'the client to connect');

    cam = streamCamera(c, video, 'bench-720p', { fps: FPS, quality: 85 });
    const statuses: CameraStatus[] = [];
    cam.on('status', (s) => statuses.push(s));
    await until(() => statuses.some((s) => s.state === 'streaming'), 20_000, 'the camera to stream');
    await sleep(WARMUP_MS);

    const first = (await g.stats()).videoFrames;
    const stats0 = cam.stats();
    const ffPid = cam.pid;
    const ff0 = procCpuSeconds(ffPid);
    const offset0 = c.now() - wallNow();
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const from = c.now();
    await sleep(seconds * 1000);
    const to = c.now();
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    const ff1 = cam.pid === ffPid ? procCpuSeconds(ffPid) : null;
    const offset1 = c.now() - wallNow();
    const stats1 = cam.stats();
    await sleep(500); // frames captured at the end of the window reach the gateway

    const frames = (await g.list('videoFrames', Math.max(0, first - FPS))).filter(
      (f) => f.cameraId === 'bench-720p' && f.timestamp >= from && f.timestamp < to,
    );
    const offset = (offset0 + offset1) / 2;
    const latencies = frames.map((f) => f.receivedAt - (f.timestamp - offset)).sort((a, b) => a - b);
    const windowSecs = (to - from) / 1000;
    const cpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
    const sizes = frames.map((f) => f.jpegBytes);
    const avgKb = sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024 : 0;
    const dims = new Set(frames.map((f) => `${f.width}×${f.height}`));
    const restartsInWindow = stats1.restarts - stats0.restarts;
    const details = [
      `source: ${WIDTH}×${HEIGHT} ${FPS} fps H.264 file looped by FFmpeg ${statuses.find((s) => s.ffmpegVersion)?.ffmpegVersion ?? '?'}, MJPEG quality 85`,
      `window ${round(windowSecs, 1)} s after ${WARMUP_MS / 1000} s warm-up: ${frames.length} frames at the gateway (${[...dims].join(', ')}), avg ${round(avgKb, 1)} KiB`,
      `camera worker in the window: ${stats1.framesReceived - stats0.framesReceived} frames from FFmpeg, ${stats1.framesSent - stats0.framesSent} sent, ${stats1.framesDropped - stats0.framesDropped} dropped (last reason: ${stats1.lastDropReason ?? 'none'}), ${restartsInWindow} restarts`,
      `latency ms: min ${round(latencies[0] ?? NaN)}, p50 ${round(percentile(latencies, 50))}, p90 ${round(percentile(latencies, 90))}, p99 ${round(percentile(latencies, 99))}, max ${round(latencies.at(-1) ?? NaN)}`,
      `client clock − this process's wall clock: ${round(offset0, 3)} ms at the start, drift ${round(offset1 - offset0, 3)} ms over the window`,
      `CPU of this Node process: ${round(cpuPct, 1)} % of one core (user ${round(cpu.user / 1000)} ms, system ${round(cpu.system / 1000)} ms)`,
      ff0 !== null && ff1 !== null
        ? `CPU of FFmpeg (decode 720p H.264 + encode MJPEG): ${round(((ff1 - ff0) / (wallMs / 1000)) * 100, 1)} % of one core`
        : 'CPU of FFmpeg: not measured (no /proc, or FFmpeg restarted)',
    ];
    return {
      camera_fps: round(frames.length / windowSecs),
      camera_latency_p50_ms: round(percentile(latencies, 50)),
      camera_latency_p99_ms: round(percentile(latencies, 99)),
      camera_cpu_pct: round(cpuPct, 1),
      details,
    };
  } finally {
    await cam?.stop();
    await client?.close({ timeoutMs: 2000 }).catch(() => {});
    await gw?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const seconds = Number(process.argv[2] ?? 10);
  const deadline = setTimeout(
    () => {
      process.stderr.write('camera bench: deadline passed, giving up\n');
      process.exit(2);
    },
    120_000 + seconds * 1000,
  );
  measureCamera({ seconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 10 }).then(
    (r) => {
      clearTimeout(deadline);
      for (const d of r.details) process.stdout.write(`${d}\n`);
      const { details: _details, ...figures } = r;
      process.stdout.write(`${JSON.stringify({ bench: 'camera', ...figures })}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`camera bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
