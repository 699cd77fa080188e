// Cameras end to end with real FFmpeg, the real Plexus client and the test gateway: a generated
// video file, an HTTP MJPEG camera that hangs, a GStreamer RTSP camera that goes away and comes
// back, FFmpeg killed from outside, and no FFmpeg left behind — after stop(), and when the
// process that started it exits or is killed.
//
// Timing: these run on a loaded two-core machine next to other tests. Rates are checked against
// what cannot depend on load (FFmpeg cannot get ahead of its source's own clock; a camera's
// reported fps must match its own frame counts) and, where a rate can only fall under load, with
// a generous lower bound that still catches a frame lost in every other place; waits are for
// conditions, with deadlines several times what an idle machine needs.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CameraRegistry, streamCamera, type CameraStatus } from '../../src/main/devices/camera';
import type { TelemetrySink } from '../../src/main/devices/types';
import type { Plexus } from '../../src/main/plexus';
import { jpegSize } from '../../src/main/plexus/jpeg';
import { startMjpegServer, type MjpegServer } from '../fixtures/camera-mjpeg-server';
import {
  ffmpegChildren,
  makeTestVideo,
  pidExists,
  pidRunning,
  RTSP_PACKAGES,
  rtspServerProblem,
  startRtspServer,
  statusLog,
  type RtspServer,
} from '../fixtures/camera-helpers';
import { TestGateway, type VideoFrameRecord } from '../support/gateway';
import { clientFor, closeClients, sleep, until, waitForStatus } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

let videoDir: string;
let video: string; // 640×480, 30 fps, 3 s
let shortVideo: string; // 320×240, 30 fps, 1 s

let gw: TestGateway | null = null;
let mjpeg: MjpegServer | null = null;
let rtsp: RtspServer | null = null;
/** Each test's cameras (a fresh registry per test). */
let cameras = new CameraRegistry();
const children: ChildProcess[] = [];
/** Pids of processes a failing test could leave without a parent that cleans up. */
const orphanable: number[] = [];
const SUBREAPER = path.join(__dirname, '../fixtures/camera-subreaper.py');
const CAMERA_CHILD = path.join(__dirname, '../fixtures/camera-child.ts');

beforeAll(async () => {
  videoDir = tempDir('camera-video-');
  [video, shortVideo] = await Promise.all([
    makeTestVideo(path.join(videoDir, 'test.mp4')),
    makeTestVideo(path.join(videoDir, 'short.mp4'), { width: 320, height: 240, seconds: 1 }),
  ]);
});

afterEach(async () => {
  // Whatever a test left running, and even if it failed half-way.
  await cameras.stopAll();
  for (const pid of cameras.ffmpegPids()) process.kill(pid, 'SIGKILL');
  cameras = new CameraRegistry();
  for (const pid of orphanable.splice(0)) if (pidExists(pid)) process.kill(pid, 'SIGKILL');
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rtsp?.kill();
  rtsp = null;
  await mjpeg?.close();
  mjpeg = null;
  await closeClients();
  await gw?.close();
  gw = null;
});

afterAll(() => cleanupTempDirs());

async function connectedClient(): Promise<{ gw: TestGateway; c: Plexus }> {
  gw = await TestGateway.start();
  const c = clientFor(gw);
  await waitForStatus(c, 'connected');
  return { gw, c };
}

/** Waits for the n-th status (1-based) matching `state` in a camera's log. */
function nth(log: CameraStatus[], state: CameraStatus['state'], n = 1, timeoutMs = 30_000): Promise<CameraStatus> {
  const matching = (): CameraStatus[] => log.filter((s) => s.state === state);
  return until(
    () => matching().length >= n,
    timeoutMs,
    `status ${state} #${n} (log: ${log.map((s) => `${s.state}: ${s.message}`).join(' / ')})`,
  ).then(() => matching()[n - 1]!);
}

const framesOf = (g: TestGateway, cam: string, from = -Infinity, to = Infinity): VideoFrameRecord[] =>
  g.videoFrames.filter((f) => f.cameraId === cam && f.timestamp >= from && f.timestamp < to);

