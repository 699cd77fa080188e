// Two hosts in one process, each with a camera (real FFmpeg): shutting one down stops its own
// FFmpeg and leaves the other host's running, checked by pid. And webcam frames sent to a host
// faster than it sends them: the newest wins, none is refused as busy.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/main/host';
import { ffmpegChildren, makeTestVideo, pidExists, pidRunning } from '../fixtures/camera-helpers';
import { call, startHost, stopHost, stopHosts } from '../helpers/host';
import { until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { TestGateway } from '../support/gateway';

let videoA: string;
let videoB: string;
let gw: TestGateway | undefined;

beforeAll(async () => {
  const dir = tempDir('host-cameras-');
  // One file per host, so each FFmpeg can be told apart by its command line.
  [videoA, videoB] = await Promise.all([
    makeTestVideo(path.join(dir, 'host-a.mp4'), { width: 160, height: 120, seconds: 2 }),
    makeTestVideo(path.join(dir, 'host-b.mp4'), { width: 160, height: 120, seconds: 2 }),
  ]);
});

afterEach(async () => {
  await stopHosts();
  await gw?.close();
  gw = undefined;
});

afterAll(() => cleanupTempDirs());

/** This process's FFmpeg children reading `file`. */
function ffmpegReading(file: string): number[] {
  return ffmpegChildren().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(file);
    } catch {
      return false; // ended while we looked
    }
  });
}

async function startCamera(h: Host, cameraId: string, url: string): Promise<number> {
  await call(h, 'demo.set', { enabled: false });
  const { id } = await call(h, 'camera.add', { config: { cameraId, url, fps: 5 } });
  await call(h, 'camera.start', { id });
  // Generous: the machine may be busy with other tests.
  await until(() => h.state().cameras[0]?.state === 'streaming', 30_000, `${cameraId} streaming`);
  const pids = ffmpegReading(url);
  expect(pids).toHaveLength(1);
  return pids[0]!;
}

describe('hosts and their cameras', () => {
  it("shutting one host down stops its FFmpeg only; the other host's camera keeps running", async () => {
    const a = await startHost();
    const b = await startHost();
    const pidA = await startCamera(a, 'cam-a', videoA);
    const pidB = await startCamera(b, 'cam-b', videoB);
    expect(pidA).not.toBe(pidB);

    await stopHost(a);
    expect(pidExists(pidA)).toBe(false);
    expect(ffmpegReading(videoA)).toEqual([]);

    // Host B's FFmpeg is the same process, running, and its camera still streams.
    expect(pidRunning(pidB)).toBe(true);
    expect(ffmpegReading(videoB)).toEqual([pidB]);
    expect(b.state().cameras[0]).toMatchObject({ state: 'streaming', enabled: true });

    await stopHost(b);
    expect(pidExists(pidB)).toBe(false);
  });
});

describe('webcam frames', () => {
  it('sent faster than the host sends them: one at a time, the newest wins, none refused as busy', async () => {
    const h = await startHost();
    gw = await TestGateway.start();
    await call(h, 'settings.setGateway', { gateway: { mode: 'custom', url: gw.url, wsUrl: gw.wsUrl } });
    await call(h, 'settings.setDeviceName', { name: 'rig-08' });
    await call(h, 'settings.setApiKey', { apiKey: 'plx_test_key_123' });
    await until(() => h.state().status.status === 'connected', 15_000, 'connected');
    await call(h, 'webcam.state', { cameraId: 'webcam', streaming: true });
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#0f0' } })
      .jpeg()
      .toBuffer();
    for (let burst = 0; burst < 5; burst++) {
      const replies = await Promise.all(
        Array.from({ length: 6 }, () => call(h, 'webcam.frame', { cameraId: 'webcam', jpeg: new Uint8Array(jpeg) })),
      );
      for (const r of replies) expect([true, 'superseded by a newer frame']).toContain(r.sent || r.reason);
      expect(replies.at(-1)).toEqual({ sent: true }); // the newest is never the one dropped
    }
    const w = h.state().webcams[0]!;
    expect(w.framesSent + w.framesDropped).toBe(30);
    await until(() => gw!.videoFrames.length === w.framesSent, 5000, 'every sent frame at the gateway');
  });
});
