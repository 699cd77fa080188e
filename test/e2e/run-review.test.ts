// Run review in the technician's window, end to end in real Chromium against the headless
// recorder and its demo sensor: a run started with details and a chosen source, two markers, then
// the past run's size and details in the list, the review (two metrics overlaid, a marker clicked
// to zoom around it), its details edited, each export format downloaded through the window's
// buttons, a second run compared with it (at the start and at a marker), and a run deleted.
// Screenshots of the review, light and dark, go to test-artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { exportUrl } from '../../src/main/headless/export-route';
import type { HeadlessServer } from '../../src/main/headless/server';
import { EXPORT_FORMATS, RUN_FIELD_KEY_RULE, type ExportFormat } from '../../src/shared/contract';
import { call } from '../helpers/host';
import { sleep, until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import {
  SHOTS,
  launchChromium,
  requireRenderer,
  startRecorder,
  stopRecorder,
  stopRunInWindow,
  type Recorder,
} from '../helpers/window';

let browser: Browser;
let rec: Recorder;
let page: Page;
const tid = (id: string) => page.getByTestId(id);

/** The first run (recorded once, by the first test that needs it): its id and marker times. */
let first: Promise<{ id: string; markers: number[] }> | undefined;

/** A recorder whose exports are downloads from its own headless server, in each format. */
async function exportingRecorder(): Promise<Recorder> {
  const ref: { server?: HeadlessServer } = {};
  const r = await startRecorder({
    dataDir: tempDir(),
    exporter: async (e) => ({
      kind: 'download',
      url: exportUrl(e.run.id, e.format, ref.server!.token),
      filename: e.filename,
    }),
  });
  ref.server = r.server;
  return r;
}

/** The page in light and dark. */
async function shots(name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await sleep(200); // the chart rebuilds in the new colours on the next frame
  await page.screenshot({ path: join(SHOTS, `${name}-light.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await sleep(200);
  await page.screenshot({ path: join(SHOTS, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
}

/** A data-* attribute of a test id's element. */
function attr(id: string, name: string): Promise<string | null> {
  return tid(id).getAttribute(`data-${name}`);
}

/** The chart's range shown, [from, to]. */
async function range(id: string): Promise<[number, number]> {
  const [a, b] = ((await attr(id, 'range')) ?? '').split(',').map(Number);
  return [a!, b!];
}

/** The chart has drawn the host's answer for the range it shows (nothing asked since). */
async function drawn(id: string): Promise<void> {
  await expect.poll(() => attr(id, 'review-ready'), { timeout: 15_000 }).toBe('1');
  await expect
    .poll(
      async () => (await attr(id, 'pending')) === '0' && (await attr(id, 'loaded-range')) === (await attr(id, 'range')),
      {
        timeout: 15_000,
      },
    )
    .toBe(true);
}

async function dropMarker(note: string): Promise<void> {
  await tid('marker-note').fill(note);
  await tid('marker-button').click();
  await expect.poll(() => tid('markers-current').textContent(), { timeout: 10_000 }).toMatch(note);
}

/** Record "bench test 1": details set before Start, only the demo sensor, two markers 2 s apart. */
function firstRun(): Promise<{ id: string; markers: number[] }> {
  first ??= (async () => {
    await tid('run-details-toggle').click();
    await tid('run-start-operator').fill('Ana');
    await tid('run-sources-some').check();
    const demo = rec.host.state().plugins.find((p) => p.name === 'demo')!;
    await expect.poll(() => tid(`run-source-plugin:${demo.id}`).isChecked()).toBe(true);
    await tid('run-name-input').fill('bench test 1');
    await tid('run-start').click();
    await until(() => rec.host.state().run !== null, 10_000, 'the run to start');
    const id = rec.host.state().run!.id;
    await sleep(2000);
    await dropMarker('valve opened');
    await sleep(2000);
    await dropMarker('valve closed');
    await sleep(2000);
    await stopRunInWindow(page, 10_000);
    const markers = rec.host
      .state()
      .markers.filter((m) => m.runId === id)
      .map((m) => m.t);
    expect(markers).toHaveLength(2);
    return { id, markers };
  })();
  return first;
}

beforeAll(async () => {
  requireRenderer({ shots: true });
  browser = await launchChromium();
  rec = await exportingRecorder();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  await page.goto(rec.server.url);
  // The demo sensor is on in a fresh data folder: wait for its values.
  await tid('metric-tile-demo.supply_v').waitFor({ timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (rec) await stopRecorder(rec);
  cleanupTempDirs();
});

describe('run review in the window', () => {
  it('a run started with details lists them with its size; the review overlays two metrics and zooms to a marker', async () => {
    const { id, markers } = await firstRun();
    // The list: size, who ran it, what it recorded; the library's room above.
    await expect
      .poll(() => tid(`past-run-size-${id}`).textContent(), { timeout: 10_000 })
      .toMatch(/\d (k|M|G)?B|bytes/);
    await expect.poll(() => tid(`past-run-operator-${id}`).textContent()).toBe('operator: Ana');
    await expect.poll(() => tid(`past-run-sources-${id}`).textContent()).toBe('recorded: demo');
    await expect.poll(() => tid('run-library').textContent(), { timeout: 10_000 }).toMatch(/Runs take .+ free of /);

    await tid(`run-open-${id}`).click();
    await tid('run-review').waitFor();
    await drawn('review-chart');
    const run = rec.host.state().runs.find((r) => r.id === id)!;
    // The run's whole span: its start and end, widened to a point a source stamped just before or
    // after them (a plugin's own clock), as the host's run.open says.
    const opened = await call(rec.host, 'run.open', { runId: id });
    expect(opened.startedAt).toBeLessThanOrEqual(run.startedAt);
    expect(opened.endedAt).toBeGreaterThanOrEqual(run.endedAt!);
    const [from0, to0] = await range('review-chart');
    expect(Math.abs(from0 - opened.startedAt)).toBeLessThanOrEqual(1);
    expect(Math.abs(to0 - opened.endedAt)).toBeLessThanOrEqual(1);
    expect(Number(await attr('review-chart', 'points'))).toBeGreaterThan(10);

    // Two metrics in two units: one line each, an axis each side.
    for (const m of ['demo.supply_v', 'demo.coolant_temp_c']) {
      if (!(await tid(`review-metric-${m}`).isChecked())) await tid(`review-metric-${m}`).check();
    }
    for (const box of await page.locator('[data-testid^="review-metric-"]:checked').all()) {
      const m = (await box.getAttribute('data-testid'))!.replace('review-metric-', '');
      if (m !== 'demo.supply_v' && m !== 'demo.coolant_temp_c') await box.uncheck();
    }
    await drawn('review-chart');
    await expect.poll(() => tid('review-chart').locator('.u-legend .u-series').count()).toBe(3);
    await expect
      .poll(() => tid('review-chart').getByTestId('chart-axis-unit').allTextContents())
      .toEqual(expect.arrayContaining(['V', '°C']));
    await expect.poll(() => tid('review-chart').getByTestId('chart-marker').count()).toBe(2);

    // The second marker in the list: the chart narrows around it.
    const marker = page.locator('[data-testid^="review-moment-"][data-kind="marker"]').nth(1);
    expect(await marker.textContent()).toMatch(/valve closed/);
    const t = Number(await marker.getAttribute('data-t'));
    expect(Math.abs(t - markers[1]!)).toBeLessThanOrEqual(1);
    await marker.click();
    await expect
      .poll(async () => (await range('review-chart'))[1] - (await range('review-chart'))[0])
      .toBeLessThan(to0 - from0);
    await drawn('review-chart');
    const [from, to] = await range('review-chart');
    expect(to - from).toBeLessThan(to0 - from0);
    expect(from).toBeLessThanOrEqual(t);
    expect(to).toBeGreaterThanOrEqual(t);
    await shots('review-zoomed-to-marker');

    // Reset zoom: the whole run again.
    await tid('review-chart-reset').click();
    await expect.poll(() => range('review-chart')).toEqual([from0, to0]);
    await drawn('review-chart');
  }, 120_000);

  it('the run’s details are edited in a form that checks field names, and listed after Save', async () => {
    const { id } = await firstRun();
    if (!(await tid('run-review').isVisible())) await tid(`run-open-${id}`).click();
    await tid('review-edit').click();
    await tid('run-details-dialog').waitFor();
    await expect.poll(() => tid('run-details-operator').inputValue()).toBe('Ana');
    await tid('run-details-operator').fill('Bo');
    await tid('run-details-field-add').click();
    await tid('run-details-field-key-0').fill('1part');
    await tid('run-details-field-value-0').fill('PSU-7');
    await expect.poll(() => tid('run-details-field-problem-0').textContent()).toContain(RUN_FIELD_KEY_RULE);
    await tid('run-details-field-key-0').fill('part');
    await expect.poll(() => tid('run-details-field-problem-0').count()).toBe(0);
    await tid('run-details-description').fill('PSU-7 burn-in\nsecond shelf');
    await tid('run-details-save').click();
    await tid('run-details-dialog').waitFor({ state: 'hidden' });
    await expect.poll(() => tid('review-operator').textContent()).toBe('Operator: Bo');
    await expect.poll(() => tid('review-fields').textContent()).toBe('part=PSU-7');
    expect(rec.host.state().runs.find((r) => r.id === id)?.meta).toMatchObject({
      operator: 'Bo',
      description: 'PSU-7 burn-in\nsecond shelf',
      fields: { part: 'PSU-7' },
    });
    await page.keyboard.press('Escape');
    await tid('run-review').waitFor({ state: 'hidden' });
    await expect.poll(() => tid(`past-run-operator-${id}`).textContent()).toBe('operator: Bo');
    await expect.poll(() => tid(`past-run-fields-${id}`).textContent()).toBe('part=PSU-7');
  }, 120_000);

  it('exports the run in each format through the window’s buttons', async () => {
    const { id } = await firstRun();
    if (await tid('run-review').isVisible()) await page.keyboard.press('Escape');
    const ends: Record<ExportFormat, RegExp> = {
      csv: /\.csv$/,
      'csv-wide': /\.wide\.csv$/,
      mcap: /\.mcap$/,
      xdf: /\.xdf$/,
    };
    const starts: Record<ExportFormat, (b: Buffer) => boolean> = {
      csv: (b) => b.toString('utf8', 0, 200).includes('metric'),
      'csv-wide': (b) => b.toString('utf8', 0, 400).includes('demo.supply_v'),
      mcap: (b) => b.subarray(0, 5).equals(Buffer.from([0x89, 0x4d, 0x43, 0x41, 0x50])),
      xdf: (b) => b.toString('latin1', 0, 4) === 'XDF:',
    };
    for (const format of EXPORT_FORMATS) {
      const button = tid(format === 'csv' ? `export-${id}` : `export-${id}-${format}`);
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), button.click()]);
      expect(download.suggestedFilename()).toMatch(ends[format]);
      const path = await download.path();
      expect(statSync(path).size).toBeGreaterThan(100);
      expect(starts[format](readFileSync(path))).toBe(true);
      await expect
        .poll(() => tid(`export-done-${id}`).textContent(), { timeout: 5_000 })
        .toContain(download.suggestedFilename());
      expect(await tid(`export-error-${id}`).count()).toBe(0);
    }
    // Once the host has written it all, no export shows as running.
    await expect.poll(() => tid(`export-progress-${id}`).count(), { timeout: 20_000 }).toBe(0);
  }, 120_000);

  it('compares two runs at their start and at a marker; deletes a run after asking', async () => {
    const { id } = await firstRun();
    if (await tid('run-review').isVisible()) await page.keyboard.press('Escape');
    // A second run with every source (one click) and one marker. The details fold again after a
    // run, saying what is still set: the first run's operator and source.
    await expect.poll(() => tid('run-details-toggle').textContent()).toMatch(/operator Ana · records only demo/);
    await tid('run-details-toggle').click();
    await tid('run-sources-all').check();
    await tid('run-name-input').fill('bench test 2');
    await tid('run-start').click();
    await until(() => rec.host.state().run !== null, 10_000, 'the second run to start');
    const second = rec.host.state().run!.id;
    await sleep(1500);
    await dropMarker('valve opened again');
    await sleep(2500);
    await stopRunInWindow(page, 10_000);
    await expect.poll(() => tid(`past-run-sources-${second}`).count(), { timeout: 10_000 }).toBe(0);

    // The last run is one click away; compare it with the first.
    await expect.poll(() => tid('review-last-run').textContent()).toMatch(/bench test 2/);
    await tid(`run-open-${id}`).click();
    await drawn('review-chart');
    await tid('review-mode-compare').click();
    await tid('review-compare-run').selectOption(second);
    await tid('review-compare-metric').selectOption('demo.supply_v');
    await drawn('review-compare-chart');
    await expect.poll(() => tid('review-compare-chart').locator('.u-legend .u-series').count()).toBe(3);
    const [from0] = await range('review-compare-chart');
    expect(from0).toBe(0); // seconds since each run's start: both start at 0
    expect(Number(await attr('review-compare-chart', 'points'))).toBeGreaterThan(10);

    // Lined up at a marker of each: the time before it is negative.
    await tid('review-align-marker').check();
    await tid('review-align-marker-a').selectOption('1');
    await expect.poll(async () => (await range('review-compare-chart'))[0]).toBeLessThan(-3000);
    await drawn('review-compare-chart');
    const [, to1] = await range('review-compare-chart');
    expect(to1).toBeGreaterThan(1000);
    await shots('review-compare-at-marker');
    await page.keyboard.press('Escape');
    await tid('run-review').waitFor({ state: 'hidden' });

    // Delete the second run: it asks first, then it is gone from the list and the host.
    await tid(`run-delete-${second}`).click();
    await tid(`run-delete-${second}-confirm`).click();
    await expect.poll(() => tid(`past-run-${second}`).count(), { timeout: 10_000 }).toBe(0);
    expect(rec.host.state().runs.some((r) => r.id === second)).toBe(false);
    // The recording run cannot be deleted: the host refuses it, in words.
    await call(rec.host, 'run.start', { name: 'bench test 3' });
    const recording = rec.host.state().run!.id;
    await expect(call(rec.host, 'run.delete', { runId: recording })).rejects.toThrow(/record/);
    await call(rec.host, 'run.stop', {});
  }, 120_000);
});
