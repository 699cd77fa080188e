// Device identity: install id, gateway-assigned names, and two devices fighting over one name.
import { afterEach, describe, expect, it } from 'vitest';
import { clientFor, closeAll, gateway, sleep, until, waitForStatus } from '../helpers/plexus';
import { tempDir } from '../helpers/tmp';
import type { Status } from '../../src/main/plexus';

afterEach(async () => {
  await closeAll();
  delete process.env.PLEXUS_INSTALL_ID;
});

describe('identity', () => {
  it('generates an install id once per data dir and sends it in device_auth', async () => {
    const gw = await gateway();
    const dir = tempDir();
    const a = clientFor(gw, { dataDir: dir });
    await waitForStatus(a, 'connected');
    const id = a.installId;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    await a.close();
    const b = clientFor(gw, { dataDir: dir });
    await waitForStatus(b, 'connected');
    expect(b.installId).toBe(id);
    expect(gw.auths.map((x) => x.msg.install_id)).toEqual([id, id]);
    expect(gw.auths[0]!.msg).toMatchObject({ platform: 'plexus-bench', agent_version: '0.1.0', source_id: 'rig-01' });
    expect(clientFor(gw).installId).not.toBe(id); // another data dir, another install
  });

  it('PLEXUS_INSTALL_ID wins', async () => {
    const gw = await gateway();
    process.env.PLEXUS_INSTALL_ID = 'fleet-unit-7';
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    expect(gw.auths[0]!.msg.install_id).toBe('fleet-unit-7');
  });

  it('adopts a name the gateway assigned, persists it and uses it after a restart', async () => {
    const gw = await gateway({ suffixDuplicates: true });
    const first = clientFor(gw);
    await waitForStatus(first, 'connected');
    const dir = tempDir();
    const second = clientFor(gw, { dataDir: dir });
    const changes: Array<{ previous: string; current: string }> = [];
    second.on('source-id', (e) => changes.push(e));
    await waitForStatus(second, 'connected');
    await until(() => second.sourceId === 'rig-01_2', 3000, 'the assigned name');
    expect(changes).toEqual([{ previous: 'rig-01', current: 'rig-01_2', via: 'ws' }]);
    second.send('x', 1);
    await second.flush();
    expect(gw.points.find((p) => p.metric === 'x')!.sourceId).toBe('rig-01_2');
    await second.close();
    const again = clientFor(gw, { dataDir: dir });
    await waitForStatus(again, 'connected');
    expect(gw.auths.at(-1)!.msg.source_id).toBe('rig-01_2');
    expect(again.sourceId).toBe('rig-01_2');
  });

  it('two devices with one name end in name-conflict with growing backoff, not endless flapping', async () => {
    const gw = await gateway();
    const opts = { reconnect: { baseMs: 50, capMs: 800, jitter: 0 } };
    const a = clientFor(gw, opts);
    const b = clientFor(gw, opts);
    const seen: Record<string, Status[]> = { a: [], b: [] };
    a.on('status', (s) => seen.a!.push(s.status));
    b.on('status', (s) => seen.b!.push(s.status));
    await until(
      () => a.status().status === 'name-conflict' && b.status().status === 'name-conflict',
      8000,
      'both in name-conflict',
    );
    expect(a.status().message).toBe('Name conflict — another device is connected as rig-01; rename this device');
    // Eviction was detected and backoff grows: connections in the next 3 s are few.
    const before = gw.auths.length;
    const t0 = performance.now();
    await sleep(3000);
    const during = gw.auths.length - before;
    // Per device, about one try per capped 800 ms wait, plus two (12 for both in 3 s), over the
    // time actually slept (a loaded machine stretches it); at a constant 50 ms backoff it'd be ~60.
    const elapsedMs = performance.now() - t0;
    expect(during).toBeLessThanOrEqual(Math.ceil(2 * (elapsedMs / 800 + 2)));
    expect(a.status().status).toBe('name-conflict');
    expect(b.status().status).toBe('name-conflict');
    // Renaming one of them ends it for both.
    b.setSourceId('rig-02');
    await waitForStatus(b, 'connected', 5000);
    b.send('b', 1);
    expect((await b.flush()).delivered).toBe(true);
    expect(gw.connectedSources().sort()).toEqual(expect.arrayContaining(['rig-02']));
  }, 20_000);

  it('a name the gateway assigns that breaks our rule is used, but not kept for the next start', async () => {
    const gw = await gateway({ suffixDuplicates: true });
    const long = 'r'.repeat(63);
    const first = clientFor(gw, { sourceId: long });
    await waitForStatus(first, 'connected');
    const dir = tempDir();
    const second = clientFor(gw, { sourceId: long, dataDir: dir });
    await until(() => second.sourceId === `${long}_2`, 5000, 'the assigned 65-character name');
    await second.close();
    // The next start asks for the name it was configured with, not the one it cannot keep.
    const again = clientFor(gw, { dataDir: dir, sourceId: long });
    expect(again.sourceId).toBe(long);
  });

  it('a rename while a request is in flight is not undone by that request’s answer', async () => {
    const gw = await gateway();
    gw.setLatency(150);
    const c = clientFor(gw, { transport: 'http' });
    for (let i = 0; i < 20; i++) c.send('before', i);
    await until(() => gw.httpRequests.length > 0 || c.stats().delivered === 0, 2000, 'a request');
    await new Promise((r) => setTimeout(r, 60)); // the first request is on its way
    c.setSourceId('rig-02');
    c.send('after', 1);
    expect((await c.flush({ timeoutMs: 5000 })).delivered).toBe(true);
    expect(c.sourceId).toBe('rig-02');
    expect(gw.points.find((p) => p.metric === 'after')!.sourceId).toBe('rig-02');
  });

  it('a new key entered while a request with the old one is in flight is not locked out by its 401', async () => {
    const gw = await gateway({ apiKeys: { plx_new_key: { org: 'o', scopes: ['write'] } } });
    gw.setLatency(150);
    const c = clientFor(gw, { transport: 'http', apiKey: 'plx_old_key' });
    c.send('x', 1);
    await new Promise((r) => setTimeout(r, 60));
    c.setApiKey('plx_new_key');
    expect((await c.flush({ timeoutMs: 5000 })).delivered).toBe(true);
    expect(c.status().status).toBe('connected');
  });

  it('renaming reconnects under the new name', async () => {
    const gw = await gateway();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    c.setSourceId('rig-renamed');
    await until(() => gw.connectedSources().includes('rig-renamed'), 3000, 'the new name');
    c.send('after', 1);
    await c.flush();
    expect(gw.points.at(-1)!.sourceId).toBe('rig-renamed');
    expect(() => c.setSourceId('Bad Name')).toThrow(/lowercase/);
  });
});
