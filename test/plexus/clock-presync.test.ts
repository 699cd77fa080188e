// Points recorded before the first clock sync of a session were stamped on this machine's clock.
// When the sync comes they are still in the buffer: they are put on gateway time too (the ones
// the client stamped itself; a timestamp the caller gave is kept as given).
import { afterEach, describe, expect, it } from 'vitest';
import { clientFor, closeAll, gateway, sleep, waitForStatus } from '../helpers/plexus';
import type { Plexus } from '../../src/main/plexus';
import type { TestGateway } from '../support/gateway';

afterEach(closeAll);

const SKEW = 3_600_000; // the gateway's clock is 1 h ahead of this machine's

/** Send a few points before the sync, noting the gateway's time around each send. */
async function sendEarly(gw: TestGateway, c: Plexus, n: number): Promise<Array<[number, number]>> {
  const windows: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) {
    const before = gw.now();
    c.send('early', k);
    windows.push([before, gw.now()]);
    await sleep(2);
  }
  return windows;
}

function checkOnGatewayTime(gw: TestGateway, c: Plexus, windows: Array<[number, number]>): void {
  const u = c.clock().uncertaintyMs! + 2;
  const early = gw.points.filter((p) => p.metric === 'early');
  expect(early.map((p) => p.value)).toEqual(windows.map((_, k) => k));
  early.forEach((p, k) => {
    expect(p.timestamp!).toBeGreaterThanOrEqual(windows[k]![0] - u);
    expect(p.timestamp!).toBeLessThanOrEqual(windows[k]![1] + u);
  });
}

describe('points recorded before the first clock sync', () => {
  it('already written to the buffer are moved onto gateway time, explicit timestamps and runs included', async () => {
    const gw = await gateway();
    gw.setClockSkew(SKEW);
    gw.setLatency(200); // the sync takes a moment: points are recorded before it
    const c = clientFor(gw);
    const runStart = [gw.now(), 0];
    const run = c.startRun('warm-up');
    runStart[1] = gw.now();
    const windows = await sendEarly(gw, c, 20);
    const given = Date.now() - 5000; // a caller's own timestamp, on whatever clock it trusts
    c.send('explicit', 1, { timestamp: given });
    const beforeBatch = gw.now();
    c.sendBatch([
      { metric: 'batch-own', value: 1 },
      { metric: 'batch-given', value: 2, timestamp: given + 1 },
    ]);
    const afterBatch = gw.now();
    // Only the point's own timestamp moves: not one inside an event's value, nor a tag so named.
    c.event('nested', { timestamp: 5, note: ',"timestamp":6' }, { tags: { timestamp: 'as-is' } });
    await c.persisted();
    expect(c.clock().source).toBe('local'); // all of the above was recorded before the sync
    await waitForStatus(c, 'connected', 10_000);
    c.endRun();
    expect((await c.flush()).delivered).toBe(true);
    checkOnGatewayTime(gw, c, windows);
    const u = c.clock().uncertaintyMs! + 2;
    const ts = (m: string): number => gw.points.find((p) => p.metric === m)!.timestamp!;
    expect(ts('explicit')).toBe(given);
    expect(ts('batch-given')).toBe(given + 1);
    expect(ts('batch-own')).toBeGreaterThanOrEqual(beforeBatch - u);
    expect(ts('batch-own')).toBeLessThanOrEqual(afterBatch + u);
    const nested = gw.points.find((p) => p.metric === 'nested')!;
    expect(nested.value).toEqual({ timestamp: 5, note: ',"timestamp":6' });
    expect(nested.tags).toMatchObject({ timestamp: 'as-is' });
    expect(Math.abs(nested.timestamp! - afterBatch)).toBeLessThan(u + 100);
    // The run began before the sync: its start event and its record moved with the points.
    for (const t of [ts('run.start'), c.runs().find((r) => r.id === run.id)!.startedAt]) {
      expect(t).toBeGreaterThanOrEqual(runStart[0]! - u);
      expect(t).toBeLessThanOrEqual(runStart[1] + u);
    }
  });

  it('still waiting in memory for the group commit are moved onto gateway time too', async () => {
    const gw = await gateway();
    gw.setClockSkew(SKEW);
    gw.setLatency(200);
    // A long commit interval keeps the early points in memory until the sync.
    const c = clientFor(gw, { buffer: { commitIntervalMs: 60_000 } });
    const windows = await sendEarly(gw, c, 20);
    expect(c.stats().stored).toBe(0);
    expect(c.clock().source).toBe('local');
    await waitForStatus(c, 'connected', 10_000);
    expect((await c.flush()).delivered).toBe(true);
    checkOnGatewayTime(gw, c, windows);
  });
});
