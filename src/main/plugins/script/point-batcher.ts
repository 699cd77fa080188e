// The worker's side of the point path: points collect in columns and go to the host as one
// message per batch (when the batch is full, or once the plugin's current task is done). Metric
// names are sent once and then referred to by index. When the host falls behind, a sending plugin
// waits (backpressure) instead of growing the main process's memory without bound.

import { BATCH_POINTS, CREDIT_HIGH_WATER, FLAG_OTHER, type PointsMessage, type WorkerMessage } from './protocol';

export class PointBatcher {
  private ids = new Uint32Array(BATCH_POINTS);
  private nums = new Float64Array(BATCH_POINTS);
  private ts = new Float64Array(BATCH_POINTS);
  private flags = new Uint8Array(BATCH_POINTS);
  private other: unknown[] = [];
  private tags: Array<[number, Record<string, string>]> | null = null;
  private n = 0;
  private readonly names = new Map<string, number>();
  private newNames: string[] = [];
  private scheduled = false;
  private readonly credit: Int32Array;

  constructor(
    private readonly post: (msg: WorkerMessage, transfer?: ArrayBuffer[]) => void,
    credit: SharedArrayBuffer,
  ) {
    this.credit = new Int32Array(credit);
  }

  add(metric: string, value: unknown, ts: number, flags: number, tags: Record<string, string> | undefined): void {
    let id = this.names.get(metric);
    if (id === undefined) {
      id = this.names.size;
      this.names.set(metric, id);
      this.newNames.push(metric);
    }
    const i = this.n++;
    this.ids[i] = id;
    this.ts[i] = ts;
    if (typeof value === 'number') {
      this.nums[i] = value;
      this.flags[i] = flags;
    } else {
      this.other.push(value);
      this.flags[i] = flags | FLAG_OTHER;
    }
    if (tags) (this.tags ??= []).push([i, tags]);
    if (this.n === BATCH_POINTS) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Post what has collected (and wait while the host has too many points in hand). */
  flush(): void {
    this.scheduled = false;
    if (this.newNames.length > 0) {
      this.post({ t: 'names', names: this.newNames });
      this.newNames = [];
    }
    const n = this.n;
    if (n === 0) return;
    const full = n === BATCH_POINTS;
    const msg: PointsMessage = {
      t: 'points',
      n,
      ids: full ? this.ids : this.ids.slice(0, n),
      nums: full ? this.nums : this.nums.slice(0, n),
      ts: full ? this.ts : this.ts.slice(0, n),
      flags: full ? this.flags : this.flags.slice(0, n),
      other: this.other,
      tags: this.tags,
    };
    this.post(msg, [msg.ids.buffer, msg.nums.buffer, msg.ts.buffer, msg.flags.buffer] as ArrayBuffer[]);
    if (full) {
      // The full arrays were handed over (transferred): start new ones.
      this.ids = new Uint32Array(BATCH_POINTS);
      this.nums = new Float64Array(BATCH_POINTS);
      this.ts = new Float64Array(BATCH_POINTS);
      this.flags = new Uint8Array(BATCH_POINTS);
    }
    this.other = [];
    this.tags = null;
    this.n = 0;
    const inFlight = Atomics.add(this.credit, 0, n) + n;
    if (inFlight > CREDIT_HIGH_WATER) this.waitForHost();
  }

  /** Block this worker (only) until the host has recorded enough of what it was sent. */
  private waitForHost(): void {
    for (;;) {
      const v = Atomics.load(this.credit, 0);
      if (v <= CREDIT_HIGH_WATER / 2) return;
      Atomics.wait(this.credit, 0, v, 100);
    }
  }
}
