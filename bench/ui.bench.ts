// The window under load (`npm run bench -- ui`): the headless recorder with the demo sensor as a
// load generator (500 metrics, 50,000 points/s in total), the built window in real Chromium, and
// two figures: the renderer's frame rate (requestAnimationFrame callbacks per second, counted by a
// probe injected into the page — it only fires when the main thread has time to draw) and the
// messages per second main sends the window; then the same with two live charts of 8 series each
// open (`charts_fps`: opened from tiles, overlaid through each chart's Add field, as a technician
// would). Ends with one JSON line, which also carries the
// kernel's peak RSS (maxRSS) of the headless recorder process (measured inside it, at its exit, by
// bench/max-rss-on-exit.mjs; one recorder serves every run) and of this process (Playwright's side).
// The window is measured once it has been open for a full live window (a minute), so every
// sparkline and chart draws a whole minute, as it does all day; the runs follow on the same page.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Page } from 'playwright-core';
import { LIVE_WINDOW_MS } from '../src/shared/live-window';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/helpers/chromium';

const ROOT = join(__dirname, '..');
const METRICS = 500;
const RATE = 50_000;
const WARMUP_MS = 4000;
const WINDOW_MS = 10_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** The window is open this long before the first measurement: the live window (60 s) and a margin. */
const FILL_MS = LIVE_WINDOW_MS + 5000;
/** Two charts of this many series each are open for the charts figure. */
const CHART_SERIES = 8;

/** Counts requestAnimationFrame callbacks and the window's own counters over WINDOW_MS. */
const PROBE = `(async () => {
  const perf = window.__benchPerf;
  const start = { frames: perf.frames, ticks: perf.ticks, messages: perf.messages, chartDraws: perf.chartDraws };
  let raf = 0;
  let on = true;
  const loop = () => { raf++; if (on) requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  const t0 = performance.now();
  await new Promise((res) => setTimeout(res, WINDOW_MS));
  on = false;
  const secs = (performance.now() - t0) / 1000;
  const el = document.querySelector('[data-testid="points-per-sec"]');
  return {
    fps: raf / secs,
    messages: (perf.messages - start.messages) / secs,
    ticks: (perf.ticks - start.ticks) / secs,
    drawn: (perf.frames - start.frames) / secs,
    chartDraws: (perf.chartDraws - start.chartDraws) / secs,
    pointsText: el ? el.textContent : '',
  };
})()`;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function startRecorder(dataDir: string, rssFile: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      join(ROOT, 'bench', 'max-rss-on-exit.mjs'),
      join(ROOT, 'out', 'main', 'headless.js'),
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--demo-metrics',
      String(METRICS),
      '--demo-rate',
      String(RATE),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_MAX_RSS_FILE: rssFile } },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the headless recorder printed no URL within 20 s')), 20_000);
    createInterface({ input: proc.stdout }).on('line', (l) => {
      if (l.startsWith('Open ')) {
        clearTimeout(t);
        resolve(l.slice(5));
      }
    });
    proc.on('exit', (c) => reject(new Error(`the headless recorder exited (${c})`)));
  });
  return { proc, url };
}

interface Probe {
  fps: number;
  messages: number;
  ticks: number;
  drawn: number;
  chartDraws: number;
  pointsText: string;
}

/** Opens chart `k` (0, 1) from a tile and overlays CHART_SERIES − 1 more metrics through its Add field. */
async function openChart(page: Page, k: number): Promise<void> {
  // The demo plugin's load generator writes demo.load.m000…
  const name = (i: number): string => `demo.load.m${String(k * CHART_SERIES + i).padStart(3, '0')}`;
  await page.getByTestId(`metric-tile-${name(0)}`).click();
  const chart = page.getByTestId('chart').nth(k);
  await chart.waitFor({ timeout: 15_000 });
  const input = chart.getByTestId('chart-add-input');
  for (let i = 1; i < CHART_SERIES; i++) {
    await input.fill(name(i));
    await input.press('Enter');
  }
  await page.waitForFunction(
    `document.querySelectorAll('[data-testid="chart"]')[${k}]?.querySelectorAll('.chart-chip').length === ${CHART_SERIES}`,
    null,
    { timeout: 15_000 },
  );
}

/** What one run measures in the page; the run adds the recorder's peak memory. */
interface PageMeasures {
  fps: number;
  chartsFps: number;
  messages: number;
  chartsMessages: number;
  ticks: number;
  drawn: number;
  points: number;
}

