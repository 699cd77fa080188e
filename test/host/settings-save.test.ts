// The Settings dialog's Save (settings.save) applies all or nothing: with a new name, a key and a
// gateway that cannot be used, nothing changes — not the name, not the key, not the file — and the
// key never reaches the gateway in use (here a test gateway standing in for the Plexus cloud).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestGateway } from '../support/gateway';
import { until } from '../helpers/plexus';
import { call, startHost, stopHosts } from '../helpers/host';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

const KEY = 'plx_all_or_nothing_key';
let cloud: TestGateway;
let savedEnv: string | undefined;

beforeAll(async () => {
  cloud = await TestGateway.start();
  savedEnv = process.env.PLEXUS_GATEWAY_URL;
  // "The cloud" for these hosts: where a cloud-mode recorder would send the key.
  process.env.PLEXUS_GATEWAY_URL = cloud.url;
});
afterEach(stopHosts);
afterAll(async () => {
  if (savedEnv === undefined) delete process.env.PLEXUS_GATEWAY_URL;
  else process.env.PLEXUS_GATEWAY_URL = savedEnv;
  await cloud.close();
  cleanupTempDirs();
});

const keySeen = (gw: TestGateway): boolean =>
  gw.auths.some((a) => JSON.stringify(a.msg).includes(KEY)) ||
  gw.httpRequests.some((r) => JSON.stringify(r).includes(KEY));

describe('Save in the Settings dialog: all or nothing', () => {
  it('a bad gateway URL saves nothing, and the key goes nowhere', async () => {
    const dir = tempDir();
    const host = await startHost(dir);
    const before = host.state().settings;
    const fileBefore = readFileSync(join(dir, 'settings.json'), 'utf8');
    const r = await host.handle('settings.save', {
      deviceName: 'bench-new',
      apiKey: KEY,
      gateway: { mode: 'custom', url: 'http://bad host/' },
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.message).toBe('Could not save the settings. Gateway URL: a URL has no spaces: check the address.');
    expect(host.state().settings).toEqual(before);
    expect(host.state().settings.apiKeySet).toBe(false);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(fileBefore);
    // Give a client that had been handed the key time to dial: it must not have been.
    await new Promise((r) => setTimeout(r, 1500));
    expect(keySeen(cloud)).toBe(false);
    expect(host.state().status.status).toBe('local-only');
  });

  it('a rule the schema cannot check (a key over plain http to another machine) also saves nothing', async () => {
    const host = await startHost();
    const before = host.state().settings;
    const r = await host.handle('settings.save', {
      deviceName: 'bench-new',
      apiKey: KEY,
      gateway: { mode: 'custom', url: 'http://plexus.example:8080' },
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.message).toMatch(
        /^Could not save the settings: the gateway plexus\.example:8080 is not encrypted/,
      );
    expect(host.state().settings).toEqual(before);
  });

  it('good settings are applied together: the name, the gateway, and the key bound to that gateway', async () => {
    const gw = await TestGateway.start();
    try {
      const host = await startHost();
      const view = await call(host, 'settings.save', {
        deviceName: 'bench-saved',
        apiKey: KEY,
        gateway: { mode: 'custom', url: gw.url, wsUrl: gw.wsUrl },
      });
      expect(view).toMatchObject({
        deviceName: 'bench-saved',
        apiKeySet: true,
        gateway: { mode: 'custom', url: gw.url },
      });
      await until(() => host.state().status.status === 'connected', 15_000, 'the host to connect with the saved key');
      expect(gw.auths.some((a) => a.sourceId === 'bench-saved' || a.msg.source_id === 'bench-saved')).toBe(true);
      expect(keySeen(gw)).toBe(true);
      expect(keySeen(cloud)).toBe(false);
    } finally {
      await stopHosts();
      await gw.close();
    }
  });
});
