// The Settings dialog and the window's words, end to end in real Chromium against the headless
// recorder: Save is all or nothing and flags a bad gateway URL before it; the host's refusals
// read as sentences; an emoji in a name is shown whole; free-text names become valid metric
// prefixes shown before saving; disabled buttons look disabled; one name for the dialog and
// "kept locally" in local-only mode; Stop and R behave the same; a serial device (on a socat pty)
// shows the unit and label set per field. Screenshots in light and dark go to
// test-artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Host } from '../../src/main/host';
import type { HeadlessServer } from '../../src/main/headless/server';
import { TestGateway } from '../support/gateway';
import { until } from '../helpers/plexus';
import { killAllPtyProcesses, ptyPair, simDevice } from '../helpers/pty';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { SHOTS, launchChromium, requireRenderer, startRecorder, stopRecorder } from '../helpers/window';

const KEY = 'plx_words_key_0001';

interface Win {
  host: Host;
  server: HeadlessServer;
  context: BrowserContext;
  page: Page;
}

let browser: Browser;
let cloud: TestGateway;
let savedEnv: string | undefined;
const wins: Win[] = [];
/** A recorder whose run started at the beginning of this file: by the last test it is over a minute old. */
let longRun: Promise<Win> | undefined;

async function openWindow(): Promise<Win> {
  const { host, server } = await startRecorder({ clientOptions: { reconnect: { baseMs: 100, capMs: 500 } } });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const w: Win = { host, server, context, page: await context.newPage() };
  wins.push(w);
  await w.page.goto(server.url);
  await w.page.getByTestId('status-bar').waitFor({ timeout: 15_000 });
  return w;
}

