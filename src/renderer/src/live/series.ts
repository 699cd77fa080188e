// One metric's last 60 s: a ring of (t, min, max, last, count) samples, one per tick that carried
// the metric. Typed arrays outside React; capacity grows on demand so rarely-updated metrics stay small.
// A window that (re)opens fills it with the host's coarser history first (seed), so its
// sparkline and charts show the last minute at once.
import {
  HISTORY_BUCKET_MS,
  LIVE_WINDOW_MS,
  historyBucket,
  type MetricHistory,
  type MetricUpdate,
} from '../../../shared/contract';
import { Cadence } from './cadence';
import { StableDecimals } from './decimals';

export const WINDOW_MS = LIVE_WINDOW_MS;
/** 60 s at 20 ticks/s is 1200 samples; headroom for ticks arriving a little faster. */
const MAX_CAPACITY = 1536;
const FIRST_CAPACITY = 32;

export class Series {
  t = new Float64Array(FIRST_CAPACITY);
  min = new Float32Array(FIRST_CAPACITY);
  max = new Float32Array(FIRST_CAPACITY);
  last = new Float32Array(FIRST_CAPACITY);
  count = new Float32Array(FIRST_CAPACITY);
  /** Index the next sample is written to. */
  head = 0;
  /** Samples held (≤ capacity). */
  size = 0;
  /** The latest value exactly as the host sent it (strings and booleans included). */
  value: MetricUpdate[1] = null;
  readonly decimals = new StableDecimals();
  /** How regularly it arrives, to tell a stopped metric from a sparse one. */
  readonly cadence = new Cadence();
  /** Bumped on every sample, so drawers know what they have already shown. */
  version = 0;
  /** Host time of the latest sample. */
  lastT = 0;
  /** Host time this window first saw the metric (rates before it are unknown). */
  firstT = 0;
  /** For text-valued metrics: the times the text changed within the window (drawn as ticks). */
  readonly changes: number[] = [];

  constructor(readonly name: string) {}

  get capacity(): number {
    return this.t.length;
  }

  /** Index of the i-th held sample, oldest first. */
  at(i: number): number {
    const cap = this.t.length;
    return (this.head - this.size + i + cap) % cap;
  }

  push(t: number, u: MetricUpdate): void {
    const [, value, min, max, count] = u;
    if (typeof value === 'string' && value !== this.value) {
      this.changes.push(t);
      while (this.changes.length > 0 && this.changes[0]! < t - WINDOW_MS) this.changes.shift();
      if (this.changes.length > 500) this.changes.shift();
    }
    this.value = value;
    if (this.firstT === 0) this.firstT = t;
    this.lastT = t;
    this.version++;
    const num = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : NaN;
    this.cadence.note(t);
    if (typeof value === 'number') this.decimals.observe(value);
    if (this.size === this.t.length && this.t.length < MAX_CAPACITY) this.grow();
    const i = this.head;
    this.t[i] = t;
    this.min[i] = min ?? num;
    this.max[i] = max ?? num;
    this.last[i] = num;
    this.count[i] = count;
    this.head = (i + 1) % this.t.length;
    if (this.size < this.t.length) this.size++;
  }

  /**
   * Fill in the host's history of this metric (the window opened, reloaded or reconnected), in
   * buckets `bucketMs` wide: a bucket goes in only where this window has no sample of its own in
   * the bucket's span, so no point is counted twice when ticks arrived before the history did;
   * the samples stay in time order. The latest value is the host's when it is newer than this
   * window's.
   */
  seed(h: MetricHistory, bucketMs = HISTORY_BUCKET_MS): void {
    const own = new Set<number>();
    for (let k = 0; k < this.size; k++) own.add(historyBucket(this.t[this.at(k)]!, bucketMs));
    const add: number[] = [];
    for (let i = 0; i < h.t.length; i++) if (!own.has(historyBucket(h.t[i]!, bucketMs))) add.push(i);
    if (h.lastT > this.lastT) {
      this.value = h.value;
      this.lastT = h.lastT;
      if (typeof h.value === 'number') this.decimals.observe(h.value);
    }
    if (add.length === 0) {
      this.version++;
      return;
    }
    // Merge the two time-ordered runs (this ring's samples, the buckets to add), keeping the newest.
    const n = Math.min(MAX_CAPACITY, this.size + add.length);
    let cap = FIRST_CAPACITY;
    while (cap < n) cap = Math.min(MAX_CAPACITY, cap * 2);
    const t = new Float64Array(cap);
    const min = new Float32Array(cap);
    const max = new Float32Array(cap);
    const last = new Float32Array(cap);
    const count = new Float32Array(cap);
    let a = this.size - 1;
    let b = add.length - 1;
    for (let k = n - 1; k >= 0; k--) {
      const j = a >= 0 ? this.at(a) : -1;
      const i = b >= 0 ? add[b]! : -1;
      if (i < 0 || (j >= 0 && this.t[j]! >= h.t[i]!)) {
        t[k] = this.t[j]!;
        min[k] = this.min[j]!;
        max[k] = this.max[j]!;
        last[k] = this.last[j]!;
        count[k] = this.count[j]!;
        a--;
      } else {
        t[k] = h.t[i]!;
        min[k] = h.min[i]!;
        max[k] = h.max[i]!;
        last[k] = h.last[i]!;
        count[k] = h.count[i]!;
        this.decimals.observe(h.last[i]!);
        b--;
      }
    }
    // The buckets tell the cadence how often the metric came (only those after what it has seen count).
    for (const i of add) this.cadence.note(h.t[i]!);
    this.t = t;
    this.min = min;
    this.max = max;
    this.last = last;
    this.count = count;
    this.size = n;
    this.head = n % cap;
    this.firstT = this.firstT === 0 ? t[0]! : Math.min(this.firstT, t[0]!);
    if (t[n - 1]! > this.lastT) this.lastT = t[n - 1]!;
    this.version++;
  }

  /** Double the ring, keeping samples in order (oldest at index 0). */
  private grow(): void {
    const cap = Math.min(MAX_CAPACITY, this.t.length * 2);
    const t = new Float64Array(cap);
    const min = new Float32Array(cap);
    const max = new Float32Array(cap);
    const last = new Float32Array(cap);
    const count = new Float32Array(cap);
    for (let k = 0; k < this.size; k++) {
      const j = this.at(k);
      t[k] = this.t[j]!;
      min[k] = this.min[j]!;
      max[k] = this.max[j]!;
      last[k] = this.last[j]!;
      count[k] = this.count[j]!;
    }
    this.t = t;
    this.min = min;
    this.max = max;
    this.last = last;
    this.count = count;
    this.head = this.size % cap;
  }

  /** Min, max and points/s over the samples in (from, now]. NaN when there are none. */
  stats(from: number, now: number): { min: number; max: number; rate: number } {
    let lo = Infinity;
    let hi = -Infinity;
    let points = 0;
    for (let k = this.size - 1; k >= 0; k--) {
      const j = this.at(k);
      if (this.t[j]! < from) break;
      points += this.count[j]!;
      const a = this.min[j]!;
      const b = this.max[j]!;
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    }
    // Rated over the part of the window this metric has been watched, at least a second, so a
    // metric seen twice in quick succession does not read as a flood.
    const span = Math.max(1000, now - Math.max(from, this.firstT));
    return {
      min: lo === Infinity ? NaN : lo,
      max: hi === -Infinity ? NaN : hi,
      rate: (points * 1000) / span,
    };
  }
}
