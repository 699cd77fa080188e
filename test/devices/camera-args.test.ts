// Camera sources and FFmpeg command lines: every accepted spelling, the platform checks, and the
// argument list per source kind (pure functions, no FFmpeg needed).
import { describe, expect, it } from 'vitest';
import {
  buildFfmpegArgs,
  CameraConfigError,
  classifySource,
  qualityToQscale,
  redactSource,
  type CameraSource,
} from '../../src/main/devices/camera';

const OUT = ['-an', '-sn', '-dn'];
const tail = (vf: string, q: number): string[] => [
  '-vf',
  vf,
  '-f',
  'image2pipe',
  '-vcodec',
  'mjpeg',
  '-q:v',
  String(q),
  '-flush_packets',
  '1',
  'pipe:1',
];
const HEAD = ['-hide_banner', '-loglevel', 'error', '-nostdin'];

describe('classifySource', () => {
  it.each<[string, NodeJS.Platform, CameraSource]>([
    ['rtsp://10.0.0.5:554/stream1', 'linux', { kind: 'rtsp', url: 'rtsp://10.0.0.5:554/stream1' }],
    ['RTSPS://cam.local/live', 'darwin', { kind: 'rtsp', url: 'RTSPS://cam.local/live' }],
    ['  http://cam/video.mjpg ', 'linux', { kind: 'http', url: 'http://cam/video.mjpg' }],
    ['https://cam/mjpeg', 'win32', { kind: 'http', url: 'https://cam/mjpeg' }],
    ['/home/lab/run.mp4', 'linux', { kind: 'file', path: '/home/lab/run.mp4' }],
    ['./clips/run.mkv', 'linux', { kind: 'file', path: './clips/run.mkv' }],
    ['file:///tmp/a%20b.mp4', 'linux', { kind: 'file', path: '/tmp/a b.mp4' }],
    ['C:\\videos\\x.mp4', 'win32', { kind: 'file', path: 'C:\\videos\\x.mp4' }],
    ['/dev/video0', 'linux', { kind: 'v4l2', device: '/dev/video0' }],
    ['/dev/video12', 'linux', { kind: 'v4l2', device: '/dev/video12' }],
    ['/dev/v4l/by-id/usb-Cam-video-index0', 'linux', { kind: 'v4l2', device: '/dev/v4l/by-id/usb-Cam-video-index0' }],
    ['v4l2:/dev/video2', 'linux', { kind: 'v4l2', device: '/dev/video2' }],
    ['video=Integrated Camera', 'win32', { kind: 'dshow', device: 'video=Integrated Camera' }],
    ['dshow:USB Camera', 'win32', { kind: 'dshow', device: 'video=USB Camera' }],
    ['dshow:video=USB Camera', 'win32', { kind: 'dshow', device: 'video=USB Camera' }],
    ['avfoundation:0', 'darwin', { kind: 'avfoundation', device: '0' }],
    ['avfoundation:FaceTime HD Camera', 'darwin', { kind: 'avfoundation', device: 'FaceTime HD Camera' }],
  ])('%s on %s', (input, platform, expected) => {
    expect(classifySource(input, platform)).toEqual(expected);
  });

  it('refuses a local camera of another platform, naming the local spelling', () => {
    expect(() => classifySource('/dev/video0', 'darwin')).toThrow(/Linux \(v4l2\).*avfoundation:0/);
    expect(() => classifySource('video=Cam', 'linux')).toThrow(/Windows \(DirectShow\).*\/dev\/video0/);
    expect(() => classifySource('avfoundation:0', 'win32')).toThrow(/macOS.*video=<camera name>/);
  });

  it('refuses empty sources, other schemes and incomplete names with CameraConfigError', () => {
    for (const bad of [
      '',
      '   ',
      'rtmp://host/live',
      'udp://239.0.0.1:1234',
      'avfoundation:',
      'video=',
      'v4l2:video0',
    ]) {
      expect(() => classifySource(bad, 'linux'), bad).toThrow(CameraConfigError);
    }
    expect(() => classifySource('rtmp://host/live', 'linux')).toThrow(/rtmp: sources are not supported; use rtsp/);
  });
});

