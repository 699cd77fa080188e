// The test gateway (test/support/gateway.ts) against raw clients; every client test trusts this fake,
// so each rule is checked in a way that would fail were it lenient.
// Ordering and added latency: pings answered after earlier messages, server_time_ms, keep-alives.

import { describe, it, expect, afterEach } from 'vitest';
import { closeAll, gateway, sleep, open, auth, device, telemetry, pt, post } from './harness';

afterEach(closeAll);

describe('ordering and latency', () => {
  it('answers a ping only after every message before it was processed, latency included', async () => {
    const gw = await gateway();
    const d = await device(gw);
    gw.setLatency(80);
    d.send(telemetry(Array.from({ length: 500 }, (_, i) => pt('m', i))));
    const seen = await new Promise<number>((resolve) => {
      d.ws.once('pong', () => resolve(gw.points.length)); // read synchronously on the pong
      d.ws.ping();
    });
    expect(seen).toBe(500);
    const rtt = await d.sync();
    expect(rtt).toBeGreaterThanOrEqual(155);
  });

  it('adds the latency to auth, replies and HTTP, and stamps server_time_ms mid-way', async () => {
    const gw = await gateway();
    gw.setLatency(100);
    gw.setClockSkew(10_000);
    const d = await open(gw.wsUrl);
    const tSend = Date.now();
    d.send(auth());
    const f = await d.next();
    const tRecv = Date.now();
    expect(tRecv - tSend).toBeGreaterThanOrEqual(195);
    // The client's round-trip compensation lands on the skew within a few ms.
    expect(Math.abs(f['server_time_ms'] - (tSend + tRecv) / 2 - 10_000)).toBeLessThan(40);
    const r = await post(gw, { source_id: 'rig-01', points: [pt('m', 1)] });
    expect(r.status).toBe(200);
    expect(r.ms).toBeGreaterThanOrEqual(195);
    d.send('oops');
    const t0 = performance.now();
    await d.next();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195);
  });

  it('still processes messages that arrived before the device closed', async () => {
    const gw = await gateway();
    const d = await device(gw);
    gw.setLatency(100);
    d.send(telemetry([pt('m', 1)]));
    d.ws.close(1000);
    await d.closed;
    await gw.waitFor(() => gw.points.length === 1, 2000, 'the in-flight point');
    await gw.waitFor(() => gw.connectedSources().length === 0, 2000, 'unregister');
    expect(gw.connections[0]?.closeCode).toBe(1000);
  });

  it('pings the device every pingIntervalMs and counts its pongs', async () => {
    const gw = await gateway({ pingIntervalMs: 100 });
    const d = await device(gw);
    let pings = 0;
    d.ws.on('ping', () => pings++);
    await sleep(360);
    expect(pings).toBeGreaterThanOrEqual(2);
    await gw.waitFor(() => (gw.connections[0]?.pongsReceived ?? 0) >= 2, 1000, 'pongs');
  });
});
