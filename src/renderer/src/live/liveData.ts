// The live preview's data, kept outside React: one Series per metric, the recent events, and
// version counters the frame loop compares against what it last drew. sync.ts feeds it ticks, and
// the host's history of the last minute when the window opens or its link reopens.
import type { LiveHistory, MetricUpdate, PreviewEvent } from '../../../shared/contract';
import { Series, WINDOW_MS } from './series';

const series = new Map<string, Series>();
let sortedNames: string[] = [];

/** Events kept for the list and the sparkline markers. */
const MAX_EVENTS = 500;
const events: PreviewEvent[] = [];

export const live = {
  /** Host time of the latest tick (the right edge of every sparkline). */
  latestT: 0,
  /** Bumped per applied tick with metrics or events: the frame loop redraws when it moved. */
  version: 0,
  /** Events received, ever: charts compare it to know when to redraw their markers. */
  events: 0,
  /** Events the host dropped from ticks (more than it sends per tick), since the window opened. */
  eventsDropped: 0,
};

/** Apply one tick's metric updates. Returns true when a metric name appeared for the first time. */
export function applyMetrics(t: number, updates: MetricUpdate[]): boolean {
  let added = false;
  for (const u of updates) {
    let s = series.get(u[0]);
    if (!s) {
      s = new Series(u[0]);
      series.set(u[0], s);
      added = true;
    }
    s.push(t, u);
  }
  if (added) sortedNames = [...series.keys()].sort((a, b) => a.localeCompare(b));
  if (t > live.latestT) live.latestT = t;
  if (updates.length > 0) live.version++;
  return added;
}

/**
 * Seed the series from the host's history (live.history): the window draws the last minute at
 * once instead of from its first tick. Returns true when a metric name appeared for the first time.
 */
export function applyHistory(h: LiveHistory): boolean {
  let added = false;
  for (const m of h.metrics) {
    let s = series.get(m.name);
    if (!s) {
      s = new Series(m.name);
      series.set(m.name, s);
      added = true;
    }
    s.seed(m, h.bucketMs);
  }
  if (added) sortedNames = [...series.keys()].sort((a, b) => a.localeCompare(b));
  if (h.t > live.latestT) live.latestT = h.t;
  if (h.metrics.length > 0) live.version++;
  return added;
}

/** Apply one tick's events. Returns true when there were any. */
export function applyEvents(t: number, list: PreviewEvent[], dropped: number): boolean {
  live.eventsDropped += dropped;
  if (t > live.latestT) live.latestT = t;
  if (list.length === 0) return dropped > 0;
  events.push(...list);
  live.events += list.length;
  if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
  live.version++;
  return true;
}

/** Forget the metrics `drop` picks (their source went away). Returns how many were forgotten. */
export function forgetMetrics(drop: (s: Series) => boolean): number {
  let n = 0;
  for (const [name, s] of series)
    if (drop(s)) {
      series.delete(name);
      n++;
    }
  if (n > 0) {
    sortedNames = sortedNames.filter((name) => series.has(name));
    live.version++;
  }
  return n;
}

export function getSeries(name: string): Series | undefined {
  return series.get(name);
}

/** Every metric name seen, sorted. The same array until the set of names changes. */
export function metricNames(): readonly string[] {
  return sortedNames;
}

/** Events newest first, at most `limit`. */
export function recentEvents(limit: number): PreviewEvent[] {
  return events.slice(-limit).reverse();
}

/** Events within the sparkline window ending at `end`, oldest first. */
export function eventsInWindow(end: number): PreviewEvent[] {
  const from = end - WINDOW_MS;
  let i = events.length;
  while (i > 0 && events[i - 1]!.t >= from) i--;
  return events.slice(i);
}

/** Events with from ≤ t ≤ to, oldest first (the charts' visible range). */
export function eventsBetween(from: number, to: number): PreviewEvent[] {
  const out: PreviewEvent[] = [];
  for (const e of events) if (e.t >= from && e.t <= to) out.push(e);
  return out;
}

export function isMarker(e: PreviewEvent): boolean {
  return e.metric === 'marker';
}
