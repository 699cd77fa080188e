// Shared setup of the camera end-to-end tests (test/devices/camera-*.test.ts): test videos made once
// per file, a connected client on a test gateway, helpers to wait for statuses and check frames,
// and the cleanup after each test of whatever it left running, even if it failed half-way.
//
// Timing: these run on a loaded two-core machine next to other tests. Rates are checked against
// what cannot depend on load (FFmpeg cannot get ahead of its source's own clock; a camera's
// reported fps must match its own frame counts) and, where a rate can only fall under load, with
// a generous lower bound that still catches a frame lost in every other place; waits are for
// conditions, with deadlines several times what an idle machine needs.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { CameraRegistry, type CameraStatus } from '../../src/main/devices/camera';
import type { Plexus } from '../../src/main/plexus';
import { jpegSize } from '../../src/main/plexus/jpeg';
import { makeTestVideo, pidExists } from '../fixtures/camera-helpers';
import { TestGateway, type VideoFrameRecord } from '../support/gateway';
import { clientFor, closeClients, until, waitForStatus } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

let videoDir: string;
export let video: string; // 640×480, 30 fps, 3 s
export let shortVideo: string; // 320×240, 30 fps, 1 s

let gw: TestGateway | null = null;
/** Each test's cameras (a fresh registry per test). */
export let cameras = new CameraRegistry();
export const children: ChildProcess[] = [];
/** Pids of processes a failing test could leave without a parent that cleans up. */
export const orphanable: number[] = [];

async function makeVideos(): Promise<void> {
  videoDir = tempDir('camera-video-');
  [video, shortVideo] = await Promise.all([
    makeTestVideo(path.join(videoDir, 'test.mp4')),
    makeTestVideo(path.join(videoDir, 'short.mp4'), { width: 320, height: 240, seconds: 1 }),
  ]);
}

/**
 * After each test: whatever a test left running, and even if it failed half-way. `closeServers`
 * closes the file's own camera servers, after the cameras and before the client and gateway.
 */
async function cleanUp(closeServers?: () => Promise<void>): Promise<void> {
  await cameras.stopAll();
  for (const pid of cameras.ffmpegPids()) process.kill(pid, 'SIGKILL');
  cameras = new CameraRegistry();
  for (const pid of orphanable.splice(0)) if (pidExists(pid)) process.kill(pid, 'SIGKILL');
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await closeServers?.();
  await closeClients();
  await gw?.close();
  gw = null;
}

/**
 * Each test file calls this once at its top: the videos made before its tests, the cleanup after
 * each test (with the file's own servers closed by `closeServers`), the temp dirs removed at the end.
 */
export function useCameraSetup(closeServers?: () => Promise<void>): void {
  beforeAll(makeVideos);
  afterEach(() => cleanUp(closeServers));
  afterAll(() => cleanupTempDirs());
}

export async function connectedClient(): Promise<{ gw: TestGateway; c: Plexus }> {
  gw = await TestGateway.start();
  const c = clientFor(gw);
  await waitForStatus(c, 'connected');
  return { gw, c };
}

/** Waits for the n-th status (1-based) matching `state` in a camera's log. */
export function nth(
  log: CameraStatus[],
  state: CameraStatus['state'],
  n = 1,
  timeoutMs = 30_000,
): Promise<CameraStatus> {
  const matching = (): CameraStatus[] => log.filter((s) => s.state === state);
  return until(
    () => matching().length >= n,
    timeoutMs,
    `status ${state} #${n} (log: ${log.map((s) => `${s.state}: ${s.message}`).join(' / ')})`,
  ).then(() => matching()[n - 1]!);
}

export const framesOf = (g: TestGateway, cam: string, from = -Infinity, to = Infinity): VideoFrameRecord[] =>
  g.videoFrames.filter((f) => f.cameraId === cam && f.timestamp >= from && f.timestamp < to);

export function expectValidFrames(frames: VideoFrameRecord[], width: number, height: number): void {
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
