// Camera sources and the FFmpeg command line that turns any of them into a stream of JPEGs on
// stdout. Pure functions: no I/O, so every spelling and every argument is unit-tested.
//
// Accepted source spellings (scheme and prefixes are case-insensitive):
//
//   rtsp://host[:port]/path, rtsps://…       RTSP camera, pulled over TCP (`-rtsp_transport tcp`)
//   http://…, https://…                       HTTP stream, typically MJPEG (`multipart/x-mixed-replace`);
//                                             FFmpeg detects the format, so an MP4/HLS URL works too
//   file:///abs/path.mp4, /abs/path.mp4,      a video file, played in real time (`-re`) and looped by
//   ./rel/path.mp4, C:\videos\x.mp4           default
//   /dev/video0 … /dev/videoN,                Linux camera via v4l2 (also the stable
//   /dev/v4l/by-id/…, v4l2:/dev/video0        /dev/v4l/by-id|by-path links)
//   video=Integrated Camera,                  Windows camera via DirectShow (the name as
//   dshow:Integrated Camera                   `ffmpeg -list_devices true -f dshow -i dummy` prints it)
//   avfoundation:0,                           macOS camera via AVFoundation, by index or name (as
//   avfoundation:FaceTime HD Camera           `ffmpeg -f avfoundation -list_devices true -i ""` prints it)
//
// Anything else with a URL scheme (rtmp://, udp://, …) is refused with a CameraConfigError.

import { fileURLToPath } from 'node:url';

export type CameraSource =
  | { kind: 'rtsp'; url: string }
  | { kind: 'http'; url: string }
  | { kind: 'file'; path: string }
  | { kind: 'v4l2'; device: string }
  | { kind: 'dshow'; device: string }
  | { kind: 'avfoundation'; device: string };

export type CameraSourceKind = CameraSource['kind'];

/** A camera source or option that cannot work (bad spelling, wrong platform, out-of-range value). */
export class CameraConfigError extends Error {
  override name = 'CameraConfigError';
}

export const ACCEPTED_SOURCES =
  'rtsp://…, http(s)://… (MJPEG), a video file path or file:// URL, /dev/videoN (Linux), ' +
  'video=<name> (Windows DirectShow), avfoundation:<index|name> (macOS)';

const PLATFORM_OF: Partial<Record<CameraSourceKind, { platform: NodeJS.Platform; label: string }>> = {
  v4l2: { platform: 'linux', label: 'a Linux (v4l2) camera' },
  dshow: { platform: 'win32', label: 'a Windows (DirectShow) camera' },
  avfoundation: { platform: 'darwin', label: 'a macOS (AVFoundation) camera' },
};
const LOCAL_HINT: Partial<Record<NodeJS.Platform, string>> = {
  linux: '/dev/video0',
  win32: 'video=<camera name>',
  darwin: 'avfoundation:0',
};

/**
 * What kind of source a camera string names. `platform` (default: this one) decides whether a
 * local camera spelling can work here.
 */
export function classifySource(input: string, platform: NodeJS.Platform = process.platform): CameraSource {
  const s = typeof input === 'string' ? input.trim() : '';
  if (!s) throw new CameraConfigError(`a camera source is required: ${ACCEPTED_SOURCES}`);
  const source = classify(s);
  const need = PLATFORM_OF[source.kind];
  if (need && need.platform !== platform) {
    const hint = LOCAL_HINT[platform];
    throw new CameraConfigError(
      `${s} names ${need.label}, which this ${platform} machine cannot open` +
        (hint ? `; a local camera here is spelled like ${hint}` : ''),
    );
  }
  return source;
}

function classify(s: string): CameraSource {
  const lower = s.toLowerCase();
  if (lower.startsWith('rtsp://') || lower.startsWith('rtsps://')) return { kind: 'rtsp', url: s };
  if (lower.startsWith('http://') || lower.startsWith('https://')) return { kind: 'http', url: s };
  if (lower.startsWith('file://')) {
    try {
      return { kind: 'file', path: fileURLToPath(s) };
    } catch (e) {
      throw new CameraConfigError(`${s} is not a usable file URL (${(e as Error).message})`);
    }
  }
  if (lower.startsWith('v4l2:')) return v4l2(s.slice(5));
  if (/^\/dev\/video\d+$/.test(s) || s.startsWith('/dev/v4l/')) return v4l2(s);
  if (lower.startsWith('dshow:')) return dshow(s.slice(6));
  if (lower.startsWith('video=')) return dshow(s);
  if (lower.startsWith('avfoundation:')) {
    const device = s.slice('avfoundation:'.length).trim();
    if (!device) throw new CameraConfigError(`${s}: name the camera, e.g. avfoundation:0`);
    return { kind: 'avfoundation', device };
  }
  // A scheme of two or more letters is a URL we do not take; `C:\…` is a Windows path.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(s);
  if (scheme) throw new CameraConfigError(`${scheme[1]}: sources are not supported; use ${ACCEPTED_SOURCES}`);
  return { kind: 'file', path: s };
}

