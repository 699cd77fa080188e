// The device benchmark (`npm run bench -- devices`): line-parser throughput per core for each
// format, and one 1280×720 30 fps camera through FFmpeg, the client and the test gateway.
// Ends with one JSON line that scripts/bench.mjs collects.
import { measureParsers } from './parsers';
import { measureCamera } from './camera';

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
    const c = await measureCamera();
    for (const d of c.details) console.log(d);
    Object.assign(out, {
      camera_fps: c.camera_fps,
      camera_latency_p50_ms: c.camera_latency_p50_ms,
      camera_latency_p99_ms: c.camera_latency_p99_ms,
      camera_cpu_pct: c.camera_cpu_pct,
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
  ]) {
    out[k] ??= null;
  }
  console.log(JSON.stringify(out));
  process.exit(failed ? 1 : 0);
}

void main();
