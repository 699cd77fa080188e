// What the window needs of the live data, coalesced: per metric the last value and the min/max
// over the tick's window, events as a short list, and points per second. At 50,000 points/s this
// is a map update per point; the window gets one small message per tick instead.

import type { MetricUpdate, PreviewEvent } from '../../shared/contract';

interface Slot {
  last: number | string | boolean | null;
  min: number | null;
  max: number | null;
  count: number;
}

const MAX_EVENTS_PER_TICK = 100;
const MAX_TEXT = 200;

function display(v: unknown): string | boolean | null {
  if (typeof v === 'string') return v.length > MAX_TEXT ? `${v.slice(0, MAX_TEXT - 1)}…` : v;
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined) return null;
  const s = JSON.stringify(v) ?? '';
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

export class PreviewAggregator {
  private window = new Map<string, Slot>();
  private events: PreviewEvent[] = [];
  private eventsDropped = 0;
  private points = 0;
  /** Points per one-second bucket, for a steady points/s figure. */
  private history: Array<{ at: number; points: number }> = [];
  private bucket = { at: 0, points: 0 };
  readonly names = new Set<string>();

  record(metric: string, value: unknown, t: number, runId: string | null): void {
    this.points++;
    let s = this.window.get(metric);
    if (!s) {
      s = { last: null, min: null, max: null, count: 0 };
      this.window.set(metric, s);
      this.names.add(metric);
    }
    s.count++;
    if (typeof value === 'number') {
      s.last = value;
      s.min = s.min === null || value < s.min ? value : s.min;
      s.max = s.max === null || value > s.max ? value : s.max;
      return;
    }
    s.last = display(value);
    if (this.events.length < MAX_EVENTS_PER_TICK) this.events.push({ metric, value: display(value), t, runId });
    else this.eventsDropped++;
  }

  /** The window since the last take(), and start a new one. */
  take(now: number): { metrics: MetricUpdate[]; events: PreviewEvent[]; eventsDropped: number; points: number } {
    const metrics: MetricUpdate[] = [];
    for (const [name, s] of this.window) metrics.push([name, s.last, s.min, s.max, s.count]);
    const out = { metrics, events: this.events, eventsDropped: this.eventsDropped, points: this.points };
    this.window = new Map();
    this.events = [];
    this.eventsDropped = 0;
    this.addToRate(now, this.points);
    this.points = 0;
    return out;
  }

  private addToRate(now: number, points: number): void {
    const second = Math.floor(now / 1000);
    if (this.bucket.at !== second) {
      if (this.bucket.at) this.history.push(this.bucket);
      this.bucket = { at: second, points: 0 };
      while (this.history.length > 3) this.history.shift();
    }
    this.bucket.points += points;
  }

  /** Points per second over the last full seconds. */
  rate(): number {
    if (this.history.length === 0) return this.bucket.points;
    return Math.round(this.history.reduce((a, b) => a + b.points, 0) / this.history.length);
  }
}
