// What the window needs of the live data, coalesced: per metric the last value and the min/max
// over the tick's window, events as a short list, and points per second. At 50,000 points/s this
// is a map update per point; the window gets one small message per tick instead.
//
// Nothing here grows with the number of distinct metric names over time (a source may invent a new
// name for every point): the names remembered across ticks are the 10,000 most recently seen, and
// one tick's window holds at most 10,000 metrics (the points of further new names in that tick are
// counted, not shown).

import type { MetricUpdate, PreviewEvent } from '../../shared/contract';

interface Slot {
  last: number | string | boolean | null;
  min: number | null;
  max: number | null;
  count: number;
}

const MAX_EVENTS_PER_TICK = 100;
/** Recent events (markers apart: they have their own list) kept for a window that opens or reloads. */
export const EVENT_HISTORY = 200;
const MAX_TEXT = 200;
/** Metric names remembered across ticks: the most recently seen ones. */
export const MAX_PREVIEW_NAMES = 10_000;
/** Distinct metrics in one tick's window. */
export const MAX_METRICS_PER_TICK = 10_000;

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
  /** The most recently seen metric names, oldest first (insertion order), at most MAX_PREVIEW_NAMES. */
  private readonly recent = new Set<string>();
  /** A live iterator over `recent`: its next entry is the oldest name (see remember). */
  private oldest: Iterator<string> = this.recent.values();
  /** Points of this tick whose metric did not fit in the window. */
  private metricsDropped = 0;
  /** The last EVENT_HISTORY events, a ring: `historyAt` is where the next one goes. */
  private readonly eventRing: PreviewEvent[] = [];
  private historyAt = 0;

  /** `forgotten`: told each name it stops remembering, so what is kept per name elsewhere goes too. */
  constructor(private readonly forgotten: (metric: string) => void = () => {}) {}

  /** Recent events (not markers), oldest first: what a reloaded window lists again. */
  recentEvents(): PreviewEvent[] {
    return [...this.eventRing.slice(this.historyAt), ...this.eventRing.slice(0, this.historyAt)];
  }

  /** Metric names seen lately: the MAX_PREVIEW_NAMES most recent, oldest first. */
  get names(): ReadonlySet<string> {
    return this.recent;
  }

  /** How much is held (for tests and diagnostics): remembered names, and metrics in this tick's window. */
  sizes(): { names: number; window: number } {
    return { names: this.recent.size, window: this.window.size };
  }

  record(metric: string, value: unknown, t: number, runId: string | null): void {
    this.points++;
    let s = this.window.get(metric);
    if (!s) {
      if (this.window.size >= MAX_METRICS_PER_TICK) {
        this.metricsDropped++;
        if (typeof value !== 'number') this.addEvent(metric, value, t, runId);
        return;
      }
      s = { last: null, min: null, max: null, count: 0 };
      this.window.set(metric, s);
      this.remember(metric);
    }
    s.count++;
    if (typeof value === 'number') {
      s.last = value;
      s.min = s.min === null || value < s.min ? value : s.min;
      s.max = s.max === null || value > s.max ? value : s.max;
      return;
    }
    s.last = display(value);
    this.addEvent(metric, value, t, runId);
  }

  private addEvent(metric: string, value: unknown, t: number, runId: string | null): void {
    const e = { metric, value: display(value), t, runId };
    if (this.events.length < MAX_EVENTS_PER_TICK) this.events.push(e);
    else this.eventsDropped++;
    if (metric === 'marker') return;
    if (this.eventRing.length < EVENT_HISTORY) this.eventRing.push(e);
    else this.eventRing[this.historyAt] = e;
    this.historyAt = (this.historyAt + 1) % EVENT_HISTORY;
  }

  /** Marks `metric` as seen now (once per tick per metric), forgetting the oldest name beyond the cap. */
  private remember(metric: string): void {
    const names = this.recent;
    if (!names.delete(metric) && names.size >= MAX_PREVIEW_NAMES) {
      // A Set iterates in insertion order and a live iterator skips deleted entries and reaches
      // later ones, so one kept cursor always points at the oldest name. (A fresh iterator per
      // eviction would step over every hole deletions left since the table was last compacted.)
      let oldest = this.oldest.next();
      if (oldest.done) {
        this.oldest = names.values();
        oldest = this.oldest.next();
      }
      if (!oldest.done) {
        names.delete(oldest.value);
        this.forgotten(oldest.value);
      }
    }
    names.add(metric);
  }

  /** The window since the last take(), and start a new one. */
  take(now: number): {
    metrics: MetricUpdate[];
    events: PreviewEvent[];
    eventsDropped: number;
    /** Points of metrics left out of `metrics` (more than MAX_METRICS_PER_TICK names in the tick). */
    metricsDropped: number;
    points: number;
  } {
    const metrics: MetricUpdate[] = [];
    for (const [name, s] of this.window) metrics.push([name, s.last, s.min, s.max, s.count]);
    const out = {
      metrics,
      events: this.events,
      eventsDropped: this.eventsDropped,
      metricsDropped: this.metricsDropped,
      points: this.points,
    };
    this.window = new Map();
    this.events = [];
    this.eventsDropped = 0;
    this.metricsDropped = 0;
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