/** The same screen in both themes. */
async function shots(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** What the page's words must never contain. */
const JARGON = /bad payload|Invalid input|Unrecognized key|\b(settings|run|serial|camera)\.[a-z][A-Za-z]+\b|"\uFFFD"/;

beforeAll(async () => {
  requireRenderer({ shots: true });
  cloud = await TestGateway.start();
  savedEnv = process.env.PLEXUS_GATEWAY_URL;
  // Where a cloud-mode recorder would send the key: it must never get it from these tests.
  process.env.PLEXUS_GATEWAY_URL = cloud.url;
  browser = await launchChromium();
  longRun = (async () => {
    const w = await openWindow();
    const r = await w.host.handle('run.start', { name: 'long-soak' });
    if (!r.ok) throw new Error(r.error.message);
    return w;
  })();
  await longRun;
}, 60_000);

afterAll(async () => {
  for (const w of wins.splice(0)) {
    await w.context.close();
    await stopRecorder(w);
  }
  await browser?.close();
  await killAllPtyProcesses();
  await cloud?.close();
  if (savedEnv === undefined) delete process.env.PLEXUS_GATEWAY_URL;
  else process.env.PLEXUS_GATEWAY_URL = savedEnv;
  cleanupTempDirs();
});

describe('Settings and the window’s words', () => {
  it('Settings: a bad URL is flagged before Save, Save is all or nothing, an emoji is shown whole, disabled Save looks disabled', async () => {
    const { page, host } = await openWindow();
    const tid = (id: string) => page.getByTestId(id);
    // One name for the dialog, on the button that opens it and on the dialog.
    expect(await tid('settings-open').getAttribute('title')).toMatch(/^Settings/);
    await tid('settings-open').click();
    await tid('settings-dialog').waitFor();
    await expect.poll(() => tid('settings-dialog').textContent()).toContain('Settings');
    expect(await page.locator('body').textContent()).not.toMatch(/Device setup/i);

    await tid('device-name-input').fill('rig😀');
    await expect
      .poll(() => tid('device-name-problem').textContent())
      .toBe('"😀" is not allowed: use letters, digits, "-" or "_"');
    await tid('device-name-input').fill('bench-new');
    await tid('api-key-input').fill(KEY);
    await tid('gateway-mode-custom').click();
    await tid('gateway-url-input').fill('http://bad host/');
    await expect.poll(() => tid('gateway-url-problem').textContent()).toMatch(/a URL has no spaces/);
    // Save cannot go while a field is wrong, and looks it: not the accent colour, a not-allowed cursor.
    const save = tid('save-settings');
    expect(await save.getAttribute('aria-disabled')).toBe('true');
    const look = await save.evaluate((b) => {
      const s = b.ownerDocument.defaultView!.getComputedStyle(b);
      return { cursor: s.cursor, bg: s.backgroundColor, border: s.borderStyle };
    });
    const cancelBg = await page
      .locator('.modal-foot .button:not(.button-primary)')
      .first()
      .evaluate((b) => b.ownerDocument.defaultView!.getComputedStyle(b).backgroundColor);
    expect(look.cursor).toBe('not-allowed');
    expect(look.border).toBe('dashed');
    expect(look.bg).toBe(cancelBg); // flat grey like a plain button, not the blue of an enabled Save
    await shots(page, 'settings-bad-url');
    // aria-disabled keeps it clickable (to say what is missing); Playwright waits for "enabled", so force.
    await save.click({ force: true });
    await tid('settings-fix-first').waitFor();
    // Nothing was saved or sent: not the name, not the key, and the key went nowhere.
    expect(host.state().settings).toMatchObject({
      deviceName: expect.not.stringMatching('bench-new'),
      apiKeySet: false,
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(cloud.auths.some((a) => JSON.stringify(a.msg).includes(KEY))).toBe(false);
    expect(cloud.httpRequests.some((r) => JSON.stringify(r).includes(KEY))).toBe(false);

    // A refusal only the host can make (the key over plain http to another machine) is a sentence.
    await tid('gateway-url-input').fill('http://plexus.example:8080');
    await expect.poll(() => save.getAttribute('aria-disabled')).toBe('false');
    await save.click();
    await expect
      .poll(() => tid('settings-error').textContent(), { timeout: 10_000 })
      .toMatch(/^Nothing was saved: Could not save the settings: the gateway plexus\.example:8080 is not encrypted/);
    expect(await tid('settings-dialog').textContent()).not.toMatch(JARGON);
    expect(host.state().settings.apiKeySet).toBe(false);
    expect(host.state().settings.deviceName).not.toBe('bench-new');
    await shots(page, 'settings-refused');
  });

  it('local only: the backlog is "kept locally" and said to be expected', async () => {
    const { page } = await openWindow();
    const tid = (id: string) => page.getByTestId(id);
    await tid('settings-open').click();
    await tid('gateway-mode-local').click();
    await tid('save-settings').click();
    await tid('settings-dialog').waitFor({ state: 'hidden', timeout: 10_000 });
    await expect
      .poll(() => tid('connection-status').textContent(), { timeout: 10_000 })
      .toMatch(/kept on this machine/);
    const cell = page.locator('.sb-cell', { has: tid('buffered') });
    await expect.poll(() => cell.textContent()).toContain('kept locally');
    expect(await cell.getAttribute('title')).toMatch(/expected/);
    expect(await page.locator('body').textContent()).not.toMatch(/buffered/i);
    await shots(page, 'status-local-only');
  });

  it('a run refused by the host reads as a sentence; a short run stops at once from Stop and from R alike', async () => {
    const { page, host } = await openWindow();
    const tid = (id: string) => page.getByTestId(id);
    // The window refuses an empty name itself (Start is disabled); the host's words for it are plain too.
    await tid('run-name-input').fill('   ');
    expect(await tid('run-start').isDisabled()).toBe(true);
    expect(await tid('run-start').evaluate((b) => b.ownerDocument.defaultView!.getComputedStyle(b).cursor)).toBe(
      'not-allowed',
    );
    const r = await host.handle('run.start', { name: '  ' });
    expect(r.ok || r.error.message).toBe('Could not start the run. Run name: give the run a name.');

    for (const how of ['button', 'key'] as const) {
      await tid('run-name-input').fill(`short-${how}`);
      await tid('run-start').click();
      await tid('recording-stripe').waitFor({ timeout: 10_000 });
      if (how === 'button') await tid('run-stop').click();
      else {
        await page.locator('body').click({ position: { x: 5, y: 400 } });
        await page.keyboard.press('r');
      }
      // Under a minute: no question, the run ends.
      await tid('recording-stripe').waitFor({ state: 'detached', timeout: 10_000 });
      expect(await tid('run-stop-dialog').isVisible()).toBe(false);
    }
  });

  it('free-text names: camera and serial names derive a valid metric prefix, shown before saving', async () => {
    const { page } = await openWindow();
    const tid = (id: string) => page.getByTestId(id);
    await tid('camera-add-open').click();
    await tid('camera-url').fill('/dev/video-none');
    await tid('camera-name').fill('Front Cam');
    await expect.poll(() => tid('camera-id-preview').textContent()).toContain('camera.front_cam.fps');
    await shots(page, 'camera-name-derived-id');
    await tid('camera-add').click();
    const card = page.locator('[data-testid^="camera-"][aria-label="Camera Front Cam"]');
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator('.source-title').getAttribute('title')).toContain('id front_cam');
  });

  it('a serial device on a pty: per-field unit and label reach the live values', async () => {
    const { page, host } = await openWindow();
    const tid = (id: string) => page.getByTestId(id);
    const pty = await ptyPair(tempDir(), 'words');
    simDevice(pty.device, { rate: { linesPerSec: 20, seconds: 120, values: 3 } });
    await tid('serial-add-open').click();
    await tid('serial-port-select').selectOption('__other__');
    await tid('serial-path-input').fill(pty.host);
    await tid('serial-parser').selectOption('plotter');
    await tid('serial-name').fill('PSU bench');
    await expect.poll(() => tid('serial-prefix-preview').textContent()).toBe('psu_bench');
    await tid('serial-field-add').click();
    await tid('serial-field-name-0').fill('v1');
    await tid('serial-field-unit-0').fill('V');
    await tid('serial-field-label-0').fill('Output voltage');
    await tid('serial-field-add').click();
    await tid('serial-field-name-1').fill('v2');
    await tid('serial-field-unit-1').fill('mA');
    await expect.poll(() => page.locator('.serial-fields-metric').first().textContent()).toBe('psu_bench.v1');
    await shots(page, 'serial-field-units');
    await tid('serial-add').click();
    await until(() => host.state().metricInfo['psu_bench.v1']?.unit === 'V', 10_000, 'the unit in the host state');
    expect(host.state().metricInfo['psu_bench.v1']).toEqual({ unit: 'V', label: 'Output voltage' });
    expect(host.state().metricInfo['psu_bench.v2']).toEqual({ unit: 'mA' });
    // The values arrive under the derived prefix, and the window shows the unit beside them.
    await tid('metric-value-psu_bench.v1').waitFor({ timeout: 20_000 });
    await expect.poll(() => tid('metric-unit-psu_bench.v1').textContent(), { timeout: 10_000 }).toContain('V');
    await expect.poll(() => tid('metric-unit-psu_bench.v2').textContent(), { timeout: 10_000 }).toContain('mA');
    await shots(page, 'serial-field-units-live');
  });

  it('a run longer than a minute asks first, from Stop and from R alike', async () => {
    const { page, host } = await longRun!;
    const tid = (id: string) => page.getByTestId(id);
    const startedAt = host.state().run!.startedAt;
    // The run started when this file began; wait out whatever is left of its first minute.
    await until(() => host.client.now() - startedAt > 61_000, 90_000, 'the run to pass a minute');
    await page.reload();
    await tid('recording-stripe').waitFor({ timeout: 10_000 });
    await tid('run-stop').click();
    await tid('run-stop-dialog').waitFor({ timeout: 5000 });
    await shots(page, 'stop-confirm');
    await tid('run-stop-cancel').click();
    await tid('run-stop-dialog').waitFor({ state: 'hidden', timeout: 5000 });
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('r');
    await tid('run-stop-dialog').waitFor({ timeout: 5000 });
    expect(host.state().run).not.toBeNull(); // asking stopped nothing
    await tid('run-stop-confirm').click();
    await tid('recording-stripe').waitFor({ state: 'detached', timeout: 10_000 });
    expect(host.state().run).toBeNull();
  }, 120_000);
});
