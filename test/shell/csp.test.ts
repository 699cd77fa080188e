// The built window under its CSP, in real Chromium: served by the headless host (meta tag only,
// loopback WebSocket) and served the way app:// serves it (meta tag + the stricter header). No
// CSP violation either way (no inline styles needed), and the headless window connects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Host } from '../../src/main/host';
import { startHeadless, type HeadlessServer } from '../../src/main/headless/server';
import { serveAppRequest } from '../../src/main/shell/app-protocol';
import { APP_ORIGIN } from '../../src/main/shell/origin';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium';

const RENDERER = join(__dirname, '..', '..', 'out', 'renderer');
let host: Host;
let server: HeadlessServer;
let browser: Browser;

/** A page that records every CSP violation (event and console) before any script of ours runs. */
async function watchedPage(): Promise<{ page: Page; violations: () => Promise<string[]> }> {
  const page = await browser.newPage();
  const consoleViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) consoleViolations.push(m.text());
  });
  await page.addInitScript({
    content: `window.__csp = []; document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(e.effectiveDirective + ' blocked ' + e.blockedURI + ' from ' + e.sourceFile + ':' + e.lineNumber));`,
  });
  // zod probes for eval (`Function('')` in a try/catch) and falls back when CSP refuses it: that
  // one refusal is expected (no 'unsafe-eval'); everything else is a real violation.
  const violations = async () =>
    [...consoleViolations, ...(await page.evaluate<string[]>('window.__csp'))].filter(
      (v) => !/^script-src blocked eval from /.test(v) && !/unsafe-eval/.test(v),
    );
  return { page, violations };
}

beforeAll(async () => {
  if (!existsSync(join(RENDERER, 'index.html')))
    throw new Error('out/renderer is missing: run npx electron-vite build first');
  host = await Host.start({ dataDir: tempDir() });
  server = await startHeadless({ host, rendererDir: RENDERER });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await host?.shutdown({ flushTimeoutMs: 1000 });
  cleanupTempDirs();
});

describe('the window’s CSP', () => {
  it('headless: the page renders and its loopback WebSocket connects, with no violation', async () => {
    const { page, violations } = await watchedPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(server.url);
    await expect
      .poll(() => page.getByTestId('connection-status').getAttribute('data-status'), { timeout: 15_000 })
      .toBe('local-only');
    expect(sockets.some((u) => u.startsWith(`ws://127.0.0.1:${server.port}/bridge`))).toBe(true);
    expect(await violations()).toEqual([]);
    await page.close();
  });

  it('app:// (emulated over http): meta + header CSP, the page renders with no violation', async () => {
    const { page, violations } = await watchedPage();
    const origin = 'http://bench.test';
    // No preload here: the window would fall back to a WebSocket; refuse it quietly (not a CSP matter).
    await page.routeWebSocket(/.*/, (ws) => ws.close());
    await page.route(`${origin}/**`, async (route) => {
      const r = await serveAppRequest(route.request().url().replace(origin, APP_ORIGIN), RENDERER);
      await route.fulfill({ status: r.status, headers: r.headers, body: Buffer.from(r.body) });
    });
    await page.goto(`${origin}/index.html`);
    await page.locator('#root > *').first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500);
    expect(await violations()).toEqual([]);
    await page.close();
  });
});
