// The window keeps to its Content-Security-Policy: no inline styles or scripts, no eval. A
// violation is silent for the technician (a style or a check quietly missing), so this test opens
// every dialog in real Chromium and fails on any violation the browser reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Host } from '../../src/main/host';
import { startHeadless, type HeadlessServer } from '../../src/main/headless/server';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium';

const RENDERER = join(__dirname, '..', '..', 'out', 'renderer');

let host: Host;
let server: HeadlessServer;
let browser: Browser;
let page: Page;
const violations: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(RENDERER, 'index.html')))
    throw new Error('out/renderer is missing: npm test builds it first (or run npx electron-vite build)');
  host = await Host.start({ dataDir: tempDir() });
  server = await startHeadless({ host, rendererDir: RENDERER });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.exposeFunction('reportCspViolation', (v: string) => violations.push(v));
  // A string, not a function: this file is type-checked for Node, the script runs in the page.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      window.reportCspViolation(e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' ' + e.sample));`,
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await host?.shutdown({ flushTimeoutMs: 1000 });
  cleanupTempDirs();
});

describe('the window’s Content-Security-Policy', () => {
  it('is strict (no unsafe-inline, no unsafe-eval) and nothing in the window breaks it', async () => {
    const res = await page.goto(server.url);
    const html = (await res?.text()) ?? '';
    const csp = /Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/style-src 'self';/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);

    const tid = (id: string) => page.getByTestId(id);
    await tid('status-bar').waitFor();
    await tid('metric-tiles').waitFor({ timeout: 20_000 });
    // Every dialog the technician can open, with its fields touched so validation messages show.
    await tid('settings-open').click();
    await tid('device-name-input').fill('Not Valid');
    await tid('device-name-problem').waitFor();
    await tid('gateway-mode-custom').click();
    await tid('gateway-url-input').fill('http://bad host/');
    await page.keyboard.press('Escape');
    for (const open of ['serial-add-open', 'network-add-open', 'camera-add-open', 'plugin-add-open']) {
      await tid(open).click();
      await page.waitForTimeout(300);
      await page.keyboard.press('Escape');
    }
    await tid('run-name-input').fill('csp check');
    await tid('run-start').click();
    await tid('recording-stripe').waitFor();
    await tid('marker-note').fill('a note');
    await tid('marker-button').click();
    await tid('marker-last').waitFor();
    await tid('run-stop').click();
    if (
      await tid('run-stop-confirm')
        .isVisible()
        .catch(() => false)
    )
      await tid('run-stop-confirm').click();
    await tid('recording-stripe').waitFor({ state: 'detached', timeout: 10_000 });
    expect(violations).toEqual([]);
  });
});
