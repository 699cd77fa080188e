// The built window under its CSP, in real Chromium: served by the headless host (meta tag only,
// loopback WebSocket) and served the way app:// serves it (meta tag + the stricter header). No
// CSP violation either way — no inline styles or scripts, no eval (zod runs jitless) — also with
// every dialog open, and the headless window connects. A violation is silent for the technician (a
// style or a check quietly missing), so any one fails the test.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serveAppRequest } from '../../src/main/shell/app-protocol';
import { APP_ORIGIN } from '../../src/main/shell/origin';
import { RENDERER, sharedRecorder, stopRunInWindow, watchCsp } from '../helpers/window';

const rig = sharedRecorder();

/** A page that records every CSP violation (event and console) before any script of ours runs. */
async function watchedPage(): Promise<{ page: Page; violations: () => Promise<string[]> }> {
  const page = await rig.browser.newPage();
  return { page, violations: await watchCsp(page) };
}

describe('the window’s CSP', () => {
  it('headless: the page renders and its loopback WebSocket connects, with no violation', async () => {
    const { page, violations } = await watchedPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(rig.server.url);
    await expect
      .poll(() => page.getByTestId('connection-status').getAttribute('data-status'), { timeout: 15_000 })
      .toBe('local-only');
    expect(sockets.some((u) => u.startsWith(`ws://127.0.0.1:${rig.server.port}/bridge`))).toBe(true);
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

  it('the policy is strict, and opening every dialog and recording a run breaks none of it', async () => {
    const { page, violations } = await watchedPage();
    const res = await page.goto(rig.server.url);
    const csp = /Content-Security-Policy"\s+content="([^"]+)"/.exec((await res?.text()) ?? '')?.[1] ?? '';
    expect(csp).toMatch(/style-src 'self';/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const tid = (id: string) => page.getByTestId(id);
    await tid('metric-tiles').waitFor({ timeout: 20_000 });
    // Every dialog, with fields touched so their validation messages show.
    await tid('settings-open').click();
    await tid('device-name-input').fill('Not Valid');
    await tid('device-name-problem').waitFor();
    await tid('gateway-mode-custom').click();
    await tid('gateway-url-input').fill('http://bad host/');
    await page.keyboard.press('Escape');
    for (const open of ['serial-add-open', 'network-add-open', 'camera-add-open', 'plugin-add-open']) {
      await tid(open).click();
      await page.keyboard.press('Escape');
    }
    await tid('run-name-input').fill('csp check');
    await tid('run-start').click();
    await tid('recording-stripe').waitFor();
    await tid('marker-note').fill('a note');
    await tid('marker-button').click();
    await tid('marker-last').waitFor();
    await stopRunInWindow(page, 10_000);
    expect(await violations()).toEqual([]);
    await page.close();
  });
});
