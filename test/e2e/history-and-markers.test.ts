// History and markers in the technician's window, end to end in real Chromium against the
// headless recorder: markers in their own list beside a chatty device's events, a marker outside
// a run, what a reload and a restart bring back (the sparklines' last minute, the last run's
// markers), an interrupted run in the past runs, the inbox's outcomes in distinct words, the
// export message clearing, and a serial device changing format.
// Screenshots of the changed screens, light and dark, go to test-artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Host } from '../../src/main/host';
import type { HeadlessServer } from '../../src/main/headless/server';
import type { RunView } from '../../src/shared/contract';
import { TestGateway } from '../support/gateway';
import { sleep, until } from '../helpers/plexus';
import { call } from '../helpers/host';
import { killAllPtyProcesses, ptyPair, simDevice, writeAtOnce } from '../helpers/pty';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { SHOTS, launchChromium, requireRenderer, startExportingRecorder, stopRecorder } from '../helpers/window';

const ANSWER_S = 4;

let browser: Browser;
let gw: TestGateway;
const opened: Array<{ host: Host; server: HeadlessServer; page: Page }> = [];

async function open(dataDir: string): Promise<{ host: Host; server: HeadlessServer; page: Page }> {
  const { host, server } = await startExportingRecorder(dataDir, ANSWER_S * 1000);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(server.url);
  const w = { host, server, page };
  opened.push(w);
  return w;
}

async function close(w: { host: Host; server: HeadlessServer; page: Page }): Promise<void> {
  opened.splice(opened.indexOf(w), 1);
  await w.page.context().close();
  await stopRecorder(w);
}

async function connect(host: Host, name: string): Promise<void> {
  await call(host, 'settings.setGateway', { gateway: { mode: 'custom', url: gw.url, wsUrl: gw.wsUrl } });
  await call(host, 'settings.setDeviceName', { name });
  await call(host, 'settings.setApiKey', { apiKey: 'plx_e2e_key_0002' });
  await until(() => host.state().status.status === 'connected', 15_000, `${name} to connect`);
}

