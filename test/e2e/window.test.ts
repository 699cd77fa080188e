// The technician's window end to end, in real Chromium (Debian's, driven by playwright-core)
// against the headless recorder and the test gateway: setup, live values, a run with a marker,
// CSV export, the webcam (Chromium's fake camera) and the command inbox. Screenshots of each
// screen go to test-artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Host } from '../../src/main/host';
import { startHeadless, type HeadlessServer } from '../../src/main/headless/server';
import { TestGateway } from '../support/gateway';
import { until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { CHROMIUM_ARGS, CHROMIUM_PATH, FAKE_MEDIA_ARGS } from '../helpers/chromium';

const ROOT = join(__dirname, '..', '..');
const RENDERER = join(ROOT, 'out', 'renderer');
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');

let gw: TestGateway;
let host: Host;
let server: HeadlessServer;
let browser: Browser;
let page: Page;

const tid = (id: string) => page.getByTestId(id);
async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

beforeAll(async () => {
  if (!existsSync(join(RENDERER, 'index.html')))
    throw new Error('out/renderer is missing: npm test builds it first (or run npx electron-vite build)');
  mkdirSync(SHOTS, { recursive: true });
  gw = await TestGateway.start();
  host = await Host.start({
    dataDir: tempDir(),
    answerTimeoutMs: 60_000,
    clientOptions: { reconnect: { baseMs: 100, capMs: 500 } },
    exporter: async (e) => ({
      kind: 'download',
      url: `/export/${encodeURIComponent(e.run.id)}.csv?token=${server.token}`,
      filename: e.filename,
    }),
  });
  server = await startHeadless({ host, rendererDir: RENDERER });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...FAKE_MEDIA_ARGS] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  await context.grantPermissions(['camera'], { origin: `http://127.0.0.1:${server.port}` });
  page = await context.newPage();
  await page.goto(server.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await host?.shutdown({ flushTimeoutMs: 1000 });
  await gw?.close();
  cleanupTempDirs();
});

describe('the technician’s window', () => {
  it('opens local only, and the demo sensor’s values move', async () => {
    await expect
      .poll(() => tid('connection-status').getAttribute('data-status'), { timeout: 15_000 })
      .toBe('local-only');
    const value = tid('metric-value-demo.engine_rpm');
    await value.waitFor({ timeout: 10_000 });
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      seen.add((await value.textContent()) ?? '');
      await page.waitForTimeout(250);
    }
    expect(seen.size).toBeGreaterThan(2);
    await shot('01-first-start-local-only');
  });

  it('sets a device name and an API key: the status turns connected', async () => {
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
    await tid('run-name-input').fill('e2e-thermal-001');
    await tid('run-start').click();
    await tid('recording-stripe').waitFor();
    await page.waitForTimeout(800);
    await tid('marker-note').fill('valve opened');
    await tid('marker-button').click();
    await page.waitForTimeout(300);
    await page.locator('body').click({ position: { x: 5, y: 400 } }); // out of any input
    await page.keyboard.press('m'); // the shortcut
    await page.waitForTimeout(500);
    await shot('04-recording');
    await tid('run-stop').click();
    if (
      await tid('run-stop-confirm')
        .isVisible()
        .catch(() => false)
    )
      await tid('run-stop-confirm').click();
    await tid('recording-stripe').waitFor({ state: 'detached', timeout: 5000 });
    const run = host.state().runs.find((r) => r.name === 'e2e-thermal-001')!;
    expect(run).toBeDefined();
    await host.client.flush();
    const inRun = gw.points.filter((p) => p.tags?.run_id === run.id);
    expect(inRun.some((p) => p.metric.startsWith('demo.'))).toBe(true);
    const markers = inRun.filter((p) => p.metric === 'marker');
    expect(markers.map((m) => m.value)).toContain('valve opened');
    expect(markers).toHaveLength(2);
    await tid(`past-run-${run.id}`).waitFor();
    await shot('05-past-runs');
  });

  it('exports the run to CSV', async () => {
    const run = host.state().runs.find((r) => r.name === 'e2e-thermal-001')!;
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 10_000 }),
      tid(`export-${run.id}`).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^e2e-thermal-001_.*\.csv$/);
    const text = readFileSync((await download.path())!, 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('time_utc,epoch_ms,metric,value,tags');
    expect(lines.length - 1).toBe(run.points);
    expect(lines.some((l) => /,marker,valve opened,run_id=/.test(l))).toBe(true);
    const [iso, epoch] = lines[1]!.split(',');
    expect(new Date(iso!).getTime()).toBe(Number(epoch));
  });

  it('streams the (fake) webcam: video frames reach the gateway', async () => {
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
