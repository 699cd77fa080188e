// The messages of an authenticated device connection, as the read loop of gateway/device.go handles
// them: binary video frames, and text messages parsed, validated and rate limited by tier before
// telemetry, heartbeats, device errors, command results and legacy JSON video frames are recorded.
// The connection itself (auth, latency, freezing, closing) is gateway-session.ts.

import { isUtf8 } from 'node:buffer';
import type { SessionHub } from './gateway-session';
import { type MessageOutcome, hrNow } from './gateway-records';
import { type Obj, inferPointClasses, isObj, parseGoJson, tierForType, validateMessage } from './gateway-validate';
import { parseBinaryVideoFrame } from './gateway-video';
import type { TokenBucket } from './token-bucket';

/** An authenticated connection, as its messages see it. */
export interface OpenConnection {
  readonly hub: SessionHub;
  readonly org: string;
  readonly sourceId: string;
  readonly telemetry: TokenBucket;
  readonly control: TokenBucket;
  /** A text frame to the device, after the latency, in order. */
  reply(obj: Obj): void;
  /** Redis is down: the gateway stops reading and closes 1013 so the device buffers and comes back. */
  closeUnavailable(): void;
}

function note(
  c: OpenConnection,
  outcome: MessageOutcome,
  data: Buffer,
  binary: boolean,
  extra?: { type?: string; points?: number; detail?: string },
): void {
  const m = {
    sourceId: c.sourceId,
    org: c.org,
    binary,
    bytes: data.length,
    outcome,
    points: extra?.points ?? 0,
    at: hrNow(),
    ...(extra?.type !== undefined ? { type: extra.type } : {}),
    ...(extra?.detail !== undefined ? { detail: extra.detail } : {}),
  };
  c.hub.rec.message(m);
}

/** Binary frames are video: telemetry bucket first (drop silently), then the header. */
export function onBinaryMessage(c: OpenConnection, data: Buffer): void {
  if (!c.telemetry.consume()) return note(c, 'rate_limited', data, true);
  const f = parseBinaryVideoFrame(data);
  if (!f) return note(c, 'invalid_video', data, true);
  note(c, 'video', data, true);
  const rec = {
    sourceId: c.sourceId,
    cameraId: f.cameraId,
    width: f.width,
    height: f.height,
    timestamp: f.timestamp,
    jpegBytes: f.jpeg.length,
    binary: true,
    receivedAt: hrNow(),
    ...(c.hub.rec.full ? { jpeg: Buffer.from(f.jpeg) } : {}),
  };
  c.hub.rec.counters.videoFrames++;
  c.hub.rec.videoFrames.push(rec);
  c.hub.rec.emit('video', rec);
}

export function onTextMessage(c: OpenConnection, data: Buffer): void {
  const parsed = parseGoJson(data.toString('utf8'));
  if (!parsed.ok || (parsed.value !== null && !isObj(parsed.value))) {
    c.reply({ type: 'error', code: 'INVALID_JSON' });
    return note(c, 'invalid_json', data, false);
  }
  const msg = parsed.value;
  const type = typeof msg?.['type'] === 'string' ? msg['type'] : undefined;
  const typeInfo = type !== undefined ? { type } : {};
  if (msg && type === 'telemetry') inferPointClasses(msg['points']);
  const v = validateMessage(msg, c.hub.maxPoints);
  if (v.error !== undefined || !msg) {
    const detail = v.error ?? 'type must be a string';
    c.reply({ type: 'error', code: 'INVALID_MESSAGE', detail });
    return note(c, 'invalid_message', data, false, { ...typeInfo, detail });
  }
  const bucket = tierForType(v.type) === 'telemetry' ? c.telemetry : c.control;
  if (!bucket.consume()) {
    c.reply({ type: 'error', code: 'RATE_LIMITED' });
    return note(c, 'rate_limited', data, false, typeInfo);
  }
  const rec = c.hub.rec;
  switch (v.type) {
    case 'telemetry':
      return onTelemetry(c, msg, data);
    case 'heartbeat':
      // Stored through Redis: with Redis down the gateway only logs the failure.
      if (c.hub.redisDown()) return note(c, 'redis_unavailable', data, false, typeInfo);
      rec.heartbeats.push({ sourceId: c.sourceId, uptime_s: msg['uptime_s'], receivedAt: hrNow() });
      return note(c, 'control', data, false, typeInfo);
    case 'device_error':
      if (c.hub.redisDown()) return note(c, 'redis_unavailable', data, false, typeInfo);
      rec.deviceErrors.push({ sourceId: c.sourceId, msg });
      return note(c, 'control', data, false, typeInfo);
    case 'command_result':
      rec.commandResults.push({ sourceId: c.sourceId, msg });
      rec.emit('command_result', { sourceId: c.sourceId, msg });
      return note(c, 'control', data, false, typeInfo);
    case 'video_frame':
      return onTextVideo(c, msg, data);
    default: // pong, and a repeated device_auth: accepted and ignored
      return note(c, 'control', data, false, typeInfo);
  }
}

function onTelemetry(c: OpenConnection, msg: Obj, data: Buffer): void {
  const typeInfo = { type: 'telemetry' };
  // Safety ceiling per (org, source), checked when the message is processed: silent drop.
  if (!c.hub.sourceAllow(c.org, c.sourceId)) return note(c, 'source_limited', data, false, typeInfo);
  const points = msg['points'] as Obj[];
  if (points.length === 0) return note(c, 'accepted', data, false, typeInfo);
  if (c.hub.redisDown()) {
    // Batch not queued: tell the device and close 1013 so it buffers and reconnects later.
    c.reply({
      type: 'error',
      code: 'REDIS_UNAVAILABLE',
      detail: 'gateway degraded: redis unavailable, batch not queued',
    });
    c.closeUnavailable();
    return note(c, 'redis_unavailable', data, false, typeInfo);
  }
  const traceId = typeof msg['trace_id'] === 'string' ? msg['trace_id'] : undefined;
  c.hub.rec.acceptPoints('ws', c.org, c.sourceId, points, traceId);
  note(c, 'accepted', data, false, { ...typeInfo, points: points.length });
}

/** Legacy JSON video frame (base64 `frame`): relayed only if the raw bytes are valid UTF-8. */
function onTextVideo(c: OpenConnection, msg: Obj, data: Buffer): void {
  if (!isUtf8(data)) {
    c.reply({ type: 'error', code: 'INVALID_FRAME_ENCODING' });
    return note(c, 'invalid_frame_encoding', data, false, { type: 'video_frame' });
  }
  const jpeg = Buffer.from(msg['frame'] as string, 'base64');
  const num = (k: string): number => (typeof msg[k] === 'number' ? msg[k] : 0);
  const rec = {
    sourceId: c.sourceId,
    cameraId: msg['camera_id'] as string,
    width: num('width'),
    height: num('height'),
    timestamp: num('timestamp'),
    jpegBytes: jpeg.length,
    binary: false,
    receivedAt: hrNow(),
    ...(c.hub.rec.full ? { jpeg } : {}),
  };
  c.hub.rec.counters.videoFrames++;
  c.hub.rec.videoFrames.push(rec);
  c.hub.rec.emit('video', rec);
  note(c, 'video', data, false, { type: 'video_frame' });
}