/** The page in light and dark, with its panels as they are. */
async function shots(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(SHOTS, `${name}-light.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  requireRenderer({ shots: true });
  browser = await launchChromium();
  gw = await TestGateway.start();
}, 60_000);

afterAll(async () => {
  for (const w of [...opened]) await close(w);
  await browser?.close();
  await gw?.close();
  await killAllPtyProcesses();
  cleanupTempDirs();
});

describe('history and markers in the window', () => {
  it('markers have their own list beside a chatty device; a marker outside a run says so; a reload brings the events back', async () => {
    const w = await open(tempDir());
    const { host, page } = w;
    const tid = (id: string) => page.getByTestId(id);
    await call(host, 'demo.set', { enabled: false });
    await tid('marker-button').waitFor({ timeout: 15_000 });

    // Outside a run: recorded, and the window says where it went.
    await tid('marker-button').click();
    await expect.poll(() => tid('marker-outside-run').textContent()).toMatch(/marker recorded outside a run/);
    await expect.poll(() => tid('markers-outside').textContent()).toMatch(/\(no note\)/);

    const pty = await ptyPair(tempDir());
    await call(host, 'serial.add', { config: { name: 'plc', path: pty.host, baudRate: 115200, parser: 'jsonl' } });
    await until(() => host.state().serial[0]?.state === 'open', 10_000, 'the port to open');
    const run = await call(host, 'run.start', { name: 'chatty run' });
    await tid('marker-note').fill('valve opened');
    await tid('marker-button').click();
    await expect.poll(() => tid('markers-current').textContent(), { timeout: 10_000 }).toMatch(/valve opened/);
    expect((await tid('marker-last').textContent()) ?? '').not.toMatch(/outside a run/);
    simDevice(pty.device, { lines: Array.from({ length: 400 }, (_, i) => `{"state":"step-${i}"}\n`) });
    await until(() => host.state().events.some((e) => e.value === 'step-399'), 20_000, 'the 400 state events');
    // The events list is full of the device's text; the marker is still listed, in its own list.
    await expect.poll(() => tid('events-list').locator('li').count(), { timeout: 10_000 }).toBe(100);
    expect(await tid('events-list').textContent()).not.toMatch(/valve opened/);
    await expect.poll(() => tid('markers-current').textContent()).toMatch(/valve opened/);
    expect(host.state().markers.map((m) => m.runId)).toEqual([null, run.id]);
    await shots(page, 'history-markers-list');

    // A reload: the events (the host kept the latest, even those too fast for the ticks) and the
    // markers come back from the host.
    await page.reload();
    await expect.poll(() => tid('events-list').textContent(), { timeout: 15_000 }).toMatch(/step-399/);
    expect(await tid('events-list').locator('li').count()).toBe(100);
    await expect.poll(() => tid('markers-current').textContent()).toMatch(/valve opened/);
    await expect.poll(() => tid('markers-outside').count()).toBe(1);
    await close(w);
  }, 120_000);

  it('a reload draws the sparklines at once from the host’s last minute; a restart lists the last run’s markers under its name', async () => {
    const dir = tempDir();
    let w = await open(dir);
    let page = w.page;
    let tid = (id: string) => page.getByTestId(id);
    await call(w.host, 'demo.set', { enabled: false });
    const pty = await ptyPair(tempDir());
    await call(w.host, 'serial.add', { config: { name: 'oven', path: pty.host, baudRate: 115200, parser: 'jsonl' } });
    await until(() => w.host.state().serial[0]?.state === 'open', 10_000, 'the port to open');
    await call(w.host, 'run.start', { name: 'bake 12' });
    // Six seconds of readings (a tenth of the sparkline's width), then the oven goes quiet: after
    // the reload no tick carries them, so whatever its sparkline shows came from the host's history.
    for (let i = 0; i < 60; i++) {
      writeAtOnce(pty.device, `{"temp":${180 + i / 2},"mode":"heat-${i}"}\n`);
      await sleep(100);
    }
    await until(() => (w.host.state().serial[0]?.points ?? 0) >= 120, 10_000, 'the 60 readings recorded');
    // The canvas says how many of its pixel columns show data (0 while there is no tile).
    const columns = (): Promise<number> =>
      page.evaluate<number>(
        `Number(document.querySelector('[data-testid="metric-tile-oven.temp"] canvas')?.dataset.columns ?? 0)`,
      );
    await expect.poll(columns, { timeout: 15_000 }).toBeGreaterThanOrEqual(12);
    await tid('marker-note').fill('door opened');
    await tid('marker-button').click();
    await expect.poll(() => tid('markers-current').textContent(), { timeout: 10_000 }).toMatch(/door opened/);
    await call(w.host, 'run.stop', {});

    await page.reload();
    // The host keeps two buckets a second: about 12 over these 6 s, each in a column of its own.
    await expect.poll(columns, { timeout: 15_000 }).toBeGreaterThanOrEqual(8);
    await expect.poll(() => tid('metric-value-oven.temp').textContent()).toBe('209.5');
    await expect.poll(() => tid('metric-value-oven.mode').textContent()).toBe('heat-59');
    expect(w.host.state().serial[0]!.points).toBe(120); // nothing new came in since
    await shots(page, 'history-sparklines-after-reload');

    // The recorder restarts on the same data folder: the last run's markers are listed, by name.
    await close(w);
    w = await open(dir);
    page = w.page;
    tid = (id: string) => page.getByTestId(id);
    await expect.poll(() => tid('markers-last').textContent(), { timeout: 15_000 }).toMatch(/door opened/);
    expect(await tid('markers-last').textContent()).toMatch(/^Last run \(bake 12\) \(1\)/);
    await shots(page, 'history-last-run-markers-after-restart');
    await close(w);
  }, 120_000);

  it('the inbox in distinct words, kept over a reload and a restart; an interrupted run in the past runs; the export message clears', async () => {
    const dir = tempDir();
    let w = await open(dir);
    let page = w.page;
    let tid = (id: string) => page.getByTestId(id);
    await connect(w.host, 'rig-hist');
    await tid('inbox').waitFor({ timeout: 15_000 });

    const wipe = gw.sendCommand('rig-hist', { command: 'wipe', params: {} });
    await tid(`reject-${wipe}`).waitFor({ timeout: 10_000 });
    await expect
      .poll(() => tid(`approve-note-${wipe}`).textContent())
      .toMatch(/Approve reports it as done to the platform — you do the rest/);
    await tid(`reason-${wipe}`).fill('a test is running');
    await tid(`reject-${wipe}`).click();
    await expect.poll(() => tid(`inbox-state-${wipe}`).textContent()).toBe('rejected by you');
    await expect.poll(() => tid(`inbox-detail-${wipe}`).textContent()).toBe('reason: a test is running');

    const late = gw.sendCommand('rig-hist', { command: 'calibrate', params: {} });
    await tid(`approve-${late}`).waitFor({ timeout: 10_000 });
    await expect
      .poll(() => tid(`inbox-state-${late}`).textContent(), { timeout: ANSWER_S * 1000 + 10_000 })
      .toBe(`timed out — nobody answered within ${ANSWER_S} s`);
    expect(await page.getByText('answered here').count()).toBe(0);
    await shots(page, 'history-inbox-outcomes');

    // A reload keeps the inbox.
    await page.reload();
    await expect.poll(() => tid(`inbox-state-${wipe}`).textContent(), { timeout: 15_000 }).toBe('rejected by you');

    // A run recording when the recorder quits is interrupted; after the restart the inbox is back.
    await call(w.host, 'run.start', { name: 'cut short' });
    await new Promise((r) => setTimeout(r, 1200));
    const cut = (w.host.state().run as RunView).id;
    await close(w);
    w = await open(dir);
    page = w.page;
    tid = (id: string) => page.getByTestId(id);
    await expect.poll(() => tid(`inbox-state-${wipe}`).textContent(), { timeout: 15_000 }).toBe('rejected by you');
    await expect
      .poll(() => tid(`inbox-state-${late}`).textContent())
      .toBe(`timed out — nobody answered within ${ANSWER_S} s`);
    await expect
      .poll(() => tid(`past-run-interrupted-${cut}`).textContent(), { timeout: 10_000 })
      .toMatch(/interrupted — the recorder stopped while recording; last point at \d\d:\d\d:\d\d/);
    await shots(page, 'history-interrupted-run');

    // The export's message shows, then clears.
    const [download] = await Promise.all([page.waitForEvent('download'), tid(`export-${cut}`).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    await expect.poll(() => tid(`export-done-${cut}`).textContent(), { timeout: 10_000 }).toMatch(/\.csv/);
    await expect.poll(() => tid(`export-done-${cut}`).count(), { timeout: 20_000 }).toBe(0);
    await close(w);
  }, 120_000);

  it('a serial device that changes format says so and re-detects on a click', async () => {
    const w = await open(tempDir());
    const { host, page } = w;
    const tid = (id: string) => page.getByTestId(id);
    await call(host, 'demo.set', { enabled: false });
    const pty = await ptyPair(tempDir());
    const { id } = await call(host, 'serial.add', {
      config: { name: 'sketch', path: pty.host, baudRate: 115200, parser: 'auto' },
    });
    await until(() => host.state().serial[0]?.state === 'open', 10_000, 'the port to open');
    for (let i = 0; i < 6; i++) writeAtOnce(pty.device, `temp:${20 + i},rpm:${900 + i}\n`);
    await until(() => host.state().serial[0]?.parser === 'plotter', 10_000, 'plotter detected');
    // The sketch was re-flashed: JSON lines now.
    for (let i = 0; i < 10; i++) writeAtOnce(pty.device, `{"temp":${30 + i},"state":"run"}\n`);
    await expect
      .poll(() => tid(`serial-format-changed-${id}`).textContent(), { timeout: 15_000 })
      .toMatch(/the lines no longer look like plotter: re-detect\?/);
    await shots(page, 'history-serial-format-changed');
    await tid(`serial-redetect-${id}`).click();
    await expect.poll(() => tid(`serial-format-changed-${id}`).count(), { timeout: 10_000 }).toBe(0);
    for (let i = 0; i < 6; i++) writeAtOnce(pty.device, `{"temp":${40 + i},"state":"run"}\n`);
    await until(() => host.state().serial[0]?.parser === 'jsonl', 10_000, 'JSON lines detected');
    await expect.poll(() => tid(`serial-${id}`).textContent(), { timeout: 10_000 }).toMatch(/jsonl/);
    await close(w);
  }, 120_000);
});
