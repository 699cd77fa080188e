// Live video (protocol §4): a frame goes out at once over the open WebSocket or is dropped and
// counted — never buffered, never queued. One encode per camera at a time (a frame arriving
// while the last one is still being encoded is dropped: the next will be newer anyway). The
// cameras seen are advertised on the next connect.

import type { ClientStats, VideoResult } from './client-types';
import type { DroppedInfo } from './drops';
import { ValidationError, describeValue } from './errors';
import { normalizeTimestamp } from './validate';
import { encodeVideoMessage, toJpeg, type VideoFrameOptions } from './video';

export interface VideoLink {
  connected(): boolean;
  send(message: Buffer): 'sent' | 'backpressure' | 'rate' | 'closed';
  sourceId(): string;
  /** Now on the client's clock (epoch ms). */
  now(): number;
  dropped(reason: DroppedInfo['reason'], cameraId: string): void;
}

type Counts = { sent: number; dropped: number };

export class VideoSender {
  /** camera id → video type, as advertised in device_auth. */
  private readonly cameras = new Map<string, string>();
  private readonly counts = { sent: 0, dropped: 0, cameras: {} as Record<string, Counts> };
  private readonly encoding = new Set<string>();

  constructor(
    private readonly link: VideoLink,
    cameras: ReadonlyArray<{ camera_id: string; video_type: string }>,
  ) {
    for (const c of cameras) this.cameras.set(c.camera_id, c.video_type);
  }

  /** The cameras for device_auth (none: the field is left out). */
  advertised(): Array<{ camera_id: string; video_type: string }> {
    return [...this.cameras].map(([camera_id, video_type]) => ({ camera_id, video_type }));
  }

  stats(): ClientStats['video'] {
    return { sent: this.counts.sent, dropped: this.counts.dropped, cameras: structuredClone(this.counts.cameras) };
  }

  /** See Plexus.sendVideoFrame. */
  async send(frame: Uint8Array, cameraId: string, opts: VideoFrameOptions): Promise<VideoResult> {
    if (typeof cameraId !== 'string' || cameraId.length === 0 || Buffer.byteLength(cameraId) > 255) {
      throw new ValidationError(
        'video.camera_id',
        cameraId,
        `camera id must be 1–255 bytes, got ${describeValue(cameraId)}`,
      );
    }
    const ts = opts.timestamp !== undefined ? normalizeTimestamp(opts.timestamp) : Math.round(this.link.now());
    const cam = (this.counts.cameras[cameraId] ??= { sent: 0, dropped: 0 });
    if (!this.cameras.has(cameraId)) this.cameras.set(cameraId, 'normal');
    const drop = (reason: NonNullable<VideoResult['reason']>): VideoResult => {
      cam.dropped++;
      this.counts.dropped++;
      this.link.dropped(`video-${reason}`, cameraId);
      return { sent: false, reason };
    };
    if (!this.link.connected()) return drop('not-connected');
    if (this.encoding.has(cameraId)) return drop('busy');
    this.encoding.add(cameraId);
    let jpeg;
    try {
      jpeg = await toJpeg(frame, opts);
    } finally {
      this.encoding.delete(cameraId);
    }
    const msg = encodeVideoMessage(this.link.sourceId(), cameraId, jpeg.width, jpeg.height, ts, jpeg.data);
    const r = this.link.send(msg);
    if (r !== 'sent') return drop(r === 'closed' ? 'not-connected' : r);
    cam.sent++;
    this.counts.sent++;
    return { sent: true, width: jpeg.width, height: jpeg.height, bytes: jpeg.data.length };
  }
}
