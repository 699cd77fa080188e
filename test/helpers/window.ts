// The technician's window for end-to-end tests: the built renderer served by the headless recorder
// to Debian's Chromium. Every e2e file starts the same way (a host, its headless server, a
// browser) and some stop a run the way the technician does, so those steps live here once.
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Host, type HostOptions } from '../../src/main/host';
import { startHeadless, type HeadlessServer } from '../../src/main/headless/server';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import { cleanupTempDirs, tempDir } from './tmp';

export const ROOT = join(__dirname, '..', '..');
export const RENDERER = join(ROOT, 'out', 'renderer');
export const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');

/** A recorder and the headless server that serves the window for it. */
export interface Recorder {
  host: Host;
  server: HeadlessServer;
}

/**
 * beforeAll: the built renderer must be there (the tests serve out/renderer, they do not build
 * it), and the screenshots folder is made when the file takes screenshots.
 */
export function requireRenderer(opts: { shots?: boolean } = {}): void {
  if (!existsSync(join(RENDERER, 'index.html')))
    throw new Error('out/renderer is missing: npm test builds it first (or run npx electron-vite build)');
  if (opts.shots) mkdirSync(SHOTS, { recursive: true });
}

/** Debian's Chromium, headless, with the flags the closed network needs (and any extra ones). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** A host on a fresh data dir (unless given) and its headless server. */
export async function startRecorder(options: Partial<HostOptions> = {}): Promise<Recorder> {
  const host = await Host.start({ dataDir: tempDir(), ...options });
  const server = await startHeadless({ host, rendererDir: RENDERER });
  return { host, server };
}

/**
 * A recorder that reconnects quickly and whose CSV export is a download from its own headless
 * server: the export link carries the server's token, so the exporter reads it once the server
 * is up.
 */
export async function startExportingRecorder(dataDir: string, answerTimeoutMs: number): Promise<Recorder> {
  const ref: { server?: HeadlessServer } = {};
  const r = await startRecorder({
    dataDir,
    answerTimeoutMs,
    clientOptions: { reconnect: { baseMs: 100, capMs: 500 } },
    exporter: async (e) => ({
      kind: 'download',
      url: `/export/${encodeURIComponent(e.run.id)}.csv?token=${ref.server!.token}`,
      filename: e.filename,
    }),
  });
  ref.server = r.server;
  return r;
}

/** afterAll: the server first (no new page requests), then the host, flushing for a second at most. */
export async function stopRecorder(r: Partial<Recorder>): Promise<void> {
  await r.server?.close();
  await r.host?.shutdown({ flushTimeoutMs: 1000 });
}

/** A recorder and a browser that a whole test file shares. */
export interface SharedRecorder extends Recorder {
  browser: Browser;
}

/**
 * For a file whose tests share one local-only recorder and one browser: started before its tests
 * (after the renderer is checked), closed after them with the temp dirs. The fields are set once
 * the file's beforeAll hooks have run.
 */
export function sharedRecorder(opts: { shots?: boolean } = {}): SharedRecorder {
  const rig: Partial<SharedRecorder> = {};
  beforeAll(async () => {
    requireRenderer(opts);
    Object.assign(rig, await startRecorder());
    rig.browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await rig.browser?.close();
    await stopRecorder(rig);
    cleanupTempDirs();
  });
  return rig as SharedRecorder;
}

/** A page that records every CSP violation (event and console) before any script of ours runs. */
export async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const consoleViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) consoleViolations.push(m.text());
  });
  await page.addInitScript({
    content: `window.__csp = []; document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(e.effectiveDirective + ' blocked ' + e.blockedURI + ' from ' + e.sourceFile + ':' + e.lineNumber));`,
  });
  return async () => [...consoleViolations, ...(await page.evaluate<string[]>('window.__csp'))];
}

/** Stop the run with the Stop button, confirming when the window asks, and wait for the stripe to go. */
export async function stopRunInWindow(page: Page, timeout: number): Promise<void> {
  const tid = (id: string) => page.getByTestId(id);
  await tid('run-stop').click();
  if (
    await tid('run-stop-confirm')
      .isVisible()
      .catch(() => false)
  )
    await tid('run-stop-confirm').click();
  await tid('recording-stripe').waitFor({ state: 'detached', timeout });
}