function expectValidFrames(frames: VideoFrameRecord[], width: number, height: number): void {
  expect(frames.length).toBeGreaterThan(0);
  for (const f of frames) {
    expect(f.binary).toBe(true);
    expect(f.jpeg![0]).toBe(0xff);
    expect(f.jpeg![1]).toBe(0xd8);
    expect(f.jpeg!.subarray(-2).equals(Buffer.from([0xff, 0xd9]))).toBe(true);
    expect(jpegSize(f.jpeg!)).toEqual({ width: f.width, height: f.height });
    expect([f.width, f.height]).toEqual([width, height]);
  }
}

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

  it('streams an HTTP MJPEG camera, and restarts it when it hangs (no frame for the stall timeout)', async () => {
    const frames = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 30 * i, g: 120, b: 200 - 20 * i } } })
          .jpeg({ quality: 80 })
          .toBuffer(),
      ),
    );
    // The camera sends 20 fps; the first connection hangs after 2 s' worth of frames. (A stall
    // timeout of 3 s leaves a busy machine time to start FFmpeg before its first frame.)
    mjpeg = await startMjpegServer({ frames, fps: 20, stallAfter: 40 });
    const { gw, c } = await connectedClient();
    const cam = streamCamera(c, mjpeg.url, 'ipcam', {
      fps: 10,
      stallTimeoutMs: 3000,
      backoff: { baseMs: 200 },
      registry: cameras,
    });
    const log = statusLog(cam);
    await nth(log, 'streaming');
    const restarting = await nth(log, 'restarting');
    expect(restarting.message).toMatch(/^no frame for 3\.0 s; restarting in 0\.\d s$/);
    const lastBefore = Math.max(...framesOf(gw, 'ipcam').map((f) => f.receivedAt));
    expect(performance.timeOrigin + performance.now() - lastBefore).toBeGreaterThanOrEqual(2900);

    await nth(log, 'streaming', 2);
    expect(mjpeg.connections).toBe(2);
    // The second connection streams 10 fps out of a 20 fps camera, paced by arrival time. Over
    // 160 camera frames (8 s) half of them come out of FFmpeg whatever the load: a late read only
    // bunches arrival stamps, which the fps filter evens out, and a slow camera (a late timer
    // here) raises the share. Pacing by a guessed 25 fps would give 0.4 of them; only FFmpeg
    // lagging almost a second at the end of the window could take 0.5 that low.
    const in0 = mjpeg.framesWritten;
    const out0 = cam.stats().framesReceived;
    const t0 = performance.now();
    await until(() => mjpeg!.framesWritten - in0 >= 160, 60_000, '160 frames from the camera');
    const out = cam.stats().framesReceived - out0;
    const secs = (performance.now() - t0) / 1000;
    expect(out / (mjpeg.framesWritten - in0)).toBeGreaterThanOrEqual(0.44);
    // Never faster than 10 fps of wall time (plus what FFmpeg lagging at the start lets in): a
    // camera ignoring its fps option would send all 20.
    expect(out).toBeLessThanOrEqual(10 * secs + 6);
    expectValidFrames(framesOf(gw, 'ipcam'), 320, 240);
    expect(cam.stats().restarts).toBe(1);
  });

  it('RTSP: streams from a GStreamer RTSP camera; server gone → restarting with backoff; back → streaming', async () => {
    const problem = rtspServerProblem();
    if (problem) throw new Error(`the GStreamer RTSP server cannot run (${problem}); apt-get install ${RTSP_PACKAGES}`);
    rtsp = await startRtspServer();
    const port = rtsp.port;
    const { gw, c } = await connectedClient();
    const cam = streamCamera(c, rtsp.url, 'rtsp-cam', {
      registry: cameras,
      fps: 10,
      backoff: { baseMs: 300, capMs: 5000 },
      ioTimeoutMs: 3000,
      metricsIntervalMs: 250,
    });
    const log = statusLog(cam);
    const first = await nth(log, 'streaming', 1, 40_000);
    await until(() => framesOf(gw, 'rtsp-cam').length >= 10, 20_000, '10 RTSP frames');
    expectValidFrames(framesOf(gw, 'rtsp-cam'), 640, 480);

    await rtsp.kill(); // the camera loses power
    const r1 = await nth(log, 'restarting', 1);
    const r2 = await nth(log, 'restarting', 2); // the next attempt finds no server
    expect(r1.pid).toBe(first.pid);
    expect(r2.message).toMatch(/Connection refused/i);
    expect(r2.retryInMs!).toBeGreaterThan(r1.retryInMs!); // 300 ± 25 % → 600 ± 25 %
    const gapStart = c.now();
    await sleep(600);

    rtsp = await startRtspServer(port); // back on the same address
    const back = await nth(log, 'streaming', 2, 40_000);
    expect(back.pid).not.toBe(first.pid);
    const resumedAt = c.now();
    await until(() => framesOf(gw, 'rtsp-cam', resumedAt).length >= 5, 20_000, 'RTSP frames after the comeback');
    expect(cam.stats().restarts).toBeGreaterThanOrEqual(2);

    // The side stream recorded the gap: fps 0 while the camera was away.
    await c.flush({ timeoutMs: 5000 });
    const gapFps = gw.points.filter(
      (p) => p.metric === 'camera.rtsp-cam.fps' && p.timestamp! >= gapStart && p.timestamp! < resumedAt - 500,
    );
    expect(gapFps.length).toBeGreaterThan(0);
    expect(gapFps.every((p) => p.value === 0)).toBe(true);
    const pid = cam.pid!;
    await cam.stop();
    expect(pidExists(pid)).toBe(false);
  });

  it('FFmpeg ends with the process that started it: on exit(), and when that process is killed', async () => {
    // A camera that accepts the connection and never answers: FFmpeg waits (up to its 10 s socket
    // timeout) without writing, so only the exit hook can end it quickly.
    mjpeg = await startMjpegServer({ frames: [], fps: 1, silent: true });
    const start = (
      source: string,
      mode: 'exit' | 'wait',
    ): { wrapper: ChildProcess; pids: Promise<[number, number]> } => {
      // The subreaper adopts (and reaps) the FFmpeg we orphan: a dead FFmpeg then really is gone (ESRCH).
      const wrapper = spawn(
        '/usr/bin/python3',
        [SUBREAPER, process.execPath, '--import', 'tsx', CAMERA_CHILD, source, mode],
        { cwd: path.join(__dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(wrapper);
      const pids = new Promise<[number, number]>((resolve, reject) => {
        let node = 0;
        createInterface({ input: wrapper.stdout }).on('line', (l) => {
          const [what, n] = l.split(' ');
          if (what === 'node') orphanable.push((node = Number(n)));
          if (what === 'pid') resolve([node, Number(n)]);
        });
        wrapper.once('exit', (code, sig) => reject(new Error(`camera child exited (${code ?? sig}) before streaming`)));
      });
      return { wrapper, pids };
    };
    const exiting = start(mjpeg.url, 'exit');
    const killed = start(video, 'wait');
    const [[nodeExit, ffExit], [nodeKilled, ffKilled]] = await Promise.all([exiting.pids, killed.pids]);
    orphanable.push(ffExit, ffKilled);

    // process.exit(): the 'exit' hook SIGKILLs FFmpeg synchronously.
    await until(() => !pidExists(nodeExit), 15_000, 'the exiting child to end');
    expect(mjpeg.connections).toBe(1); // FFmpeg was alive, waiting for the camera
    await until(() => !pidExists(ffExit), 5000, `FFmpeg ${ffExit} to end after its parent's exit()`);

    // SIGKILL of the parent: no hook runs; FFmpeg dies of the broken pipe at its next frame.
    expect(pidRunning(ffKilled)).toBe(true);
    process.kill(nodeKilled, 'SIGKILL');
    await until(() => !pidExists(ffKilled), 10_000, `FFmpeg ${ffKilled} to end after its parent was killed`);
    await until(() => exiting.wrapper.exitCode !== null && killed.wrapper.exitCode !== null, 10_000, 'the subreapers');
  });
});
