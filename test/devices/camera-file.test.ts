// Cameras end to end with real FFmpeg, the real Plexus client and the test gateway, streaming a
// generated video file: fps and frame checks, the side stream, restarts with backoff after FFmpeg is
// killed from outside, playing once, backpressure, and no FFmpeg left after stop().
// Timing: see the note in camera-setup.ts (rates checked against what load cannot change, waits for
// conditions with generous deadlines).
import { describe, expect, it } from 'vitest';
import { streamCamera } from '../../src/main/devices/camera';
import type { TelemetrySink } from '../../src/main/devices/types';
import { ffmpegChildren, pidExists, statusLog } from '../fixtures/camera-helpers';
import { sleep, until } from '../helpers/plexus';
import {
  video,
  shortVideo,
  cameras,
  useCameraSetup,
  connectedClient,
  nth,
  framesOf,
  expectValidFrames,
} from './camera-setup';

useCameraSetup();

describe('camera streaming (real FFmpeg)', () => {
  it('streams a file at the requested fps as valid JPEG frames of the right size', async () => {
    const { gw, c } = await connectedClient();
    const createdAt = performance.now();
    const a = streamCamera(c, video, 'cam-a', { fps: 10, registry: cameras });
    const b = streamCamera(c, video, 'cam-b', { fps: 15, width: 320, registry: cameras }); // height follows: 240
    const logA = statusLog(a);
    const logB = statusLog(b);
    const firstFrameAt = { a: 0, b: 0 };
    a.on('status', (s) => s.state === 'streaming' && (firstFrameAt.a ||= performance.now()));
    b.on('status', (s) => s.state === 'streaming' && (firstFrameAt.b ||= performance.now()));
    const streaming = await nth(logA, 'streaming');
    await nth(logB, 'streaming');
    expect(streaming.ffmpegVersion).toMatch(/^\d+\.\d+/);
    expect(streaming.pid).toBe(a.pid);
    expect(logA[0]).toMatchObject({ state: 'starting', pid: a.pid });

    // Five seconds' worth of frames from each (an idle machine needs about 5 s).
    await until(() => a.stats().framesReceived >= 50 && b.stats().framesReceived >= 75, 40_000, "5 s' worth of frames");
    const now = performance.now();
    for (const [cam, fps, first] of [
      [a, 10, firstFrameAt.a],
      [b, 15, firstFrameAt.b],
    ] as const) {
      const got = cam.stats().framesReceived;
      // -re: FFmpeg reads the file no faster than its own clock (plus a start-up burst), so a
      // camera ignoring its fps (30 from this file) or doubling frames fails however idle the
      // machine; load can only make it slower.
      expect(got).toBeLessThanOrEqual(fps * ((now - createdAt) / 1000 + 1) + 2);
      // Generous for a loaded machine, but a frame lost in every second place is caught.
      expect((got - 1) / ((now - first) / 1000)).toBeGreaterThanOrEqual(0.6 * fps);
    }

    expectValidFrames(framesOf(gw, 'cam-a'), 640, 480);
    expectValidFrames(framesOf(gw, 'cam-b'), 320, 240);
    // Timestamps are capture times on the client's clock: just before the gateway got the frame.
    // (The client's clock is the gateway's Date.now() at auth, run on performance.now(); receivedAt is
    // timeOrigin + performance.now(): the two differ by the error of that clock sync, a few ms on
    // an idle machine and tens of ms when the auth reply was late. The bounds leave room for that
    // and a busy event loop; a wrong clock or unit is off by far more.)
    for (const f of framesOf(gw, 'cam-a')) {
      expect(f.receivedAt - f.timestamp).toBeGreaterThan(-500);
      expect(f.receivedAt - f.timestamp).toBeLessThan(3000);
    }

    await Promise.all([a.stop(), b.stop()]);
    const sa = a.stats();
    // Every frame reported sent reached the gateway (the last ones may still be on the way).
    await until(() => framesOf(gw, 'cam-a').length === sa.framesSent, 5000, 'every sent frame at the gateway');
    expect(sa.framesSent + sa.framesDropped).toBe(sa.framesReceived);
    // A connected client keeps up with 10 fps; only a busy moment may cost the odd frame.
    expect(sa.framesDropped).toBeLessThanOrEqual(sa.framesReceived / 4);
    expect(sa.restarts).toBe(0);

    // The side stream: fps, totals and state changes as points.
    await c.flush({ timeoutMs: 5000 });
    const pointsOf = (m: string): Array<{ value: unknown; timestamp?: number }> =>
      gw.points.filter((p) => p.metric === m);
    const pts = (m: string): unknown[] => pointsOf(m).map((p) => p.value);
    expect(pts('camera.cam-a.fps').length).toBeGreaterThanOrEqual(5);
    const sent = pts('camera.cam-a.frames_sent') as number[];
    expect(sent).toEqual([...sent].sort((x, y) => x - y));
    expect(sent.at(-1)).toBe(sa.framesSent); // stop() reports the final totals
    expect(pts('camera.cam-a.frames_dropped').length).toBe(sent.length);
    // Each fps point is the frames sent since the previous point over the time between them,
    // whatever the load did to either.
    const byTime = (m: string): Array<{ value: number; timestamp: number }> =>
      pointsOf(m)
        .map((p) => ({ value: p.value as number, timestamp: p.timestamp! }))
        .sort((x, y) => x.timestamp - y.timestamp);
    const fpsPoints = byTime('camera.cam-a.fps');
    const sentPoints = byTime('camera.cam-a.frames_sent');
    expect(fpsPoints.map((p) => p.timestamp)).toEqual(sentPoints.map((p) => p.timestamp)); // one batch each
    for (let i = 1; i < fpsPoints.length; i++) {
      const secs = (fpsPoints[i]!.timestamp - fpsPoints[i - 1]!.timestamp) / 1000;
      const delta = sentPoints[i]!.value - sentPoints[i - 1]!.value;
      expect(Math.abs(fpsPoints[i]!.value * secs - delta)).toBeLessThanOrEqual(0.5 + 0.02 * delta);
    }
    expect(fpsPoints.some((p) => p.value > 0)).toBe(true);
    expect(sa.fps).toBe(fpsPoints.at(-1)!.value); // stats() tells the last reported fps
    expect(pts('camera.cam-a.restarts').every((v) => v === 0)).toBe(true);
    expect(pts('camera.cam-a.state')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ state: 'starting' }),
        expect.objectContaining({ state: 'streaming' }),
        expect.objectContaining({ state: 'stopped' }),
      ]),
    );
  });

  it('restarts FFmpeg killed from outside, with backoff that resets once frames flow; stop() leaves no process', async () => {
    const { gw, c } = await connectedClient();
    const cam = streamCamera(c, video, 'cam', {
      fps: 10,
      backoff: { baseMs: 200 },
      // Long enough that a busy machine still kills the second FFmpeg before it counts as stable.
      stableAfterMs: 3000,
      registry: cameras,
    });
    const log = statusLog(cam);
    await nth(log, 'streaming');
    const pid1 = cam.pid!;
    expect(ffmpegChildren()).toEqual([pid1]);
    process.kill(pid1, 'SIGKILL');

    const r1 = await nth(log, 'restarting');
    expect(r1.message).toMatch(/FFmpeg was killed by SIGKILL; restarting in 0\.\d s/);
    expect(r1.pid).toBe(pid1);
    expect(r1.retryInMs).toBeGreaterThanOrEqual(150); // 200 ms ± 25 %
    expect(r1.retryInMs).toBeLessThanOrEqual(250);
    const again = await nth(log, 'streaming', 2);
    const pid2 = cam.pid!;
    expect(again.pid).toBe(pid2);
    expect(pid2).not.toBe(pid1);
    expect(pidExists(pid1)).toBe(false); // reaped, not a zombie
    const resumedAt = c.now();
    await until(() => framesOf(gw, 'cam', resumedAt).length >= 3, 20_000, 'frames after the restart');
    expect(cam.stats()).toMatchObject({ restarts: 1, pid: pid2 });

    // Killed again before frames flowed for stableAfterMs: the backoff doubles…
    process.kill(pid2, 'SIGKILL');
    const r2 = await nth(log, 'restarting', 2);
    expect(r2.retryInMs).toBeGreaterThanOrEqual(300);
    expect(r2.retryInMs).toBeLessThanOrEqual(500);
    await nth(log, 'streaming', 3);
    // …and after 3 s of frames it is back at the base (the reset comes with the first frame
    // after those 3 s: wait for one, however late a busy machine delivers it).
    await sleep(3300);
    const seen = cam.stats().framesReceived;
    await until(() => cam.stats().framesReceived > seen, 20_000, 'a frame after the stable period');
    const pid3 = cam.pid!;
    process.kill(pid3, 'SIGKILL');
    const r3 = await nth(log, 'restarting', 3);
    expect(r3.retryInMs).toBeGreaterThanOrEqual(150);
    expect(r3.retryInMs).toBeLessThanOrEqual(250);
    await nth(log, 'streaming', 4);
    const pidLast = cam.pid!;
    expect(cam.stats().restarts).toBe(3);

    const stopped = cam.stop();
    expect(cam.stop()).toBe(stopped); // idempotent
    await stopped;
    expect(pidExists(pidLast)).toBe(false);
    expect(ffmpegChildren()).toEqual([]);
    expect(cameras.ffmpegPids()).toEqual([]);
    expect(cameras.size).toBe(0);
    expect(cam.pid).toBeNull();
    expect(log.at(-1)).toMatchObject({ state: 'stopped', message: 'stopped', pid: pidLast });
    await cam.stop();
    expect(log.filter((s) => s.state === 'stopped').length).toBe(1);
    const after = gw.videoFrames.length;
    await sleep(300);
    expect(gw.videoFrames.length).toBe(after);
  });

  it('plays a file once with loop: false and then reports stopped', async () => {
    const { gw, c } = await connectedClient();
    const cam = streamCamera(c, shortVideo, 'once', { fps: 10, loop: false, registry: cameras });
    const log = statusLog(cam);
    const pid = (await nth(log, 'streaming')).pid!;
    const end = await nth(log, 'stopped');
    expect(end.message).toBe('end of file');
    expect(pidExists(pid)).toBe(false);
    expect(log.some((s) => s.state === 'restarting')).toBe(false);
    // 1 s of video at 10 fps is 10 frames out of FFmpeg however slowly it ran…
    const s = cam.stats();
    expect(s.framesReceived).toBeGreaterThanOrEqual(9);
    expect(s.framesReceived).toBeLessThanOrEqual(11);
    // …and each was sent (it reached the gateway) or counted as dropped.
    expect(s.framesSent + s.framesDropped).toBe(s.framesReceived);
    expect(s.framesSent).toBeGreaterThan(0);
    await until(() => framesOf(gw, 'once').length === s.framesSent, 5000, 'every sent frame at the gateway');
    expectValidFrames(framesOf(gw, 'once'), 320, 240);
    await cam.stop(); // still fine
  });

  it('backpressure: one send in flight, only the newest frame waits; the rest are dropped and counted', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const ages: number[] = [];
    const slowSink: TelemetrySink = {
      now: () => Date.now(),
      send: () => 0,
      sendBatch: () => 0,
      // A slow connection: 250 ms per frame, and every 4th frame refused.
      sendVideoFrame: async (_frame, _cam, o) => {
        calls++;
        ages.push(Date.now() - (o?.timestamp as number));
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await sleep(250);
        inFlight--;
        return calls % 4 === 0 ? { sent: false, reason: 'backpressure' } : { sent: true };
      },
    };
    const cam = streamCamera(slowSink, video, 'slow', { fps: 30, registry: cameras });
    const log = statusLog(cam);
    await nth(log, 'streaming');
    const from = performance.now();
    await until(() => cam.stats().framesReceived >= 45, 30_000, '45 frames out of FFmpeg'); // ~1.5 s at 30 fps
    await cam.stop();
    const secs = (performance.now() - from) / 1000;
    const s = cam.stats();
    expect(maxInFlight).toBe(1);
    // Sends are one after another, 250 ms each: at most 4 a second, however fast FFmpeg is…
    expect(calls).toBeLessThanOrEqual(Math.ceil(secs * 4) + 1);
    // …so more frames came out of FFmpeg than were sent, and none was queued beyond the one slot.
    expect(s.framesReceived).toBeGreaterThan(calls);
    expect(s.framesSent).toBe(calls - Math.floor(calls / 4));
    expect(s.framesSent + s.framesDropped).toBe(s.framesReceived);
    // The frame sent after a slow send is the newest one, not one from a queue: at most one frame
    // period (33 ms) plus event-loop delay old, where a queue would make it 250 ms or more.
    const median = [...ages].sort((x, y) => x - y)[ages.length >> 1]!;
    expect(median).toBeLessThan(200);
  });
});
