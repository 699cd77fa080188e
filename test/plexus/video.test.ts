// Video frames: JPEG passes through untouched, other images and raw pixels are encoded with
// sharp, oversized frames are re-encoded, and frames that cannot go out at once are dropped.
import { afterEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { TestGateway } from '../support/gateway';
import { clientFor, closeClients, until, waitForStatus } from '../helpers/plexus';
import { cleanupTempDirs } from '../helpers/tmp';
import { ValidationError, type DroppedInfo } from '../../src/main/plexus';
import { jpegSize } from '../../src/main/plexus/jpeg';

let gw: TestGateway;
afterEach(async () => {
  await closeClients();
  await gw?.close();
  cleanupTempDirs();
});

const gradient = (w: number, h: number): Buffer => {
  const b = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    b[i * 3] = i % 256;
    b[i * 3 + 1] = (i >> 8) % 256;
    b[i * 3 + 2] = 128;
  }
  return b;
};
const image = (w: number, h: number) => sharp(gradient(w, h), { raw: { width: w, height: h, channels: 3 } });

function bmp24(w: number, h: number): Buffer {
  const stride = Math.ceil((w * 3) / 4) * 4;
  const b = Buffer.alloc(54 + stride * h);
  b.write('BM', 0);
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) b[54 + y * stride + x * 3 + 2] = 255; // red
  return b;
}