describe('buildFfmpegArgs', () => {
  const base = { fps: 15, quality: 85 };

  it('RTSP: TCP transport and a socket timeout (named -stimeout before FFmpeg 5)', () => {
    const src = classifySource('rtsp://u:p@cam/live', 'linux');
    expect(buildFfmpegArgs(src, { ...base, ffmpegMajor: 5 })).toEqual([
      ...HEAD,
      '-rtsp_transport',
      'tcp',
      '-timeout',
      '10000000',
      '-i',
      'rtsp://u:p@cam/live',
      ...OUT,
      ...tail('fps=15', 6),
    ]);
    const v4 = buildFfmpegArgs(src, { ...base, ffmpegMajor: 4, ioTimeoutMs: 3000 });
    expect(v4.slice(4, 8)).toEqual(['-rtsp_transport', 'tcp', '-stimeout', '3000000']);
  });

  it('HTTP: read timeout and arrival timestamps', () => {
    expect(buildFfmpegArgs(classifySource('http://cam/x.mjpg', 'linux'), base).slice(4, 10)).toEqual([
      '-rw_timeout',
      '10000000',
      '-use_wallclock_as_timestamps',
      '1',
      '-i',
      'http://cam/x.mjpg',
    ]);
  });

  it('files: real time, looped unless loop is false', () => {
    const src = classifySource('/v/run.mp4', 'linux');
    expect(buildFfmpegArgs(src, base).slice(4, 9)).toEqual(['-re', '-stream_loop', '-1', '-i', '/v/run.mp4']);
    expect(buildFfmpegArgs(src, { ...base, loop: false }).slice(4, 7)).toEqual(['-re', '-i', '/v/run.mp4']);
  });

  it('local cameras: the input format per platform', () => {
    expect(buildFfmpegArgs(classifySource('/dev/video0', 'linux'), base).slice(4, 8)).toEqual([
      '-f',
      'v4l2',
      '-i',
      '/dev/video0',
    ]);
    expect(buildFfmpegArgs(classifySource('video=USB Cam', 'win32'), base).slice(4, 8)).toEqual([
      '-f',
      'dshow',
      '-i',
      'video=USB Cam',
    ]);
    expect(buildFfmpegArgs(classifySource('avfoundation:1', 'darwin'), base).slice(4, 10)).toEqual([
      '-f',
      'avfoundation',
      '-framerate',
      '30',
      '-i',
      '1',
    ]);
  });

  it('fps, scaling and quality go into the filter and -q:v', () => {
    const src = classifySource('/v/a.mp4', 'linux');
    const vf = (o: object): string => {
      const a = buildFfmpegArgs(src, { ...base, ...o });
      return a[a.indexOf('-vf') + 1]!;
    };
    expect(vf({ fps: 10 })).toBe('fps=10');
    expect(vf({ fps: 7.5, width: 320, height: 240 })).toBe('fps=7.5,scale=320:240');
    expect(vf({ width: 320 })).toBe('fps=15,scale=320:-2');
    expect(vf({ height: 240 })).toBe('fps=15,scale=-2:240');
    const q = (quality: number): string => {
      const a = buildFfmpegArgs(src, { fps: 15, quality });
      return a[a.indexOf('-q:v') + 1]!;
    };
    expect([q(1), q(50), q(85), q(100)]).toEqual(['31', '17', '6', '2']);
  });

  it('refuses out-of-range options', () => {
    const src = classifySource('/v/a.mp4', 'linux');
    for (const o of [
      { fps: 0, quality: 85 },
      { fps: Number.NaN, quality: 85 },
      { fps: 500, quality: 85 },
      { fps: 10, quality: 0 },
      { fps: 10, quality: 101 },
      { fps: 10, quality: 85, width: 0 },
      { fps: 10, quality: 85, height: 10.5 },
    ]) {
      expect(() => buildFfmpegArgs(src, o), JSON.stringify(o)).toThrow(CameraConfigError);
    }
  });
});

describe('quality and redaction', () => {
  it('maps quality 1–100 monotonically onto -q:v 31–2', () => {
    let prev = 32;
    for (let q = 1; q <= 100; q++) {
      const s = qualityToQscale(q);
      expect(s).toBeLessThanOrEqual(prev);
      expect(s).toBeGreaterThanOrEqual(2);
      prev = s;
    }
    expect(qualityToQscale(1)).toBe(31);
    expect(qualityToQscale(100)).toBe(2);
  });

  it('hides URL passwords in messages', () => {
    expect(redactSource('rtsp://admin:s3cr3t@10.0.0.5/live')).toBe('rtsp://admin:***@10.0.0.5/live');
    expect(redactSource('http://cam/x.mjpg')).toBe('http://cam/x.mjpg');
    expect(redactSource('/dev/video0')).toBe('/dev/video0');
  });
});
