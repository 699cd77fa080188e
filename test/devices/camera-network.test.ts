// Cameras end to end with real FFmpeg, the real Plexus client and the test gateway: an HTTP MJPEG
// camera that hangs, a GStreamer RTSP camera that goes away and comes back, and no FFmpeg left
// behind when the process that started it exits or is killed.
// Timing: see the note in camera-setup.ts (rates checked against what load cannot change, waits for
// conditions with generous deadlines).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { streamCamera } from '../../src/main/devices/camera';
import { startMjpegServer, type MjpegServer } from '../fixtures/camera-mjpeg-server';
import {
  pidExists,
  pidRunning,
  RTSP_PACKAGES,
  rtspServerProblem,
  startRtspServer,
  statusLog,
  type RtspServer,
} from '../fixtures/camera-helpers';
import { sleep, until } from '../helpers/plexus';
import {
  video,
  cameras,
  children,
  orphanable,
  useCameraSetup,
  connectedClient,
  nth,
  framesOf,
  expectValidFrames,
} from './camera-setup';

let mjpeg: MjpegServer | null = null;
let rtsp: RtspServer | null = null;
const SUBREAPER = path.join(__dirname, '../fixtures/camera-subreaper.py');
const CAMERA_CHILD = path.join(__dirname, '../fixtures/camera-child.ts');

useCameraSetup(async () => {
  await rtsp?.kill();
  rtsp = null;
  await mjpeg?.close();
  mjpeg = null;
});

describe('camera streaming (real FFmpeg)', () => {
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
