// The test gateway (test/support/gateway.ts) against raw clients; every client test trusts this fake,
// so each rule is checked in a way that would fail were it lenient.
// The bench modes: 'count' recording, and the gateway run in a child process.

import { describe, it, expect, afterEach } from 'vitest';
import { GatewayProcess } from '../support/gateway-process';
import { closeAll, gateway, device, telemetry, pt, track } from './harness';

afterEach(closeAll);

describe('bench support', () => {
  it("'count' mode keeps counters, sampled points and a compact receipt log", async () => {
    let hooked = 0;
    const gw = await gateway({ record: 'count', sampleMetrics: ['lat'], onPoint: () => hooked++ });
    const d = await device(gw);
    const now = Date.now();
    d.send(
      telemetry([
        ...Array.from({ length: 1000 }, (_, i) => pt('x', i)),
        pt('lat', 1, { timestamp: now }),
        pt('lat', 2, { timestamp: now + 1 }),
      ]),
    );
    await d.sync();
    expect(gw.counters).toMatchObject({ acceptedPoints: 1002, acceptedMessages: 1 });
    expect(gw.points.map((p) => p.metric)).toEqual(['lat', 'lat']);
    expect(gw.points[0]?.receivedAt).toBeGreaterThanOrEqual(now - 5);
    expect(gw.messages).toEqual([]);
    expect(hooked).toBe(1002);
    const log = gw.receipts;
    expect(log?.length).toBe(1002);
    expect(log?.get(1001)).toMatchObject({ metric: 'lat', timestamp: now + 1, value: 2 });
    const batch = log?.slice(995);
    expect(batch?.values.length).toBe(7);
    expect(batch && [...batch.values]).toEqual([995, 996, 997, 998, 999, 1, 2]);
  });

  it('GatewayProcess runs the gateway in a child process controlled over IPC', async () => {
    const gp = await GatewayProcess.start({ record: 'count', sampleMetrics: ['lat'] });
    track({ close: () => gp.stop() });
    const d = await device(gp);
    d.send(telemetry([...Array.from({ length: 99 }, (_, i) => pt('x', i)), pt('lat', 7, { timestamp: Date.now() })]));
    await d.sync();
    const s = await gp.stats();
    expect(s.counters.acceptedPoints).toBe(100);
    expect(s.connectedSources).toEqual(['rig-01']);
    expect((await gp.pointsSince(0)).map((p) => p.value)).toEqual([7]);
    const batch = await gp.receiptsSince(90);
    expect(batch.values).toBeInstanceOf(Float64Array);
    expect([...batch.values]).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 7]);

    const id = await gp.sendCommand('rig-01', { command: 'start_stream' });
    expect((await d.next())['id']).toBe(id);
    await gp.setRedisDown(true);
    expect((await fetch(`${gp.url}/health`)).status).toBe(503);
    await gp.setRedisDown(false);
    await gp.down();
    expect((await d.closed).code).toBe(1006);
    await gp.up();
    await gp.setClockSkew(60_000);
    const again = await device(gp);
    expect(again.authenticated['server_time_ms'] - Date.now()).toBeGreaterThan(59_000);
    await gp.stop();
    await expect(gp.stats()).rejects.toThrow(/exited/);
  });
});
