// Name conflicts against random network cuts. Three cuts within a minute once made the status say
// "Name conflict — rename this device" with no second device anywhere, for the rest of the run.
// A real duplicate cuts us right after each of our connections, again and again; random cuts come
// at random moments. Both tests use the client's default reconnect settings.
import { afterAll, describe, expect, it } from 'vitest';
import { clientFor, closeAll, gateway, sleep, until, waitForStatus } from '../helpers/plexus';
import type { Status } from '../../src/main/plexus';

// The cases wait tens of seconds each on gateways of their own: they run side by side (so the
// suite does not grow by minutes), and everything is closed once at the end.
afterAll(async () => {
  await closeAll();
});

const DEFAULTS = { reconnect: {}, httpRetry: {} };

describe.concurrent('name conflicts', () => {
  it('random network cuts, 5 within a minute a few seconds after auth, never claim a conflict', async () => {
    const gw = await gateway();
    const c = clientFor(gw, DEFAULTS);
    const seen = new Set<Status>();
    c.on('status', (s) => seen.add(s.status));
    await waitForStatus(c, 'connected');
    let cuts = 0;
    const cutAt: number[] = [];
    // Each new connection is cut 3–7 s after it authenticated, five times.
    const scheduleCut = (): void => {
      if (cuts >= 5) return;
      setTimeout(
        () => {
          if (!gw.connectedSources().includes('rig-01')) return;
          cuts++;
          cutAt.push(performance.now());
          gw.cut('rig-01');
        },
        3000 + Math.random() * 4000,
      );
    };
    const off = gw.on('connection', scheduleCut);
    scheduleCut();
    let i = 0;
    const t0 = performance.now();
    while (cuts < 5 && performance.now() - t0 < 60_000) {
      c.send('cut', i++);
      seen.add(c.status().status);
      await sleep(20);
    }
    off();
    expect(cuts).toBe(5);
    expect(cutAt.at(-1)! - cutAt[0]!).toBeLessThan(60_000);
    await waitForStatus(c, 'connected', 10_000);
    seen.add(c.status().status);
    expect([...seen]).not.toContain('name-conflict');
    expect((await c.flush({ timeoutMs: 10_000 })).delivered).toBe(true);
    expect(new Set(gw.points.map((p) => p.value)).size).toBe(i);
  }, 90_000);

  it('two devices with one name: reported within a minute, cleared once the other leaves', async () => {
    const gw = await gateway();
    const a = clientFor(gw, DEFAULTS);
    const b = clientFor(gw, DEFAULTS);
    const t0 = performance.now();
    await until(
      () => a.status().status === 'name-conflict' && b.status().status === 'name-conflict',
      60_000,
      'both in name-conflict',
    );
    const detectedMs = performance.now() - t0;
    expect(a.status().message).toBe('Name conflict — another device is connected as rig-01; rename this device');
    expect(a.status().detail).toMatch(/cut this connection right after it connected/);
    // While both run it stays reported, and the two do not flap faster than the backoff allows.
    const auths = gw.auths.length;
    await sleep(6000);
    expect(a.status().status).toBe('name-conflict');
    expect(gw.auths.length - auths).toBeLessThanOrEqual(12); // ≥ 0.75 s between tries, per device
    await b.close();
    const t1 = performance.now();
    await waitForStatus(a, 'connected', 60_000);
    const clearedMs = performance.now() - t1;
    console.log(
      `duplicate name: reported after ${Math.round(detectedMs)} ms, cleared ${Math.round(clearedMs)} ms after the other left`,
    );
    a.send('after', 1);
    expect((await a.flush()).delivered).toBe(true);
  }, 150_000);
});
