// Plugins and network lines in the technician's window, end to end in real Chromium against the
// headless recorder: a TypeScript plugin folder is reviewed (what it will run is shown), allowed,
// runs and shows its values with its unit; its settings form changes what it sends; switching it
// off stops its points. A broken plugin.json shows the host's reason and cannot be allowed. A
// loopback TCP source receives a line from a socket. Screenshots go to test-artifacts/screenshots/.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { PluginCatalogEntry } from '../../src/shared/contract';
import { tempDir } from '../helpers/tmp';
import { pageReader } from '../helpers/page';
import { pluginFolder } from '../plugins/helpers';
import { sharedRecorder } from '../helpers/window';

const POLL = { timeout: 15_000 };

const PLUGIN_JSON = { id: 'e2e-sensor', name: 'E2E sensor', version: '1.0.0', kind: 'script', entry: 'index.ts' };
const PLUGIN_TS = `import { definePlugin } from 'plexus-bench/plugin';

export default definePlugin({
  id: 'e2e-sensor',
  name: 'E2E sensor',
  version: '1.0.0',
  config: {
    type: 'object',
    properties: {
      level: { type: 'number', title: 'Level', description: 'The value it sends', unit: 'bar', default: 5, minimum: 0, maximum: 1000 },
    },
  },
  setup(ctx) {
    ctx.describe('level', { unit: 'bar', label: 'Tank level' });
    ctx.status('sending level ' + ctx.config.level);
    const timer = setInterval(() => ctx.send('level', ctx.config.level + (Math.random() - 0.5) * 0.2), 100);
    return () => clearInterval(timer);
  },
});
`;

const rig = sharedRecorder({ shots: true });
let page: Page;
let pluginDir: string;
let brokenDir: string;

const { tid, shot, num } = pageReader(() => page);

/** A TCP port nothing listens on right now (the OS picks it; we release it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  pluginDir = pluginFolder(PLUGIN_JSON, { 'index.ts': PLUGIN_TS });
  brokenDir = join(tempDir('plexus-plugin-'), 'broken');
  mkdirSync(brokenDir);
  writeFileSync(join(brokenDir, 'plugin.json'), '{ "id": "broken", "name": "Broken", ');

  const context = await rig.browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  await page.goto(rig.server.url);
}, 60_000);

/** Each test starts from a freshly loaded window: no dialog or view left over from another. */
async function reload(): Promise<void> {
  await page.reload();
  await tid('plugin-add-open').waitFor(POLL);
}

