// The technician's window end to end, in real Chromium (Debian's, driven by playwright-core)
// against the headless recorder and the test gateway: setup, live values, a run with a marker,
// CSV export, the webcam (Chromium's fake camera) and the command inbox. Screenshots of each
// screen go to test-artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Host } from '../../src/main/host';
import type { HeadlessServer } from '../../src/main/headless/server';
import type { RunView } from '../../src/shared/contract';
import { TestGateway } from '../support/gateway';
import { until } from '../helpers/plexus';
import { call } from '../helpers/host';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { FAKE_MEDIA_ARGS } from '../helpers/chromium';
import {
  SHOTS,
  launchChromium,
  requireRenderer,
  startExportingRecorder,
  stopRecorder,
  stopRunInWindow,
} from '../helpers/window';

// Each test opens a window of its own or the shared connected one, and sets up what it needs:
// none depends on another having run first. The first start is one ordered scenario (it needs a
// recorder that was never set up); the others share a recorder connected through the host's API
// (no test changes its settings), and reload the page first so no dialog or focus is left over.
interface Window {
  gw: TestGateway;
  host: Host;
  server: HeadlessServer;
  context: BrowserContext;
  page: Page;
}

let browser: Browser;
const windows: Window[] = [];
let shared: Promise<Window> | undefined;
let page: Page;

const tid = (id: string) => page.getByTestId(id);
async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** A recorder with a fresh data dir, its own gateway, and a window on it (`page` is set to it). */
async function openWindow(): Promise<Window> {
  const gw = await TestGateway.start();
  const { host, server } = await startExportingRecorder(tempDir(), 60_000);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  await context.grantPermissions(['camera'], { origin: `http://127.0.0.1:${server.port}` });
  const w: Window = { gw, host, server, context, page: await context.newPage() };
  windows.push(w);
  page = w.page;
  await page.goto(server.url);
  return w;
}

/** The shared window on a recorder named rig-e2e, connected to its gateway; made once, reloaded per test. */
async function connectedWindow(): Promise<Window> {
  shared ??= (async () => {
    const w = await openWindow();
    await call(w.host, 'settings.setGateway', { gateway: { mode: 'custom', url: w.gw.url, wsUrl: w.gw.wsUrl } });
    await call(w.host, 'settings.setDeviceName', { name: 'rig-e2e' });
    await call(w.host, 'settings.setApiKey', { apiKey: 'plx_e2e_key_0001' });
    await until(() => w.host.state().status.status === 'connected', 10_000, 'the shared recorder to connect');
    return w;
  })();
  const w = await shared;
  page = w.page;
  await page.reload();
  await expect.poll(() => tid('connection-status').getAttribute('data-status'), { timeout: 10_000 }).toBe('connected');
  return w;
}

beforeAll(async () => {
  requireRenderer({ shots: true });
  browser = await launchChromium(FAKE_MEDIA_ARGS);
}, 60_000);

afterAll(async () => {
  for (const w of windows.splice(0)) {
    await w.context.close();
    await stopRecorder(w);
    await w.gw.close();
  }
  await browser?.close();
  cleanupTempDirs();
});

