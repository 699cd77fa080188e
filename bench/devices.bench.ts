// The device benchmark (`npm run bench -- devices`): line-parser throughput per core for each
// format, and one 1280×720 30 fps camera through FFmpeg, the client and the test gateway.
// Ends with one JSON line that scripts/bench.mjs collects.
//
// Memory: the camera runs in a child process of its own, so its `camera_max_rss_mb` (the kernel's
// peak RSS, maxRSS, of the Node process streaming the camera: splitter, client, WebSocket; FFmpeg
// is a separate program) is not the parsers' test data; `max_rss_mb` is this process (parsers).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { measureParsers } from './parsers';
import { measureCamera, type CameraBenchResult } from './camera';

/** How the camera child reports to the parent (one line on stdout). */
const CAMERA_PREFIX = '@camera ';

const maxRssMb = (): number => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

type CameraReport = CameraBenchResult & { max_rss_mb: number };

/** Child process: only the camera; its result and its own maxRSS as one line. */
async function cameraChild(): Promise<void> {
  const c = await measureCamera();
  console.log(`${CAMERA_PREFIX}${JSON.stringify({ ...c, max_rss_mb: maxRssMb() } satisfies CameraReport)}`);
  process.exit(0);
}

function runCameraChild(): Promise<CameraReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, DEVICES_BENCH_PART: 'camera' },
    });
    let report: CameraReport | null = null;
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (l.startsWith(CAMERA_PREFIX)) report = JSON.parse(l.slice(CAMERA_PREFIX.length)) as CameraReport;
      else console.log(l);
    });
    child.on('close', (code) => (report ? resolve(report) : reject(new Error(`camera process exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const out: Record<string, number | string | null> = { bench: 'devices' };
  let failed = false;
  try {
    const p = measureParsers();
    for (const d of p.details) console.log(d);
    Object.assign(out, {
      plotter_lines_per_s: p.plotter_lines_per_s,
      csv_lines_per_s: p.csv_lines_per_s,
      jsonl_lines_per_s: p.jsonl_lines_per_s,
      kv_lines_per_s: p.kv_lines_per_s,
    });
    console.log(
      `plotter ${p.plotter_lines_per_s.toLocaleString('en-US')} lines/s (target ≥ 500,000: ${p.plotter_lines_per_s >= 500_000 ? 'OK' : 'MISSED'})`,
    );
  } catch (e) {
    failed = true;
    console.error(`parser bench failed: ${(e as Error).stack ?? String(e)}`);
  }
  try {
    const c = await runCameraChild();
    for (const d of c.details) console.log(d);
    console.log(`camera process: peak RSS (kernel maxRSS) ${c.max_rss_mb} MB`);
    Object.assign(out, {
      camera_fps: c.camera_fps,
      camera_latency_p50_ms: c.camera_latency_p50_ms,
      camera_latency_p99_ms: c.camera_latency_p99_ms,
      camera_cpu_pct: c.camera_cpu_pct,
      camera_max_rss_mb: c.max_rss_mb,
    });
  } catch (e) {
    failed = true;
    console.error(`camera bench failed: ${(e as Error).stack ?? String(e)}`);
  }
  for (const k of [
    'plotter_lines_per_s',
    'csv_lines_per_s',
    'jsonl_lines_per_s',
    'kv_lines_per_s',
    'camera_fps',
    'camera_latency_p50_ms',
    'camera_latency_p99_ms',
    'camera_cpu_pct',
    'camera_max_rss_mb',
  ]) {
    out[k] ??= null;
  }
  out.max_rss_mb = maxRssMb();
  console.log(JSON.stringify(out));
  process.exit(failed ? 1 : 0);
}

if (process.env.DEVICES_BENCH_PART === 'camera') {
  cameraChild().catch((e: unknown) => {
    console.error(`camera bench failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  });
} else {
  main().catch((e: unknown) => {
    console.error(`devices bench failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  });
}
