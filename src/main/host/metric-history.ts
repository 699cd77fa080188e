// Each metric's last minute, kept on the host so that a window that reloads (or reconnects) draws
// its sparklines and charts at once instead of starting them empty.
//
// Fed from the ticks (tick-builder.ts), not from the points: whatever the point rate, a metric
// costs one update per tick (500 metrics at 15 ticks/s: 7,500 updates a second, each a few
// typed-array writes). Decimated to one bucket per HISTORY_BUCKET_MS of SDK time holding min,
// max, last value and points, so a metric holds at most HISTORY_BUCKETS buckets of 40 bytes
// (≈ 5 kB) whatever its rate: 500 metrics ≈ 2.4 MB. A ring starts small and grows, so a metric
// seen once costs little. The metrics are those the preview remembers (it says which it forgets),
// so there are at most MAX_PREVIEW_NAMES rings. A text-valued metric keeps only its latest value.
// One answer holds at most MAX_ANSWER_BUCKETS buckets: when more metrics are kept than fit at full
// resolution, adjacent buckets are merged into wider ones.

import {
  HISTORY_BUCKET_MS,
  LIVE_WINDOW_MS,
  historyBucket,
  type LiveHistory,
  type MetricHistory,
  type MetricUpdate,
} from '../../shared/contract';

/** Buckets a full ring holds: the live window, and the bucket still filling. */
export const HISTORY_BUCKETS = LIVE_WINDOW_MS / HISTORY_BUCKET_MS + 1;
/**
 * Buckets one `live.history` answer holds at most: a full minute of 600 metrics (the 500 the
 * recorder is sized for, and room for its own), 3–6 MB of JSON. The headless link drops a window
 * that falls 8 MB behind, so the answer must stay under that however many metrics there are.
 */
export const MAX_ANSWER_BUCKETS = 600 * HISTORY_BUCKETS;
const FIRST_CAPACITY = 8;

/** One metric's buckets, oldest first from `head - size`, and its latest value. */
class Ring {
  t = new Float64Array(FIRST_CAPACITY);
  min = new Float64Array(FIRST_CAPACITY);
  max = new Float64Array(FIRST_CAPACITY);
  last = new Float64Array(FIRST_CAPACITY);
  count = new Float64Array(FIRST_CAPACITY);
  /** Where the next bucket goes. */
  head = 0;
  size = 0;
  value: MetricUpdate[1] = null;
  lastT = 0;

  /** Index of the i-th bucket, oldest first. */
  at(i: number): number {
    const cap = this.t.length;
    return (this.head - this.size + i + cap) % cap;
  }

  /** Merge one tick's numbers into the bucket of `t`, or start the next bucket. */
  add(t: number, lo: number, hi: number, last: number, count: number): void {
    if (this.size > 0) {
      const i = this.at(this.size - 1);
      const newest = historyBucket(this.t[i]!);
      const b = historyBucket(t);
      // A tick a little behind the newest bucket (the clock was nudged back) joins it, so the
      // buckets stay in time order.
      if (b === newest || b === newest - 1) {
        if (lo < this.min[i]!) this.min[i] = lo;
        if (hi > this.max[i]!) this.max[i] = hi;
        this.last[i] = last;
        this.count[i] = this.count[i]! + count;
        if (t > this.t[i]!) this.t[i] = t;
        return;
      }
      // The clock jumped back (its first sync): the older buckets are on another time base.
      if (b < newest) this.size = 0;
    }
    if (this.size === this.t.length && this.t.length < HISTORY_BUCKETS) this.grow();
    const i = this.head;
    this.t[i] = t;
    this.min[i] = lo;
    this.max[i] = hi;
    this.last[i] = last;
    this.count[i] = count;
    this.head = (i + 1) % this.t.length;
    if (this.size < this.t.length) this.size++;
  }

  /** Double the ring (at most HISTORY_BUCKETS), its buckets in order from index 0. */
  private grow(): void {
    const cap = Math.min(HISTORY_BUCKETS, this.t.length * 2);
    // The old slots, oldest first, taken before any column is replaced (at() reads the capacity).
    const slots = Array.from({ length: this.size }, (_, k) => this.at(k));
    const inOrder = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const col = new Float64Array(cap);
      slots.forEach((j, k) => (col[k] = old[j]!));
      return col;
    };
    this.t = inOrder(this.t);
    this.min = inOrder(this.min);
    this.max = inOrder(this.max);
    this.last = inOrder(this.last);
    this.count = inOrder(this.count);
    this.head = this.size % cap;
  }

  /** The buckets with a time at or after `from`, as the contract's columns. */
  view(name: string, from: number): MetricHistory {
    const out: MetricHistory = {
      name,
      value: this.value,
      lastT: this.lastT,
      t: [],
      min: [],
      max: [],
      last: [],
      count: [],
    };
    for (let k = 0; k < this.size; k++) {
      const j = this.at(k);
      if (this.t[j]! >= from) pushBucket(out, this, j);
    }
    return out;
  }
}

