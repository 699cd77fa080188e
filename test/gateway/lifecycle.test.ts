// The test gateway (test/support/gateway.ts) against raw clients; every client test trusts this fake,
// so each rule is checked in a way that would fail were it lenient.
// Outages (Redis down, gateway down/up), typed commands, and binary video frames.

import { describe, it, expect, afterEach } from 'vitest';
import { encodeVideoFrame } from '../support/gateway';
import { closeAll, gateway, sleep, open, device, telemetry, pt, post, type Frame } from './harness';

afterEach(closeAll);

describe('Redis unavailable', () => {
  it('refuses upgrades and HTTP with 503, closes a sending device with REDIS_UNAVAILABLE + 1013', async () => {
    const gw = await gateway();
    const d = await device(gw);
    gw.setRedisDown(true);

    d.send({ type: 'heartbeat', uptime_s: 1 }); // only logged by the gateway
    d.send(telemetry([])); // nothing to queue: no error
    await d.sync();
    expect(d.frames).toEqual([]);
    expect(gw.heartbeats).toEqual([]);

    await sleep(2);
    d.send(telemetry([pt('m', 1)]));
    const err = await d.next();
    expect(err).toMatchObject({ type: 'error', code: 'REDIS_UNAVAILABLE' });
    expect(typeof err['detail']).toBe('string');
    expect((await d.closed).code).toBe(1013);
    expect(gw.points).toEqual([]);

    await expect(open(gw.wsUrl)).rejects.toThrow('HTTP 503');
    expect((await post(gw, { source_id: 'rig-01', points: [pt('m', 1)] })).status).toBe(503);
    const health = await fetch(`${gw.url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as Frame)['status']).toBe('degraded');

    gw.setRedisDown(false);
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    await device(gw);
  });
});

describe('gateway lifecycle and commands', () => {
  it('down() cuts everything and refuses connections; up() listens on the same port', async () => {
    const gw = await gateway();
    const port = gw.port;
    const d = await device(gw);
    await gw.down();
    expect((await d.closed).code).toBe(1006);
    await expect(fetch(`${gw.url}/health`)).rejects.toThrow();
    await expect(open(gw.wsUrl)).rejects.toThrow();
    expect(gw.connectedSources()).toEqual([]);
    await gw.up();
    expect(gw.port).toBe(port);
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    const again = await device(gw);
    again.send(telemetry([pt('m', 1)]));
    await again.sync();
    expect(gw.points).toHaveLength(1);
  });

  it('relays typed commands and records command results', async () => {
    const gw = await gateway();
    const d = await device(gw);
    const seen: unknown[] = [];
    const off = gw.on('command_result', (x) => seen.push(x));
    const id = gw.sendCommand('rig-01', { command: 'start_camera', params: { camera_id: 'front', frame_rate: 15 } });
    const cmd = await d.next();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(cmd).toEqual({
      type: 'typed_command',
      id,
      command: 'start_camera',
      params: { camera_id: 'front', frame_rate: 15 },
    });
    gw.sendCommand('rig-01', { id: 'fixed-id', command: 'stop_camera' });
    expect(await d.next()).toEqual({ type: 'typed_command', id: 'fixed-id', command: 'stop_camera', params: {} });

    d.send({ type: 'command_result', id, command: 'start_camera', event: 'ack' });
    d.send({ type: 'command_result', id, command: 'start_camera', event: 'result', result: { ok: true } });
    await d.sync();
    expect(gw.commandResults.map((c) => c.msg['event'])).toEqual(['ack', 'result']);
    expect(gw.commandResults.every((c) => c.msg['id'] === id && c.sourceId === 'rig-01')).toBe(true);
    expect(seen).toHaveLength(2);
    off();
    gw.sendRaw('rig-01', '{"type":"whatever"}');
    expect(await d.next()).toEqual({ type: 'whatever' });
    expect(() => gw.sendCommand('ghost', { command: 'x' })).toThrow(/not connected/);
  });

  it('parses binary video frames and drops malformed ones silently', async () => {
    const gw = await gateway();
    const d = await device(gw);
    const jpeg = Buffer.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    const frame = encodeVideoFrame({
      sourceId: 'someone-else',
      cameraId: 'front',
      width: 640,
      height: 480,
      timestamp: 1767225600123,
      jpeg,
    });
    d.send(frame);
    d.send(Buffer.from([0x02, 0, 0])); // unknown version
    d.send(frame.subarray(0, 10)); // truncated header
    d.send({ type: 'video_frame', camera_id: 'legacy', frame: jpeg.toString('base64') });
    await d.sync();
    expect(d.frames).toEqual([]);
    expect(gw.videoFrames).toHaveLength(2);
    expect(gw.videoFrames[0]).toMatchObject({
      sourceId: 'rig-01',
      cameraId: 'front',
      width: 640,
      height: 480,
      timestamp: 1767225600123,
      jpegBytes: 7,
      binary: true,
    });
    expect(gw.videoFrames[0]?.jpeg?.equals(jpeg)).toBe(true);
    expect(gw.videoFrames[1]).toMatchObject({ cameraId: 'legacy', binary: false, jpegBytes: 7 });
    expect(gw.messages.map((m) => m.outcome)).toEqual(['video', 'invalid_video', 'invalid_video', 'video']);
  });
});
