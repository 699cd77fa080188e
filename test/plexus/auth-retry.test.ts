// A refused key is tried again within a minute, not five: after the gateway's 10 s refusal cache
// expired (a try inside it can only be refused again) and within its 30 key checks per minute.
// The test gateway caches and limits key checks as the real one does; setApiKeys() is the key
// being fixed on the platform.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { KEY, clientFor, closeAll, gateway, sleep, until, waitForStatus } from '../helpers/plexus';
import { KeyRefusal } from '../../src/main/plexus/key-refusal';

afterEach(() => {
  vi.useRealTimers();
});
// The two transports wait ~15 s each on gateways of their own: side by side, closed at the end.
afterAll(async () => {
  await closeAll();
});

const ACCEPTED = { [KEY]: { org: 'o', scopes: ['write'] } };

describe.concurrent('a refused key, over each transport', () => {
  for (const transport of ['ws', 'http'] as const) {
    it(`is tried again after ~15 s and delivery resumes once it is accepted (${transport})`, async () => {
      const gw = await gateway({ apiKeys: { other: { org: 'o', scopes: ['write'] } } });
      const c = clientFor(gw, { transport });
      for (let i = 0; i < 50; i++) c.send('k', i);
      await waitForStatus(c, 'auth-failed', 5000);
      const refusedAt = performance.now();
      expect(c.status().message).toMatch(
        /^API key rejected — check it in Settings \(50 points kept, trying again in 1[3-7] s\)$/,
      );
      await sleep(1000);
      gw.setApiKeys(ACCEPTED); // fixed on the platform; the gateway still has the refusal cached
      await until(() => gw.points.length === 50, 25_000, 'the kept points');
      const ms = performance.now() - refusedAt;
      console.log(`refused key (${transport}): delivered ${Math.round(ms)} ms after the refusal`);
      expect(ms).toBeLessThan(20_000); // it was 5 minutes
      await waitForStatus(c, 'connected');
      const mine = gw.keyChecks.filter((k) => k.key === KEY);
      // Never asked while the refusal was cached, never over the check limit.
      expect(mine.filter((k) => k.result === 'limited' || (k.cached && k.result === 'invalid'))).toEqual([]);
      expect(gw.points.map((p) => p.value)).toEqual([...Array(50).keys()]);
    }, 40_000);
  }
});

describe('a refused key', () => {
  it('retries after 15 s, 30 s, 60 s, then every 60 s; at once for a new key', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    let due = 0;
    const r = new KeyRefusal(60_000, () => due++);
    const waits: number[] = [];
    for (let round = 0; round < 5; round++) {
      r.refused('Invalid API key');
      r.refused('Invalid API key'); // the other transport, same round: no extra wait
      waits.push(r.retryAt - Date.now());
      expect(r.waiting).toBe(true);
      vi.advanceTimersByTime(r.retryAt - Date.now());
      expect(r.waiting).toBe(false);
    }
    expect(due).toBe(5);
    [15_000, 30_000, 60_000, 60_000, 60_000].forEach((nominal, i) => {
      expect(waits[i]!).toBeGreaterThanOrEqual(nominal * 0.9);
      expect(waits[i]!).toBeLessThanOrEqual(nominal * 1.1);
    });
    expect(Math.min(...waits)).toBeGreaterThan(10_000); // outside the gateway's 10 s refusal cache
    r.clear();
    expect(r.waiting).toBe(false);
    r.refused('Invalid API key');
    expect(r.retryAt - Date.now()).toBeLessThanOrEqual(16_500); // starts over
    r.stop();
  });
});