export class MetricHistories {
  private readonly rings = new Map<string, Ring>();

  /** One tick's updates (what the window got), at the tick's SDK time. */
  add(now: number, updates: readonly MetricUpdate[]): void {
    // Whole milliseconds: the window files each bucket by its time, and must find the same bucket.
    const t = Math.round(now);
    for (const [name, value, min, max, count] of updates) {
      let r = this.rings.get(name);
      if (!r) {
        r = new Ring();
        this.rings.set(name, r);
      }
      r.value = value;
      r.lastT = t;
      // Booleans are drawn as 0/1, as the window does; text has no line to draw.
      const num = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : NaN;
      if (Number.isNaN(num)) continue;
      r.add(t, min ?? num, max ?? num, num, count);
    }
  }

  /** The preview forgot the name (see MAX_PREVIEW_NAMES): its history goes too. */
  forget(name: string): void {
    this.rings.delete(name);
  }

  /** Forget the metrics under `prefix` last seen before `before` (their source went away). */
  retire(prefix: string, before: number): number {
    let n = 0;
    for (const [name, r] of this.rings)
      if (name.startsWith(prefix) && r.lastT < before) {
        this.rings.delete(name);
        n++;
      }
    return n;
  }

  /**
   * Every metric's latest value and its buckets of the live window ending at `now`: at full
   * resolution, or merged k by k into wider ones when they would be more than MAX_ANSWER_BUCKETS.
   */
  view(now: number): LiveHistory {
    const from = now - LIVE_WINDOW_MS;
    const metrics: MetricHistory[] = [];
    let buckets = 0;
    for (const [name, r] of this.rings) {
      const m = r.view(name, from);
      buckets += m.t.length;
      metrics.push(m);
    }
    const k = Math.ceil(buckets / MAX_ANSWER_BUCKETS);
    if (k <= 1) return { t: now, bucketMs: HISTORY_BUCKET_MS, metrics };
    const bucketMs = HISTORY_BUCKET_MS * k;
    return { t: now, bucketMs, metrics: metrics.map((m) => widen(m, bucketMs)) };
  }

  /** How much is held (for tests and diagnostics): metrics, buckets, and the bytes of their rings. */
  sizes(): { metrics: number; buckets: number; bytes: number } {
    let buckets = 0;
    let bytes = 0;
    for (const r of this.rings.values()) {
      buckets += r.size;
      bytes += r.t.byteLength * 5;
    }
    return { metrics: this.rings.size, buckets, bytes };
  }
}

/** Bucket columns, in a ring's typed arrays or an answer's plain ones. */
interface Buckets {
  t: ArrayLike<number>;
  min: ArrayLike<number>;
  max: ArrayLike<number>;
  last: ArrayLike<number>;
  count: ArrayLike<number>;
}

/** Appends bucket `i` of `from` to the answer's columns. */
function pushBucket(out: MetricHistory, from: Buckets, i: number): void {
  out.t.push(from.t[i]!);
  out.min.push(from.min[i]!);
  out.max.push(from.max[i]!);
  out.last.push(from.last[i]!);
  out.count.push(from.count[i]!);
}

/**
 * The buckets merged into buckets `bucketMs` wide (a multiple of HISTORY_BUCKET_MS, so each falls
 * in exactly one): min of the mins, max of the maxes, the last one's value and time, the points.
 */
function widen(m: MetricHistory, bucketMs: number): MetricHistory {
  const out: MetricHistory = { ...m, t: [], min: [], max: [], last: [], count: [] };
  let slot = NaN;
  for (let i = 0; i < m.t.length; i++) {
    const s = historyBucket(m.t[i]!, bucketMs);
    const n = out.t.length - 1;
    if (s === slot) {
      out.t[n] = m.t[i]!;
      out.min[n] = Math.min(out.min[n]!, m.min[i]!);
      out.max[n] = Math.max(out.max[n]!, m.max[i]!);
      out.last[n] = m.last[i]!;
      out.count[n] = out.count[n]! + m.count[i]!;
    } else {
      slot = s;
      pushBucket(out, m, i);
    }
  }
  return out;
}
