// The sink device readers write to: it records through the Plexus client (which validates and
// stores) and, for what the client accepted, feeds the live preview. Video frames pass through.

import type { Plexus, SendOptions, VideoFrameOptions, VideoResult } from '../plexus';
import type { TelemetrySink } from '../devices/types';
import type { PreviewAggregator } from './preview';

export class RecordingSink implements TelemetrySink {
  constructor(
    private readonly client: Plexus,
    private readonly preview: PreviewAggregator,
  ) {}

  now(): number {
    return this.client.now();
  }

  private runId(): string | null {
    return this.client.currentRun()?.id ?? null;
  }

  send(metric: string, value: unknown, opts?: SendOptions): number {
    const seq = this.client.send(metric, value, opts);
    this.preview.record(metric, value, stamp(opts?.timestamp, this.client), this.runId());
    return seq;
  }

  /** An event (a string value stays an event, a number too). */
  event(name: string, data: unknown, opts?: SendOptions): number {
    const seq = this.client.event(name, data, opts);
    this.preview.record(
      name,
      typeof data === 'number' ? String(data) : data,
      stamp(opts?.timestamp, this.client),
      this.runId(),
    );
    return seq;
  }

  sendBatch(
    points: Array<{ metric: string; value: unknown; timestamp?: number; tags?: Record<string, string> }>,
    opts?: SendOptions,
  ): number {
    const seq = this.client.sendBatch(points, opts);
    const t = stamp(opts?.timestamp, this.client);
    const run = this.runId();
    for (const p of points) this.preview.record(p.metric, p.value, p.timestamp ?? t, run);
    return seq;
  }

  sendVideoFrame(frame: Uint8Array, cameraId: string, opts?: VideoFrameOptions): Promise<VideoResult> {
    return this.client.sendVideoFrame(frame, cameraId, opts);
  }
}

function stamp(ts: number | Date | undefined, client: Plexus): number {
  if (ts instanceof Date) return ts.getTime();
  return typeof ts === 'number' ? ts : client.now();
}