// The tests share one recorder and window but not each other's results: the plugin's life —
// reviewed, allowed, reconfigured, switched off, asked about again — is one ordered scenario, and
// the others need only the recorder as it starts (the demo plugin running).
describe('plugins in the technician’s window', () => {
  it('lists the demo sensor as a running plugin', async () => {
    await reload();
    await expect.poll(() => tid('plugin-demo').getAttribute('data-state'), POLL).toBe('running');
    await expect.poll(() => tid('sources-empty').textContent(), POLL).toMatch(/demo sensor is running/);
    await expect.poll(() => tid('metric-unit-demo.engine_rpm').textContent(), POLL).toBe('rpm');
  });

  it('a plugin’s life, in order: reviewed (what it will run is shown), allowed, runs with its unit; its settings change its values; switched off, its points stop; a changed plugin.json is asked about again', async () => {
    await reload();
    // Reviewed and allowed: it runs with its unit.
    await tid('plugin-add-open').click();
    // The catalog offers the shipped plugins (the demo's folder among them).
    await page.locator('[data-testid="plugin-catalog-item"][data-folder="builtin:demo-signals"]').waitFor(POLL);
    await shot('09-plugin-add');
    await tid('plugin-folder-input').fill(pluginDir);
    await tid('plugin-review').click();
    await expect.poll(() => tid('plugin-review-name').textContent(), POLL).toBe('E2E sensor');
    expect(await tid('plugin-runs').textContent()).toContain('index.ts');
    await expect.poll(() => tid('plugin-warning').textContent()).toMatch(/runs with your user’s rights/);
    expect(await tid('plugin-name-input').inputValue()).toBe('e2e-sensor');
    // Nothing runs before the technician allows it.
    expect(rig.host.state().plugins.some((p) => p.name === 'e2e-sensor')).toBe(false);
    await shot('10-plugin-review');

    await tid('plugin-allow').click();
    await tid('plugin-add-dialog').waitFor({ state: 'hidden' });
    await expect.poll(() => tid('plugin-e2e-sensor').getAttribute('data-state'), POLL).toBe('running');
    await expect.poll(() => num('metric-value-e2e-sensor.level'), POLL).toBeGreaterThan(4);
    expect(await num('metric-value-e2e-sensor.level')).toBeLessThan(6);
    await expect.poll(() => tid('metric-unit-e2e-sensor.level').textContent(), POLL).toBe('bar');
    await expect.poll(() => tid('plugin-status-e2e-sensor').textContent(), POLL).toBe('sending level 5');
    // Its own counters move too (points/s settles over whole seconds).
    await expect.poll(() => num('plugin-points-e2e-sensor'), POLL).toBeGreaterThan(15);
    await shot('11-plugin-running');

    // Its settings change what it sends.
    await tid('plugin-settings-e2e-sensor').click();
    const level = tid('plugin-config-level');
    await expect.poll(() => level.inputValue(), POLL).toBe('5');
    // Checked as typed, with the host's rule (maximum 1000).
    await level.fill('5000');
    await expect.poll(() => tid('plugin-config-level-problem').textContent()).toMatch(/at most 1000/);
    await level.fill('500');
    await expect.poll(() => tid('plugin-config-level-problem').count()).toBe(0);
    await shot('12-plugin-settings');
    await tid('plugin-config-save').click();
    await tid('plugin-config-dialog').waitFor({ state: 'hidden' });
    await expect.poll(() => num('metric-value-e2e-sensor.level'), POLL).toBeGreaterThan(490);
    expect(await num('metric-value-e2e-sensor.level')).toBeLessThan(510);
    expect(rig.host.state().plugins.find((p) => p.name === 'e2e-sensor')?.config).toMatchObject({ level: 500 });

    // Switched off: it stops, and its points stop.
    await tid('plugin-toggle-e2e-sensor').click();
    await expect.poll(() => tid('plugin-e2e-sensor').getAttribute('data-state'), POLL).toBe('stopped');
    expect(await tid('plugin-toggle-e2e-sensor').isChecked()).toBe(false);
    const stoppedAt = await num('plugin-points-e2e-sensor');
    expect(stoppedAt).toBeGreaterThan(0);
    // Time passes (the demo keeps counting, so the window keeps getting ticks) and ours stays put.
    const demoAt = await num('plugin-points-demo');
    await expect.poll(() => num('plugin-points-demo'), POLL).toBeGreaterThan(demoAt + 20);
    expect(await num('plugin-points-e2e-sensor')).toBe(stoppedAt);
    expect(rig.host.state().plugins.find((p) => p.name === 'e2e-sensor')?.enabled).toBe(false);

    // plugin.json changed while it was off: switching it on asks again, with the new manifest.
    writeFileSync(join(pluginDir, 'plugin.json'), JSON.stringify({ ...PLUGIN_JSON, version: '1.0.1' }, null, 2));
    await tid('plugin-toggle-e2e-sensor').click();
    await expect.poll(() => tid('plugin-e2e-sensor').getAttribute('data-state'), POLL).toBe('untrusted');
    const before = await num('plugin-points-e2e-sensor');
    await shot('15-plugin-untrusted');
    await tid('plugin-review-allow-e2e-sensor').click();
    await expect.poll(() => tid('plugin-manifest').textContent(), POLL).toContain('version 1.0.1');
    expect(await tid('plugin-runs').textContent()).toContain('index.ts');
    await tid('plugin-allow').click();
    await tid('plugin-allow-dialog').waitFor({ state: 'hidden' });
    await expect.poll(() => tid('plugin-e2e-sensor').getAttribute('data-state'), POLL).toBe('running');
    await expect.poll(() => num('plugin-points-e2e-sensor'), POLL).toBeGreaterThan(before);
  });

  it('shows why a broken plugin folder cannot run, and offers no way to allow it', async () => {
    await reload();
    const reply = await rig.host.handle('plugin.inspect', { folder: brokenDir });
    if (!reply.ok) throw new Error(`plugin.inspect refused: ${reply.error.message}`);
    const problem = (reply.value as PluginCatalogEntry).problem;
    expect(problem).toMatch(/plugin\.json/); // the host's reason names the file it could not read
    await tid('plugin-add-open').click();
    await tid('plugin-folder-input').fill(brokenDir);
    await tid('plugin-review').click();
    await expect.poll(() => tid('plugin-problem').textContent(), POLL).toBe(problem);
    expect(await tid('plugin-allow').count()).toBe(0);
    await shot('13-plugin-broken');
    await tid('plugin-back').click();
    await page.keyboard.press('Escape');
    await tid('plugin-add-dialog').waitFor({ state: 'hidden' });
  });

  it('adds TCP network lines: a line sent to the port becomes a metric', async () => {
    await reload();
    const port = await freePort();
    await tid('network-add-open').click();
    await tid('network-name').fill('e2e-net');
    await tid('network-port').fill(String(port));
    await tid('network-add').click();
    await tid('network-dialog').waitFor({ state: 'hidden' });
    await expect.poll(() => tid('network-e2e-net').getAttribute('data-state'), POLL).toBe('listening');
    expect(await tid('network-hint-e2e-net').textContent()).toBe(`echo "temp:21.5" | nc 127.0.0.1 ${port}`);
    await new Promise<void>((resolve, reject) => {
      const c = connect(port, '127.0.0.1', () => c.end('temp:21.5\n', () => resolve()));
      c.on('error', reject);
    });
    await expect.poll(() => num('metric-value-e2e-net.temp'), POLL).toBe(21.5);
    await expect.poll(() => num('network-points-e2e-net'), POLL).toBeGreaterThan(0);
    await shot('14-network-lines');
    // The dense table view shows the units too (the demo's: this test adds none of its own).
    await tid('view-table').click();
    await expect.poll(() => tid('metric-unit-demo.engine_rpm').textContent(), POLL).toBe('rpm');
    await shot('16-table-units');
    await tid('view-tiles').click();
  });
});
