// Video frames (docs/protocol.md §4): binary WS messages, live only, never buffered to disk.
// JPEG bytes pass through untouched (size read from the header); any other image, or raw
// pixels, is encoded to JPEG with sharp. Frames over 750 kB are re-encoded smaller.

import type Sharp from 'sharp';
import { LIMITS } from './limits';
import { ValidationError } from './errors';
import { isJpeg, jpegSize } from './jpeg';
import { decodeBmp, isBmp } from './bmp';

export interface RawPixels {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

export interface VideoFrameOptions {
  /** Capture time, epoch ms; default: now on the client's clock. */
  timestamp?: number | Date;
  /** JPEG quality when the client has to encode (default 85, like the Python SDK). */
  quality?: number;
  /** The bytes are raw pixels of this shape rather than an encoded image. */
  raw?: RawPixels;
}

export interface Jpeg {
  data: Buffer;
  width: number;
  height: number;
  /** Whether the client had to encode or re-encode. */
  reencoded: boolean;
}

const HEADER_FIXED = 1 + 1 + 1 + 4 + 4 + 8;

/** Build the binary video message. */
export function encodeVideoMessage(
  sourceId: string,
  cameraId: string,
  width: number,
  height: number,
  timestampMs: number,
  jpeg: Buffer,
): Buffer {
  const src = Buffer.from(sourceId, 'utf8');
  const cam = Buffer.from(cameraId, 'utf8');
  if (src.length > 255)
    throw new ValidationError(
      'video.source_id_length',
      sourceId,
      'source id must be at most 255 bytes for video frames',
    );
  if (cam.length > 255)
    throw new ValidationError(
      'video.camera_id_length',
      cameraId,
      'camera id must be at most 255 bytes (rule video.camera_id_length)',
    );
  const head = Buffer.allocUnsafe(HEADER_FIXED + src.length + cam.length);
  let o = 0;
  head[o++] = 0x01;
  head[o++] = src.length;
  o += src.copy(head, o);
  head[o++] = cam.length;
  o += cam.copy(head, o);
  head.writeUInt32BE(width >>> 0, o);
  o += 4;
  head.writeUInt32BE(height >>> 0, o);
  o += 4;
  head.writeBigInt64BE(BigInt(Math.round(timestampMs)), o);
  return Buffer.concat([head, jpeg]);
}

// sharp (libvips) costs ~20 MB of memory when loaded: load it only when a frame needs encoding.
let sharpModule: typeof Sharp | null = null;
async function loadSharp(): Promise<typeof Sharp> {
  sharpModule ??= (await import('sharp')).default;
  return sharpModule;
}

/** Whatever came in, a JPEG of at most 750 kB. */
export async function toJpeg(frame: Uint8Array, opts: VideoFrameOptions = {}): Promise<Jpeg> {
  if (!(frame instanceof Uint8Array) || frame.length === 0) {
    throw new ValidationError('video.frame', frame, 'a video frame must be non-empty bytes (Buffer or Uint8Array)');
  }
  const quality = Math.round(Math.min(100, Math.max(1, opts.quality ?? 85)));
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  let img: Sharp.Sharp;
  if (opts.raw) {
    const { width, height, channels } = opts.raw;
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width <= 0 ||
      height <= 0 ||
      width * height * channels !== buf.length
    ) {
      throw new ValidationError(
        'video.raw_shape',
        opts.raw,
        `raw frame of ${buf.length} bytes does not match ${width}×${height}×${channels}`,
      );
    }
    img = (await loadSharp())(buf, { raw: { width, height, channels } });
  } else if (isJpeg(buf)) {
    const size = jpegSize(buf);
    if (!size)
      throw new ValidationError(
        'video.jpeg',
        buf.length,
        'frame starts like a JPEG but has no readable size (SOF) in its header',
      );
    if (buf.length <= LIMITS.videoJpegBytes) return { data: buf, ...size, reencoded: false };
    img = (await loadSharp())(buf);
  } else if (isBmp(buf)) {
    let raw;
    try {
      raw = decodeBmp(buf);
    } catch (e) {
      throw new ValidationError('video.image', buf.length, (e as Error).message);
    }
    img = (await loadSharp())(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
  } else {
    img = (await loadSharp())(buf);
  }
  try {
    return await encodeUnderLimit(img, quality);
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    throw new ValidationError(
      'video.image',
      buf.length,
      `frame is not an image sharp can read (${(e as Error).message})`,
    );
  }
}

async function encodeUnderLimit(img: Sharp.Sharp, quality: number): Promise<Jpeg> {
  let q = quality;
  let scale = 1;
  const meta = await img.metadata();
  const w0 = meta.width ?? 0;
  for (let attempt = 0; attempt < 8; attempt++) {
    let pipe = img.clone();
    if (scale < 1 && w0 > 0) pipe = pipe.resize({ width: Math.max(16, Math.round(w0 * scale)) });
    const { data, info } = await pipe.jpeg({ quality: q, mozjpeg: false }).toBuffer({ resolveWithObject: true });
    if (data.length <= LIMITS.videoJpegBytes) return { data, width: info.width, height: info.height, reencoded: true };
    // Lower the quality first; when that is not enough, shrink the picture.
    if (q > 40) q = Math.max(40, q - 20);
    else scale *= 0.7;
  }
  throw new ValidationError('video.too_large', null, 'frame could not be encoded under 750 kB');
}
