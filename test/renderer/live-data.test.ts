// The live preview's store (src/renderer/src/live/liveData.ts) and the host clock the window keeps
// (live/clock.ts). Both keep module state, so each test loads a fresh copy.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MetricUpdate, PreviewEvent } from '../../src/shared/contract';

type LiveData = typeof import('../../src/renderer/src/live/liveData');
type Clock = typeof import('../../src/renderer/src/live/clock');
// Loaded afresh per test (vi.resetModules): the paths as values, so the import is the runtime's.
const LIVE_DATA: string = '../../src/renderer/src/live/liveData';
const CLOCK: string = '../../src/renderer/src/live/clock';

let L: LiveData;
beforeEach(async () => {
  vi.resetModules();
  L = (await import(LIVE_DATA)) as LiveData;
});

const m = (name: string, value: number): MetricUpdate => [name, value, null, null, 1];
const ev = (t: number, metric = 'fault'): PreviewEvent => ({ metric, value: null, t, runId: null });

describe('live data', () => {
  it('creates a series per new metric, keeps names sorted, and says when a name appeared', () => {
    expect(L.applyMetrics(1000, [m('b.x', 1), m('a.y', 2)])).toBe(true);
    const names = L.metricNames();
    expect(names).toEqual(['a.y', 'b.x']);
    expect(L.applyMetrics(1050, [m('b.x', 3)])).toBe(false);
    expect(L.metricNames()).toBe(names); // the same array while the set of names is unchanged
    expect(L.getSeries('b.x')!.size).toBe(2);
    expect(L.getSeries('nope')).toBeUndefined();
  });

  it('moves latestT only forward and bumps the version only for ticks that carried something', () => {
    L.applyMetrics(2000, [m('a', 1)]);
    const v = L.live.version;
    L.applyMetrics(1500, [m('a', 2)]); // a late tick
    expect(L.live.latestT).toBe(2000);
    expect(L.live.version).toBe(v + 1);
    L.applyMetrics(2500, []);
    expect(L.live.latestT).toBe(2500);
    expect(L.live.version).toBe(v + 1);
    expect(L.applyEvents(2600, [], 0)).toBe(false);
    expect(L.live.version).toBe(v + 1);
  });

  it('counts events the host dropped, even in a tick without events', () => {
    expect(L.applyEvents(1000, [], 3)).toBe(true);
    expect(L.applyEvents(1100, [ev(1100)], 2)).toBe(true);
    expect(L.live.eventsDropped).toBe(5);
  });

  it('keeps the newest 500 events; recentEvents is newest first, at most the limit', () => {
    for (let i = 0; i < 520; i++) L.applyEvents(i, [ev(i)], 0);
    const recent = L.recentEvents(1000);
    expect(recent).toHaveLength(500);
    expect(recent[0]!.t).toBe(519);
    expect(recent.at(-1)!.t).toBe(20);
    expect(L.recentEvents(3).map((e) => e.t)).toEqual([519, 518, 517]);
  });

  it('eventsInWindow returns the events of the last 60 s, oldest first, the edge included', () => {
    L.applyEvents(0, [ev(0), ev(39_999), ev(40_000), ev(70_000, 'marker')], 0);
    expect(L.eventsInWindow(100_000).map((e) => e.t)).toEqual([40_000, 70_000]);
    expect(L.eventsInWindow(200_000)).toEqual([]);
    expect(L.isMarker(L.eventsInWindow(100_000)[1]!)).toBe(true);
    expect(L.isMarker(ev(1))).toBe(false);
  });
});

describe('host clock in the window', () => {
  let C: Clock;
  beforeEach(async () => {
    vi.resetModules();
    C = (await import(CLOCK)) as Clock;
  });

  it('before any tick: this machine’s clock plus the host’s reported offset', () => {
    C.noteClockOffset(-3_600_000);
    const lo = Date.now() - 3_600_000;
    const t = C.hostNow();
    const hi = Date.now() - 3_600_000;
    expect(t).toBeGreaterThanOrEqual(lo);
    expect(t).toBeLessThanOrEqual(hi);
  });

  it('after a tick: the tick’s time advanced by the monotonic clock, whatever Date.now says', () => {
    const anchor = 1_000_000; // far from this machine's clock
    C.noteClockOffset(123_456_789); // ignored once a tick was seen
    const p0 = performance.now();
    C.noteHostTime(anchor);
    const t = C.hostNow();
    const p2 = performance.now();
    expect(t).toBeGreaterThanOrEqual(anchor); // not before the anchor
    expect(t).toBeLessThanOrEqual(anchor + (p2 - p0));
  });
});