describe('video frames', () => {
  it('passes JPEG bytes through untouched, with width and height read from the header', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    const jpeg = await image(320, 240).jpeg({ quality: 80 }).toBuffer();
    const r = await c.sendVideoFrame(jpeg, 'front', { timestamp: 1767225600123 });
    expect(r).toEqual({ sent: true, width: 320, height: 240, bytes: jpeg.length });
    await until(() => gw.videoFrames.length === 1, 3000, 'a video frame');
    const f = gw.videoFrames[0]!;
    expect(f).toMatchObject({
      sourceId: 'rig-01',
      cameraId: 'front',
      width: 320,
      height: 240,
      timestamp: 1767225600123,
      binary: true,
    });
    expect(Buffer.compare(f.jpeg!, jpeg)).toBe(0);
  });

  it('encodes PNG, WebP, BMP and raw pixels to JPEG', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    const inputs: Array<[string, Buffer, object]> = [
      ['png', await image(64, 48).png().toBuffer(), {}],
      ['webp', await image(80, 60).webp().toBuffer(), {}],
      ['bmp', bmp24(33, 17), {}],
      ['raw', gradient(40, 30), { raw: { width: 40, height: 30, channels: 3 } }],
    ];
    for (const [cam, data, opts] of inputs) expect((await c.sendVideoFrame(data, cam, opts)).sent).toBe(true);
    await until(() => gw.videoFrames.length === 4, 3000, '4 frames');
    const dims = Object.fromEntries(gw.videoFrames.map((f) => [f.cameraId, [f.width, f.height]]));
    expect(dims).toEqual({ png: [64, 48], webp: [80, 60], bmp: [33, 17], raw: [40, 30] });
    for (const f of gw.videoFrames) {
      expect(jpegSize(f.jpeg!)).toEqual({ width: f.width, height: f.height });
      const meta = await sharp(f.jpeg).metadata();
      expect(meta.format).toBe('jpeg');
    }
    // BMP is bottom-up BGR: the decoded picture must be red, not blue.
    const px = await sharp(gw.videoFrames.find((f) => f.cameraId === 'bmp')!.jpeg)
      .raw()
      .toBuffer();
    expect(px[0]!).toBeGreaterThan(200);
    expect(px[2]!).toBeLessThan(60);
  });

  it('re-encodes a JPEG over 750 kB smaller, keeping it under the 1 MiB message limit', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    const noise = Buffer.alloc(1600 * 1200 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const big = await sharp(noise, { raw: { width: 1600, height: 1200, channels: 3 } })
      .jpeg({ quality: 100 })
      .toBuffer();
    expect(big.length).toBeGreaterThan(750_000);
    const r = await c.sendVideoFrame(big, 'hires');
    expect(r.sent).toBe(true);
    expect(r.bytes!).toBeLessThanOrEqual(750_000);
    await until(() => gw.videoFrames.length === 1, 5000, 'the frame');
    expect(gw.videoFrames[0]!.jpegBytes).toBe(r.bytes);
    expect(gw.videoFrames[0]!.width).toBeGreaterThan(0);
  });

  it('drops and counts frames when not connected (video is live only)', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw, { apiKey: null });
    const drops: DroppedInfo[] = [];
    c.on('dropped', (d) => drops.push(d));
    const jpeg = await image(16, 16).jpeg().toBuffer();
    expect(await c.sendVideoFrame(jpeg, 'cam')).toEqual({ sent: false, reason: 'not-connected' });
    expect(await c.sendVideoFrame(jpeg, 'cam')).toEqual({ sent: false, reason: 'not-connected' });
    expect(drops.map((d) => [d.reason, d.cameraId, d.total])).toEqual([
      ['video-not-connected', 'cam', 1],
      ['video-not-connected', 'cam', 2],
    ]);
    expect(c.stats().video).toEqual({ sent: 0, dropped: 2, cameras: { cam: { sent: 0, dropped: 2 } } });
  });

  it('never queues: frames offered faster than they can go are dropped, not buffered', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    const frame = await image(1024, 700).jpeg({ quality: 95 }).toBuffer();
    const results = await Promise.all(Array.from({ length: 40 }, () => c.sendVideoFrame(frame, 'burst')));
    const sent = results.filter((r) => r.sent).length;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(40);
    expect(results.filter((r) => !r.sent).every((r) => r.reason === 'busy' || r.reason === 'backpressure')).toBe(true);
    expect(c.stats().video.dropped).toBe(40 - sent);
    await until(() => gw.videoFrames.length === sent, 3000, 'the sent frames');
  });

  it('refuses invalid frames and camera ids with a ValidationError', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    await expect(c.sendVideoFrame(Buffer.alloc(0), 'cam')).rejects.toThrow(ValidationError);
    await expect(c.sendVideoFrame(Buffer.from('definitely not an image'), 'cam')).rejects.toThrow(/not an image/);
    await expect(c.sendVideoFrame(Buffer.from([0xff, 0xd8, 0xff, 0xd9]), 'cam')).rejects.toThrow(/no readable size/);
    await expect(
      c.sendVideoFrame(gradient(4, 4), 'cam', { raw: { width: 5, height: 4, channels: 3 } }),
    ).rejects.toThrow(/does not match/);
    const ok = await image(8, 8).jpeg().toBuffer();
    await expect(c.sendVideoFrame(ok, '')).rejects.toThrow(/camera id/);
    await expect(c.sendVideoFrame(ok, 'x'.repeat(256))).rejects.toThrow(/camera id/);
    expect(gw.videoFrames).toHaveLength(0);
    expect((await c.sendVideoFrame(ok, 'cam')).sent).toBe(true); // and the client is fine afterwards
  });

  it('announces cameras it has used in the next device_auth', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw, { cameras: [{ camera_id: 'declared' }] });
    await waitForStatus(c, 'connected');
    expect(gw.auths[0]!.msg.cameras).toEqual([{ camera_id: 'declared', video_type: 'normal' }]);
    await c.sendVideoFrame(await image(8, 8).jpeg().toBuffer(), 'used');
    gw.evict('rig-01');
    await until(() => gw.auths.length === 2, 5000, 'reconnect');
    expect(gw.auths[1]!.msg.cameras).toEqual([
      { camera_id: 'declared', video_type: 'normal' },
      { camera_id: 'used', video_type: 'normal' },
    ]);
  });
});
