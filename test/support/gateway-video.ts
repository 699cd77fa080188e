// Binary video frames (docs/protocol.md §4, parseBinaryVideoFrame in gateway/device.go).
// Layout, big-endian: 0x01 | src_len | source_id | cam_len | camera_id | width u32 | height u32 |
// timestamp_ms i64 | JPEG bytes. The gateway ignores the embedded source_id.

export interface ParsedVideoFrame {
  sourceIdInFrame: string;
  cameraId: string;
  width: number;
  height: number;
  timestamp: number;
  jpeg: Buffer;
}

/** Returns null for a frame the gateway would drop silently (bad version or truncated header). */
export function parseBinaryVideoFrame(data: Buffer): ParsedVideoFrame | null {
  if (data.length < 2 || data[0] !== 0x01) return null;
  let i = 1;
  const srcLen = data[i] ?? 0;
  i++;
  if (data.length < i + srcLen) return null;
  const sourceIdInFrame = data.toString('utf8', i, i + srcLen);
  i += srcLen;
  if (data.length < i + 1) return null;
  const camLen = data[i] ?? 0;
  i++;
  if (data.length < i + camLen) return null;
  const cameraId = data.toString('utf8', i, i + camLen);
  i += camLen;
  if (data.length < i + 16) return null;
  const width = data.readUInt32BE(i);
  const height = data.readUInt32BE(i + 4);
  const timestamp = Number(data.readBigInt64BE(i + 8));
  i += 16;
  return { sourceIdInFrame, cameraId, width, height, timestamp, jpeg: data.subarray(i) };
}

/** Builds a frame in the wire format (for tests and benches that play the device). */
export function encodeVideoFrame(f: {
  sourceId: string;
  cameraId: string;
  width: number;
  height: number;
  timestamp: number;
  jpeg: Buffer;
}): Buffer {
  const src = Buffer.from(f.sourceId, 'utf8');
  const cam = Buffer.from(f.cameraId, 'utf8');
  if (src.length > 255 || cam.length > 255) throw new Error('source_id and camera_id must be <= 255 bytes');
  const head = Buffer.alloc(3 + src.length + cam.length + 16);
  let i = 0;
  head[i++] = 0x01;
  head[i++] = src.length;
  src.copy(head, i);
  i += src.length;
  head[i++] = cam.length;
  cam.copy(head, i);
  i += cam.length;
  head.writeUInt32BE(f.width >>> 0, i);
  head.writeUInt32BE(f.height >>> 0, i + 4);
  head.writeBigInt64BE(BigInt(Math.trunc(f.timestamp)), i + 8);
  return Buffer.concat([head, f.jpeg]);
}
