// Finding FFmpeg: configured path, PATH, the install hint when there is none, and the version check
// (against the real FFmpeg, and against binaries that are not FFmpeg).
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FfmpegNotFoundError,
  FfmpegUnusableError,
  ffmpegVersion,
  parseFfmpegVersion,
  resolveFfmpeg,
  CameraRegistry,
  streamCamera,
  type CameraStatus,
} from '../../src/main/devices/camera';
import type { TelemetrySink } from '../../src/main/devices/types';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { until } from '../helpers/plexus';

let cameras = new CameraRegistry();

afterEach(async () => {
  await cameras.stopAll();
  cameras = new CameraRegistry();
  cleanupTempDirs();
});

const nullSink: TelemetrySink = {
  now: () => Date.now(),
  send: () => 0,
  sendBatch: () => 0,
  sendVideoFrame: () => Promise.resolve({ sent: true }),
};

function script(dir: string, name: string, body: string, mode = 0o755): string {
  mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, mode);
  return p;
}

const HINTS = [/sudo apt install ffmpeg/, /brew install ffmpeg/, /winget install ffmpeg/, /Settings/];

describe('resolveFfmpeg', () => {
  it('uses the configured path when it is an executable file', () => {
    const p = script(tempDir(), 'my-ffmpeg', 'exit 0');
    expect(resolveFfmpeg({ configuredPath: p, env: { PATH: '' } })).toBe(p);
  });

  it('a configured path that does not work is an error naming it, with install instructions', () => {
    const dir = tempDir();
    const notExec = script(dir, 'ffmpeg', 'exit 0', 0o644);
    for (const [configured, detail] of [
      [path.join(dir, 'nope'), 'no such file'],
      [notExec, 'not executable'],
      [dir, 'not a file'],
    ] as const) {
      let err: unknown;
      try {
        resolveFfmpeg({ configuredPath: configured, env: { PATH: '/usr/bin:/bin' } });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FfmpegNotFoundError);
      expect((err as FfmpegNotFoundError).configuredPath).toBe(configured);
      expect((err as Error).message).toContain(`${configured} (${detail})`);
      for (const h of HINTS) expect((err as Error).message).toMatch(h);
    }
  });

  it('searches PATH in order, skipping directories without an executable ffmpeg', () => {
    const a = tempDir();
    const b = tempDir();
    script(a, 'ffmpeg', 'exit 0', 0o644); // not executable: skipped
    const good = script(b, 'ffmpeg', 'exit 0');
    expect(resolveFfmpeg({ env: { PATH: `/nonexistent:${a}:${b}` }, configuredPath: '  ' })).toBe(good);
  });

  it('no ffmpeg on PATH: FfmpegNotFoundError saying how to install it', () => {
    let err: unknown;
    try {
      resolveFfmpeg({ env: { PATH: tempDir() } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FfmpegNotFoundError);
    expect((err as Error).message).toMatch(/^FFmpeg not found: no `ffmpeg` on PATH\./);
    for (const h of HINTS) expect((err as Error).message).toMatch(h);
  });

  it('finds the FFmpeg this machine has on PATH', () => {
    expect(path.basename(resolveFfmpeg())).toBe('ffmpeg');
  });
});

describe('FFmpeg version', () => {
  it('parses release, distribution and git-build version lines', () => {
    expect(parseFfmpegVersion('ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers')).toEqual({
      version: '5.1.6-0+deb12u1',
      major: 5,
      minor: 1,
    });
    expect(parseFfmpegVersion('ffmpeg version n6.1.1 Copyright')).toEqual({ version: 'n6.1.1', major: 6, minor: 1 });
    expect(parseFfmpegVersion('ffmpeg version 7.0-full_build-www.gyan.dev Copyright')).toMatchObject({ major: 7 });
    expect(parseFfmpegVersion('ffmpeg version N-113345-g1b2c3d4 Copyright')).toEqual({
      version: 'N-113345-g1b2c3d4',
      major: null,
      minor: null,
    });
    expect(parseFfmpegVersion('usage: something else')).toBeNull();
  });

  it('asks the real FFmpeg once per path', async () => {
    const p = resolveFfmpeg();
    const first = ffmpegVersion(p);
    expect(ffmpegVersion(p)).toBe(first);
    const v = await first;
    expect(v.version).toMatch(/^\d+\.\d+/);
    expect(v.major).toBeGreaterThanOrEqual(4);
  });

  it('a binary that is not FFmpeg is refused with FfmpegUnusableError (not cached)', async () => {
    const dir = tempDir();
    const liar = script(dir, 'ffmpeg-liar', 'echo "hello"');
    await expect(ffmpegVersion(liar)).rejects.toThrow(FfmpegUnusableError);
    await expect(ffmpegVersion(liar)).rejects.toThrow(/does not look like FFmpeg.*sudo apt install ffmpeg/);
    const failing = script(dir, 'ffmpeg-fails', 'exit 3');
    await expect(ffmpegVersion(failing)).rejects.toThrow(/-version failed/);
  });
});

describe('streamCamera without a usable FFmpeg', () => {
  it('throws FfmpegNotFoundError at once when there is no FFmpeg', () => {
    const saved = process.env.PATH;
    process.env.PATH = tempDir();
    try {
      expect(() => streamCamera(nullSink, '/tmp/x.mp4', 'cam')).toThrow(FfmpegNotFoundError);
      expect(() => streamCamera(nullSink, '/tmp/x.mp4', 'cam')).toThrow(/sudo apt install ffmpeg/);
    } finally {
      process.env.PATH = saved;
    }
    expect(() => streamCamera(nullSink, '/tmp/x.mp4', 'cam', { ffmpegPath: '/nonexistent/ffmpeg' })).toThrow(
      /FFmpeg not found at the configured path \/nonexistent\/ffmpeg/,
    );
  });

  it('reports status error when the configured binary is not FFmpeg, and stops', async () => {
    const liar = script(tempDir(), 'ffmpeg', 'echo "not really"');
    const cam = streamCamera(nullSink, '/tmp/x.mp4', 'cam', { ffmpegPath: liar, registry: cameras });
    const log: CameraStatus[] = [];
    cam.on('status', (s) => log.push(s));
    await until(() => log.length > 0, 15_000, 'a status');
    expect(log[0]).toMatchObject({ state: 'error' });
    expect(log[0]!.message).toMatch(/does not look like FFmpeg/);
    await cam.stop();
    expect(cam.pid).toBeNull();
    expect(log.map((s) => s.state)).toEqual(['error']);
  });

  it('FFmpeg failing at once: restarting with its stderr (passwords hidden); a vanished binary too', async () => {
    // Answers -version like FFmpeg 5.1, then fails the way a real one does with a bad input.
    const fake = script(
      tempDir(),
      'ffmpeg',
      'case "$*" in *-version*) echo "ffmpeg version 5.1.0-fake Copyright"; exit 0;; esac\n' +
        'echo "[rtsp @ 0x1] could not open $(echo "$@" | sed "s/.*-i //; s/ .*//"): Connection refused" >&2\nexit 1',
    );
    const cam = streamCamera(nullSink, 'rtsp://admin:hunter2@127.0.0.1:9/live', 'cam', {
      ffmpegPath: fake,
      backoff: { baseMs: 50, jitter: 0 },
      registry: cameras,
    });
    const log: CameraStatus[] = [];
    cam.on('status', (s) => log.push(s));
    await until(() => log.some((s) => s.state === 'restarting'), 15_000, 'restarting');
    const r = log.find((s) => s.state === 'restarting')!;
    expect(r.ffmpegVersion).toBe('5.1.0-fake');
    expect(r.message).toBe(
      'FFmpeg exited with code 1: [rtsp @ 0x1] could not open rtsp://admin:***@127.0.0.1:9/live: Connection refused; restarting in 0.1 s',
    );
    expect(r.retryInMs).toBe(50);
    expect(log.map((s) => s.message).join('\n')).not.toContain('hunter2');

    rmSync(fake);
    await until(() => log.some((s) => /ENOENT/.test(s.message)), 15_000, 'a restart that cannot spawn');
    expect(log.find((s) => /ENOENT/.test(s.message))!.message).toMatch(
      /^FFmpeg could not start: could not run .*ENOENT/,
    );
    await cam.stop();
    expect(log.at(-1)!.state).toBe('stopped');
  });
});
