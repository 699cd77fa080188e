// Recovery is prompt with the DEFAULT reconnect settings: data flows again within seconds of the
// gateway's return, however long it was gone. The old backoff (1 s × 2ⁿ up to 60 s, ±25 %) came
// back 8.6 s after a 60 s outage and 14.7 s after 20 s of a degraded gateway. After 40 s its next
// try was 6.5–40 s away (tries near 1, 3, 7, 15, 31, 63 s, each ±25 %); the new cap (3 s ± 25 %)
// needs at most 3.75 s. The tests also watch the wait the status line announces during the outage.
import { afterAll, describe, expect, it } from 'vitest';
import { clientFor, closeAll, gateway, sleep, until, waitForStatus } from '../helpers/plexus';
import type { Plexus } from '../../src/main/plexus';
import type { TestGateway } from '../support/gateway';

// The cases wait tens of seconds each on gateways of their own: they run side by side (so the
// suite does not grow by minutes), and everything is closed once at the end.
afterAll(async () => {
  await closeAll();
});

/** The client's own defaults: clientFor() shortens backoffs, these tests must not. */
const DEFAULT_BACKOFF = { reconnect: {}, httpRetry: {} };

/**
 * A point a second while the gateway is away, watching the announced retry wait; resolves with how
 * many points were sent and the longest wait announced.
 */
async function recordFor(c: Plexus, ms: number): Promise<{ sent: number; longestWaitMs: number }> {
  let i = 0;
  let longestWaitMs = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    c.send('during', i++);
    for (let k = 0; k < 10; k++) {
      longestWaitMs = Math.max(longestWaitMs, c.status().retryInMs ?? 0);
      await sleep(100);
    }
  }
  return { sent: i, longestWaitMs };
}

/** ms from now until the gateway holds a point recorded during the outage. */
async function msUntilFlowing(gw: TestGateway): Promise<number> {
  const t0 = performance.now();
  await until(() => gw.points.some((p) => p.metric === 'during'), 30_000, 'points recorded during the outage');
  return performance.now() - t0;
}

describe.concurrent('recovery after the gateway was away', () => {
  it('a 40 s outage: data flows within seconds of the return', async () => {
    const gw = await gateway();
    const c = clientFor(gw, DEFAULT_BACKOFF);
    await waitForStatus(c, 'connected');
    await gw.down();
    const { sent, longestWaitMs } = await recordFor(c, 40_000);
    expect(c.status().status).toBe('offline');
    expect(longestWaitMs).toBeLessThanOrEqual(3_750); // it grew to 32 s, then 60 s
    expect(c.status().message).toMatch(/retrying in [1-4] s$/);
    await gw.up();
    const ms = await msUntilFlowing(gw);
    console.log(`after a 40 s outage, points flowed ${Math.round(ms)} ms after the gateway returned`);
    expect(ms).toBeLessThan(7_000);
    expect((await c.flush({ timeoutMs: 10_000 })).delivered).toBe(true);
    expect(new Set(gw.points.filter((p) => p.metric === 'during').map((p) => p.value)).size).toBe(sent);
  }, 90_000);

  it('40 s of a degraded gateway (1013, then 503 on upgrade and /ingest): data flows within seconds of the end', async () => {
    const gw = await gateway();
    const c = clientFor(gw, DEFAULT_BACKOFF);
    await waitForStatus(c, 'connected');
    gw.setRedisDown(true);
    const recording = recordFor(c, 40_000);
    await until(() => gw.messages.some((m) => m.outcome === 'redis_unavailable'), 5000, 'REDIS_UNAVAILABLE');
    const { sent, longestWaitMs } = await recording;
    expect(gw.points.filter((p) => p.metric === 'during')).toHaveLength(0);
    expect(longestWaitMs).toBeLessThanOrEqual(3_750);
    gw.setRedisDown(false);
    const ms = await msUntilFlowing(gw);
    console.log(`after 40 s degraded, points flowed ${Math.round(ms)} ms after the gateway recovered`);
    expect(ms).toBeLessThan(7_000);
    expect((await c.flush({ timeoutMs: 10_000 })).delivered).toBe(true);
    expect(new Set(gw.points.filter((p) => p.metric === 'during').map((p) => p.value)).size).toBe(sent);
  }, 90_000);
});