describe('the technician’s window', () => {
  it('first start, in order: local only with the demo sensor’s values moving; set up in the settings dialog, it connects', async () => {
    const { gw, host } = await openWindow();
    await expect
      .poll(() => tid('connection-status').getAttribute('data-status'), { timeout: 15_000 })
      .toBe('local-only');
    const value = tid('metric-value-demo.engine_rpm');
    await value.waitFor({ timeout: 10_000 });
    // Three different readings, however long a loaded machine takes to show them.
    const seen = new Set<string>();
    await expect
      .poll(async () => seen.add((await value.textContent()) ?? '').size, { timeout: 15_000, interval: 100 })
      .toBeGreaterThan(2);
    await shot('01-first-start-local-only');

    await tid('settings-open').click();
    await tid('settings-dialog').waitFor();
    await tid('device-name-input').fill('Rig 01');
    await expect.poll(() => tid('device-name-problem').textContent()).toMatch(/lowercase/);
    await tid('device-name-input').fill('rig-e2e');
    await tid('api-key-input').fill('plx_e2e_key_0001');
    await tid('gateway-mode-custom').click();
    await tid('gateway-url-input').fill(gw.url);
    await tid('gateway-ws-url-input').fill(gw.wsUrl);
    await shot('02-device-setup');
    await tid('save-settings').click();
    await expect
      .poll(() => tid('connection-status').getAttribute('data-status'), { timeout: 10_000 })
      .toBe('connected');
    await until(
      () => gw.points.some((p) => p.sourceId === 'rig-e2e' && p.metric.startsWith('demo.')),
      10_000,
      'demo points at the gateway',
    );
    expect(host.state().settings).toMatchObject({ deviceName: 'rig-e2e', apiKeySet: true });
    // The key is never shown again.
    expect(await page.content()).not.toContain('plx_e2e_key_0001');
    await shot('03-connected');
  });

  it('records a run with a marker; the gateway gets run_id tags and the marker event', async () => {
    const { gw, host } = await connectedWindow();
    await tid('run-name-input').fill('e2e-thermal-001');
    await tid('run-start').click();
    await tid('recording-stripe').waitFor();
    // The run's id from its run.start event at the gateway, then what the gateway has of the run.
    const runId = (): string | undefined =>
      gw.points.find((p) => p.metric === 'run.start' && (p.value as { name?: string }).name === 'e2e-thermal-001')?.tags
        ?.run_id;
    const runPoints = () => gw.points.filter((p) => p.tags?.run_id !== undefined && p.tags.run_id === runId());
    await until(() => runPoints().some((p) => p.metric.startsWith('demo.')), 10_000, 'demo points in the run');
    await tid('marker-note').fill('valve opened');
    await tid('marker-button').click();
    await until(() => runPoints().filter((p) => p.metric === 'marker').length === 1, 10_000, 'the first marker');
    await page.locator('body').click({ position: { x: 5, y: 400 } }); // out of any input
    await page.keyboard.press('m'); // the shortcut
    await until(() => runPoints().filter((p) => p.metric === 'marker').length === 2, 10_000, 'the second marker');
    await shot('04-recording');
    await stopRunInWindow(page, 5000);
    const run = host.state().runs.find((r) => r.name === 'e2e-thermal-001');
    if (!run) throw new Error(`no run e2e-thermal-001 among ${JSON.stringify(host.state().runs.map((r) => r.name))}`);
    await host.client.flush();
    const inRun = gw.points.filter((p) => p.tags?.run_id === run.id);
    expect(inRun.some((p) => p.metric.startsWith('demo.'))).toBe(true);
    const markers = inRun.filter((p) => p.metric === 'marker');
    expect(markers.map((m) => m.value)).toContain('valve opened');
    expect(markers).toHaveLength(2);
    await tid(`past-run-${run.id}`).waitFor();
    await shot('05-past-runs');
  });

  it('exports a run to CSV from the past runs list', async () => {
    const { gw, host } = await connectedWindow();
    // A run of its own, recorded through the host: a marker, and demo points around it.
    const run = await call(host, 'run.start', { name: 'e2e-export-001' });
    await until(
      () => gw.points.filter((p) => p.tags?.run_id === run.id && p.metric.startsWith('demo.')).length > 5,
      10_000,
      'demo points in the run',
    );
    await call(host, 'marker.add', { note: 'valve opened' });
    const ended = (await call(host, 'run.stop', {})) as RunView;
    await tid(`export-${run.id}`).waitFor({ timeout: 10_000 });
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 10_000 }),
      tid(`export-${run.id}`).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^e2e-export-001_.*\.csv$/);
    const text = readFileSync(await download.path(), 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('time_utc,epoch_ms,metric,value,tags');
    expect(lines.length - 1).toBe(ended.points);
    expect(lines.some((l) => /,marker,valve opened,run_id=/.test(l))).toBe(true);
    const [iso, epoch] = lines[1]!.split(',');
    expect(new Date(iso!).getTime()).toBe(Number(epoch));
  });

  it('streams the (fake) webcam: video frames reach the gateway', async () => {
    const { gw } = await connectedWindow();
    await tid('webcam-select').waitFor();
    await tid('webcam-start').click();
    await until(() => gw.videoFrames.length >= 10, 15_000, '10 webcam frames at the gateway');
    const f = gw.videoFrames.at(-1)!;
    expect(f.sourceId).toBe('rig-e2e');
    expect(f.width).toBeGreaterThan(0);
    expect(f.jpeg!.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    await expect
      .poll(async () => Number(((await tid('webcam-achieved').textContent()) ?? '').replace(/[^\d.]/g, '')), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    await shot('06-webcam');
    await tid('webcam-stop').click();
  });

  it('shows a command from the gateway with its ack and result; an unclaimed one is approved by a click', async () => {
    const { gw } = await connectedWindow();
    const results = (id: string) => gw.commandResults.filter((r) => r.msg.id === id).map((r) => r.msg);
    const known = gw.sendCommand('rig-e2e', { command: 'start_stream', params: { source: 'demo' } });
    await tid(`inbox-item-${known}`).waitFor({ timeout: 10_000 });
    await until(() => results(known).length === 2, 5000, 'start_stream answered');
    expect(results(known).map((m) => m.event)).toEqual(['ack', 'result']);
    await expect.poll(() => tid(`inbox-state-${known}`).textContent()).toMatch(/result|done|ok/i);

    const reboot = gw.sendCommand('rig-e2e', { command: 'reboot', params: { delay_s: 5 } });
    await tid(`approve-${reboot}`).waitFor({ timeout: 10_000 });
    await shot('07-inbox-waiting');
    expect(results(reboot).map((m) => m.event)).toEqual(['ack']);
    await tid(`approve-${reboot}`).click();
    await until(() => results(reboot).length === 2, 5000, 'reboot answered');
    expect(results(reboot)[1]).toMatchObject({ event: 'result', result: { approved: true } });
    await shot('08-inbox-answered');
  });
});