function v4l2(device: string): CameraSource {
  const d = device.trim();
  if (!d.startsWith('/dev/')) throw new CameraConfigError(`v4l2 cameras are device paths like /dev/video0, got ${d}`);
  return { kind: 'v4l2', device: d };
}

function dshow(name: string): CameraSource {
  const n = name.trim();
  const device = /^video=/i.test(n) ? `video=${n.slice(6).trim()}` : `video=${n}`;
  if (device === 'video=') throw new CameraConfigError('name the DirectShow camera, e.g. video=Integrated Camera');
  return { kind: 'dshow', device };
}

export interface FfmpegArgsOptions {
  /** Output frames per second (> 0, ≤ 120). */
  fps: number;
  /** JPEG quality 1–100 (mapped to `-q:v` 31–2). */
  quality: number;
  /** Scale to this width; with only one of width/height the other keeps the aspect ratio. */
  width?: number | undefined;
  height?: number | undefined;
  /** Loop a file source forever (default true). */
  loop?: boolean | undefined;
  /** Socket timeout for network sources, so a dead server ends FFmpeg (default 10 s). */
  ioTimeoutMs?: number | undefined;
  /** Major version of the FFmpeg that will run (the RTSP timeout option was renamed in 5.0). */
  ffmpegMajor?: number | null | undefined;
}

/** JPEG quality 1–100 → FFmpeg's `-q:v` scale 31 (worst) … 2 (best). */
export function qualityToQscale(quality: number): number {
  const q = Math.min(100, Math.max(1, quality));
  return Math.round(31 - ((q - 1) * 29) / 99);
}

export function validateArgsOptions(o: FfmpegArgsOptions): void {
  if (!Number.isFinite(o.fps) || o.fps <= 0 || o.fps > 120)
    throw new CameraConfigError(`fps must be in (0, 120], got ${o.fps}`);
  if (!Number.isFinite(o.quality) || o.quality < 1 || o.quality > 100)
    throw new CameraConfigError(`quality must be 1–100, got ${o.quality}`);
  for (const [name, v] of [
    ['width', o.width],
    ['height', o.height],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 2 || v > 16384))
      throw new CameraConfigError(`${name} must be an integer 2–16384, got ${v}`);
  }
}

/** The full FFmpeg argument list (without the binary) for one source. */
export function buildFfmpegArgs(source: CameraSource, o: FfmpegArgsOptions): string[] {
  validateArgsOptions(o);
  const timeoutUs = String(Math.round((o.ioTimeoutMs ?? 10_000) * 1000));
  const input: string[] = [];
  let target: string;
  switch (source.kind) {
    case 'rtsp':
      // FFmpeg ≥ 5 calls the socket timeout `-timeout`; in 4.x `-timeout` meant "listen" and the
      // socket timeout was `-stimeout`.
      input.push('-rtsp_transport', 'tcp', o.ffmpegMajor != null && o.ffmpegMajor < 5 ? '-stimeout' : '-timeout');
      input.push(timeoutUs);
      target = source.url;
      break;
    case 'http':
      // MJPEG over HTTP carries no timestamps: stamp frames on arrival, or the fps filter would
      // pace them by a guessed 25 fps. (So an http(s) source is taken to be live, not a file.)
      input.push('-rw_timeout', timeoutUs, '-use_wallclock_as_timestamps', '1');
      target = source.url;
      break;
    case 'file':
      // -re: read at the file's own frame rate, like a camera would deliver it.
      input.push('-re');
      if (o.loop ?? true) input.push('-stream_loop', '-1');
      target = source.path;
      break;
    case 'v4l2':
      input.push('-f', 'v4l2');
      target = source.device;
      break;
    case 'dshow':
      input.push('-f', 'dshow');
      target = source.device;
      break;
    case 'avfoundation':
      // AVFoundation's default rate (29.97) is refused by most Mac cameras; 30 is what they offer.
      input.push('-f', 'avfoundation', '-framerate', '30');
      target = source.device;
      break;
  }
  const filters = [`fps=${o.fps}`];
  if (o.width !== undefined || o.height !== undefined) filters.push(`scale=${o.width ?? -2}:${o.height ?? -2}`);
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...input,
    '-i',
    target,
    '-an',
    '-sn',
    '-dn',
    '-vf',
    filters.join(','),
    '-f',
    'image2pipe',
    '-vcodec',
    'mjpeg',
    '-q:v',
    String(qualityToQscale(o.quality)),
    // Write each JPEG to the pipe as soon as it is encoded, not when an I/O buffer fills.
    '-flush_packets',
    '1',
    'pipe:1',
  ];
}

/** The source for messages and logs: an RTSP/HTTP password replaced by `***`. */
export function redactSource(s: string): string {
  return s.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, '$1***@');
}
