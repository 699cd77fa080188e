// Collects the points of the messages that arrive in one turn of the event loop and records them
// with one ctx.sendBatch call. MQTT.js hands over the messages of one socket read one by one (each
// on its own process.nextTick), all before any setImmediate runs: so a burst of a thousand messages
// becomes one batch, while a lone message still goes out in the same turn it arrived in.

import type { BatchPoint, PointValue } from 'plexus-bench/plugin';

/** Past this many points a batch goes at once, so a long burst cannot grow memory unbounded. */
const MAX_POINTS = 5000;

export class TickBatch {
  private points: BatchPoint[] = [];
  private timestamp = 0;
  private scheduled = false;

  constructor(
    private readonly record: (points: BatchPoint[], timestamp: number) => void,
    private readonly now: () => number,
  ) {}

  add(metric: string, value: PointValue): void {
    if (this.points.length === 0) this.timestamp = this.now(); // when the burst arrived
    this.points.push({ metric, value });
    if (this.points.length >= MAX_POINTS) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Records what has collected (also called on stop, so nothing received is left behind). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.points.length === 0) return;
    const points = this.points;
    this.points = [];
    this.record(points, this.timestamp);
  };
}