/** One run on the open page: the preview alone, then with two charts open (closed again after). */
async function oneRun(page: Page, run: number): Promise<PageMeasures> {
  // A string, not a function: the TypeScript loader would wrap a function with helpers the page lacks.
  const r = await page.evaluate<Probe>(PROBE.replace('WINDOW_MS', String(WINDOW_MS)));
  const points = Number(r.pointsText.replace(/[^\d]/g, '')) || 0;
  if (run === 1) await page.screenshot({ path: join(ROOT, 'bench', 'results', 'ui-500-metrics.png') });
  console.log(
    `  run ${run}: ${r.fps.toFixed(1)} fps (rAF), ${r.messages.toFixed(1)} messages/s from main (${r.ticks.toFixed(1)} ticks/s), ${r.drawn.toFixed(1)} frames/s drawn by the window; status bar shows ${r.pointsText.trim() || '?'}`,
  );
  for (let k = 0; k < 2; k++) await openChart(page, k);
  await page.waitForTimeout(WARMUP_MS);
  const c = await page.evaluate<Probe>(PROBE.replace('WINDOW_MS', String(WINDOW_MS)));
  if (run === 1) await page.screenshot({ path: join(ROOT, 'bench', 'results', 'ui-500-metrics-charts.png') });
  console.log(
    `         with two charts of ${CHART_SERIES} series: ${c.fps.toFixed(1)} fps (rAF), ${c.chartDraws.toFixed(1)} chart redraws/s, ${c.messages.toFixed(1)} messages/s from main`,
  );
  const close = page.getByTestId('chart-close');
  while ((await close.count()) > 0) await close.first().click();
  await page.waitForTimeout(WARMUP_MS);
  return {
    fps: r.fps,
    chartsFps: c.fps,
    messages: r.messages,
    chartsMessages: c.messages,
    ticks: r.ticks,
    drawn: r.drawn,
    points,
  };
}

async function main(): Promise<void> {
  console.log('[ui] building the app (electron-vite build)…');
  const b = spawnSync(join(ROOT, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: ROOT, stdio: 'ignore' });
  if (b.status !== 0 || !existsSync(join(ROOT, 'out', 'main', 'headless.js')))
    throw new Error('electron-vite build failed');
  console.log(
    `[ui] ${METRICS} metrics, ${RATE.toLocaleString('en-US')} points/s in total; Chromium ${WINDOW_MS / 1000} s per run after ${WARMUP_MS / 1000} s warm-up, ${RUNS} runs`,
  );
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  // One recorder and one window for every run, measured once the window has been open for a full
  // live window (a minute): every sparkline and chart then draws a whole minute at full
  // resolution, as it does all day, which costs more than a window still filling.
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ui-'));
  const rssFile = join(dataDir, 'max-rss');
  const rec = await startRecorder(dataDir, rssFile);
  const runs: PageMeasures[] = [];
  let rssMb = NaN;
  try {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(rec.url);
      await page.waitForFunction("typeof window.__benchPerf === 'object'", null, { timeout: 15_000 });
      console.log(`[ui] the window records ${FILL_MS / 1000} s first, so its live window is full`);
      await page.waitForTimeout(FILL_MS);
      for (let i = 1; i <= RUNS; i++) runs.push(await oneRun(page, i));
    } finally {
      await browser.close();
    }
  } finally {
    rec.proc.kill('SIGINT');
    await new Promise((r) => rec.proc.once('exit', r));
    try {
      rssMb = Number(readFileSync(rssFile, 'utf8'));
    } catch {
      // not written: reported as null
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`  recorder process: peak RSS (kernel maxRSS) ${rssMb.toFixed(1)} MB`);
  const fps = Math.round(median(runs.map((r) => r.fps)) * 10) / 10;
  const chartsFps = Math.round(median(runs.map((r) => r.chartsFps)) * 10) / 10;
  const msgs = Math.round(median(runs.map((r) => Math.max(r.messages, r.chartsMessages))) * 10) / 10;
  const recorderRss = Number.isFinite(rssMb) ? Math.round(rssMb * 10) / 10 : null;
  console.log(
    `Summary (median): ${fps} fps (target ≥ 50: ${fps >= 50 ? 'OK' : 'MISSED'}), with two charts ${chartsFps} fps (target ≥ 50: ${chartsFps >= 50 ? 'OK' : 'MISSED'}), ${msgs} messages/s (target ≤ 20: ${msgs <= 20 ? 'OK' : 'MISSED'})`,
  );
  console.log(
    JSON.stringify({
      bench: 'ui',
      preview_fps: fps,
      charts_fps: chartsFps,
      ipc_messages_per_s: msgs,
      metrics: METRICS,
      points_per_s: RATE,
      recorder_max_rss_mb: recorderRss,
      max_rss_mb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  console.log(
    JSON.stringify({
      bench: 'ui',
      preview_fps: null,
      charts_fps: null,
      ipc_messages_per_s: null,
      metrics: METRICS,
      points_per_s: RATE,
    }),
  );
  process.exit(1);
});
