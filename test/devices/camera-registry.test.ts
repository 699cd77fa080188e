// Camera ownership with real FFmpeg processes: a registry's stopAll() stops its own cameras and
// leaves another registry's FFmpeg running (checked by pid), and a camera that stops by itself
// leaves its registry.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CameraRegistry, streamCamera, type CameraHandle } from '../../src/main/devices/camera';
import type { TelemetrySink } from '../../src/main/devices/types';
import { makeTestVideo, pidExists, pidRunning } from '../fixtures/camera-helpers';
import { until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

let video: string;
let shortVideo: string;
const registries: CameraRegistry[] = [];

const nullSink: TelemetrySink = {
  now: () => Date.now(),
  send: () => 0,
  sendBatch: () => 0,
  sendVideoFrame: () => Promise.resolve({ sent: true }),
};

beforeAll(async () => {
  const dir = tempDir('camera-registry-');
  [video, shortVideo] = await Promise.all([
    makeTestVideo(path.join(dir, 'test.mp4'), { width: 320, height: 240, seconds: 2 }),
    makeTestVideo(path.join(dir, 'short.mp4'), { width: 160, height: 120, seconds: 1 }),
  ]);
});

afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.stopAll()));
});

afterAll(() => cleanupTempDirs());

function registry(): CameraRegistry {
  const r = new CameraRegistry();
  registries.push(r);
  return r;
}

/** Resolves with the camera's FFmpeg pid once frames flow (generous: the machine may be busy). */
async function streamingPid(cam: CameraHandle): Promise<number> {
  await until(() => cam.status.state === 'streaming' && cam.stats().framesReceived > 0, 30_000, 'frames');
  return cam.pid!;
}

describe('CameraRegistry', () => {
  it("stopAll() stops its own cameras' FFmpeg only; the other registry's keep streaming", async () => {
    const mine = registry();
    const theirs = registry();
    const a1 = streamCamera(nullSink, video, 'a1', { fps: 5, registry: mine });
    const a2 = streamCamera(nullSink, video, 'a2', { fps: 5, registry: mine });
    const b = streamCamera(nullSink, video, 'b', { fps: 5, registry: theirs });
    const [pa1, pa2, pb] = await Promise.all([streamingPid(a1), streamingPid(a2), streamingPid(b)]);
    expect(mine.size).toBe(2);
    expect(mine.ffmpegPids().sort()).toEqual([pa1, pa2].sort());
    expect(theirs.ffmpegPids()).toEqual([pb]);

    await mine.stopAll();
    expect(pidExists(pa1)).toBe(false);
    expect(pidExists(pa2)).toBe(false);
    expect(mine.ffmpegPids()).toEqual([]);
    expect(mine.size).toBe(0);
    expect([a1.status.state, a2.status.state]).toEqual(['stopped', 'stopped']);

    // The other registry's FFmpeg is the same process, still running and still delivering frames.
    expect(pidRunning(pb)).toBe(true);
    expect(b.pid).toBe(pb);
    expect(theirs.ffmpegPids()).toEqual([pb]);
    expect(b.status.state).toBe('streaming');
    const seen = b.stats().framesReceived;
    await until(() => b.stats().framesReceived >= seen + 3, 30_000, 'more frames from the other registry');
    expect(b.pid).toBe(pb);

    await theirs.stopAll();
    expect(pidExists(pb)).toBe(false);
    expect(theirs.size).toBe(0);
  });

  it('a camera that ends by itself or is stopped on its own leaves its registry', async () => {
    const r = registry();
    const once = streamCamera(nullSink, shortVideo, 'once', { fps: 5, loop: false, registry: r });
    const kept = streamCamera(nullSink, video, 'kept', { fps: 5, registry: r });
    const pidOnce = await streamingPid(once);
    await until(() => once.status.state === 'stopped', 30_000, 'the end of the short file');
    expect(pidExists(pidOnce)).toBe(false);
    expect(r.size).toBe(1);
    const pidKept = await streamingPid(kept);
    expect(r.ffmpegPids()).toEqual([pidKept]);
    await kept.stop();
    expect(r.size).toBe(0);
    expect(r.ffmpegPids()).toEqual([]);
    await r.stopAll(); // nothing left: resolves at once
  });
});
