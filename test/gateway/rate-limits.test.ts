// The test gateway (test/support/gateway.ts) against raw clients; every client test trusts this fake,
// so each rule is checked in a way that would fail were it lenient.
// Rate limits: the telemetry and control token buckets, the per-source minimum interval.

import { describe, it, expect, afterEach } from 'vitest';
import { encodeVideoFrame } from '../support/gateway';
import { closeAll, gateway, sleep, device, telemetry, pt, post } from './harness';

afterEach(closeAll);

describe('rate limits', () => {
  it('telemetry token bucket: RATE_LIMITED when empty, refills over time, video shares it silently', async () => {
    const gw = await gateway({ telemetryBucket: { capacity: 3, perSec: 2 } });
    const d = await device(gw);
    for (let i = 0; i < 5; i++) {
      d.send(telemetry([pt('m', i)]));
      await d.sync();
      await sleep(2); // a loopback ping round trip can take < 0.5 ms: space frames explicitly
    }
    expect(gw.points.map((p) => p.value)).toEqual([0, 1, 2]);
    expect(d.frames).toEqual([
      { type: 'error', code: 'RATE_LIMITED' },
      { type: 'error', code: 'RATE_LIMITED' },
    ]);

    // Validation comes before the bucket: an invalid frame is INVALID_MESSAGE even when empty.
    d.send(telemetry([pt('m', null)]));
    expect((await d.next(), await d.next(), await d.next())['code']).toBe('INVALID_MESSAGE');

    // A binary video frame on an empty bucket is dropped without any reply.
    d.send(
      encodeVideoFrame({
        sourceId: 'rig-01',
        cameraId: 'c',
        width: 1,
        height: 1,
        timestamp: 1,
        jpeg: Buffer.from([1]),
      }),
    );
    await d.sync();
    expect(gw.videoFrames).toEqual([]);
    expect(gw.messages.at(-1)?.outcome).toBe('rate_limited');
    expect(d.frames).toHaveLength(3);

    await sleep(600); // 2 tokens/s -> at least one token back
    d.send(telemetry([pt('m', 9)]));
    await d.sync();
    expect(gw.points.map((p) => p.value)).toEqual([0, 1, 2, 9]);
  });

  it('control token bucket is separate: heartbeats beyond it are RATE_LIMITED', async () => {
    const gw = await gateway({
      controlBucket: { capacity: 2, perSec: 1 },
      telemetryBucket: { capacity: 1, perSec: 1 },
    });
    const d = await device(gw);
    for (let i = 0; i < 3; i++) d.send({ type: 'heartbeat', uptime_s: i });
    d.send(telemetry([pt('m', 1)]));
    await d.sync();
    expect(gw.heartbeats.map((h) => h.uptime_s)).toEqual([0, 1]);
    expect(d.frames).toEqual([{ type: 'error', code: 'RATE_LIMITED' }]);
    expect(gw.points).toHaveLength(1);
  });

  it('drops a telemetry frame silently when it comes < 0.5 ms after the previous one of the source', async () => {
    const gw = await gateway();
    const d = await device(gw);
    d.send(telemetry([pt('m', 1)]));
    d.send(telemetry([pt('m', 2)])); // same tick: processed microseconds after the first
    await d.sync();
    expect(gw.points.map((p) => p.value)).toEqual([1]);
    expect(gw.messages.map((m) => m.outcome)).toEqual(['accepted', 'source_limited']);
    expect(d.frames).toEqual([]); // silent
    await sleep(2);
    d.send(telemetry([pt('m', 3)]));
    await d.sync();
    expect(gw.points.map((p) => p.value)).toEqual([1, 3]);
  });

  it('keys the per-source interval by org:source across connections and HTTP, forgets it on disconnect', async () => {
    const gw = await gateway({ sourceMinIntervalMs: 300 });
    const a = await device(gw, 'a');
    const b = await device(gw, 'b');
    a.send(telemetry([pt('m', 1)]));
    b.send(telemetry([pt('m', 2)]));
    await Promise.all([a.sync(), b.sync()]);
    expect(gw.points).toHaveLength(2); // different sources do not interfere

    // HTTP for source a right after its WS frame: that group is dropped, count says so.
    const r = await post(gw, { points: [pt('m', 3, { source_id: 'a' }), pt('m', 4, { source_id: 'c' })] });
    expect(r).toMatchObject({ status: 200, json: { success: true, count: 1 } });
    expect(gw.points.map((p) => p.sourceId)).toEqual(['a', 'b', 'c']);

    // Closing the registered connection forgets its entry (hub.UnregisterDevice).
    a.ws.close();
    await a.closed;
    await gw.waitFor(() => !gw.connectedSources().includes('a'), 2000, 'a unregistered');
    const a2 = await device(gw, 'a');
    a2.send(telemetry([pt('m', 5)]));
    await a2.sync();
    expect(gw.points.map((p) => p.value)).toContain(5);
  });
});
