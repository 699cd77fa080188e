// The live preview's per-metric ring (src/renderer/src/live/series.ts): samples kept oldest first
// across wraparound and growth, bounded capacity, and the min/max/rate the tiles show.
import { describe, expect, it } from 'vitest';
import { Series, WINDOW_MS } from '../../src/renderer/src/live/series';
import type { MetricUpdate } from '../../src/shared/contract';

/** A tick's update for one metric: value, and min/max/count as the host coalesced them. */
const u = (value: MetricUpdate[1], min: number | null = null, max: number | null = null, count = 1): MetricUpdate => [
  'm',
  value,
  min,
  max,
  count,
];

/** The held samples' times, oldest first, read through at(). */
const times = (s: Series): number[] => Array.from({ length: s.size }, (_, i) => s.t[s.at(i)]!);
const lasts = (s: Series): number[] => Array.from({ length: s.size }, (_, i) => s.last[s.at(i)]!);

describe('Series ring', () => {
  it('starts empty: no samples, and stats over nothing are NaN with a zero rate', () => {
    const s = new Series('m');
    expect(s.size).toBe(0);
    expect(s.value).toBeNull();
    const st = s.stats(0, 10_000);
    expect(st.min).toBeNaN();
    expect(st.max).toBeNaN();
    expect(st.rate).toBe(0);
  });

  it('grows from 32 by doubling, keeping every sample in order (oldest first)', () => {
    const s = new Series('m');
    expect(s.capacity).toBe(32);
    for (let i = 1; i <= 33; i++) s.push(i * 50, u(i));
    expect(s.capacity).toBe(64);
    expect(s.size).toBe(33);
    expect(times(s)).toEqual(Array.from({ length: 33 }, (_, i) => (i + 1) * 50));
    expect(lasts(s)).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
  });

  it('stops growing at 1536 samples and then overwrites the oldest (wraparound)', () => {
    const s = new Series('m');
    const n = 1536 + 100;
    for (let i = 0; i < n; i++) s.push(1000 + i, u(i));
    expect(s.capacity).toBe(1536);
    expect(s.size).toBe(1536);
    // The 100 oldest are gone; the rest are in order across the wrap point.
    const t = times(s);
    expect(t[0]).toBe(1000 + 100);
    expect(t.at(-1)).toBe(1000 + n - 1);
    expect(t.every((x, i) => i === 0 || x === t[i - 1]! + 1)).toBe(true);
    expect(s.head).toBe(100);
  });

  it('keeps every sample, in order, through several growths (32 → 64 → 128 → 256)', () => {
    const s = new Series('m');
    for (let i = 0; i < 200; i++) s.push(i, u(i));
    expect(s.capacity).toBe(256);
    expect(times(s)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('stores min/max from the update, or the value itself when the host sent none', () => {
    const s = new Series('m');
    s.push(1, u(5, 2, 9, 4));
    s.push(2, u(7));
    expect([s.min[s.at(0)], s.max[s.at(0)], s.last[s.at(0)], s.count[s.at(0)]]).toEqual([2, 9, 5, 4]);
    expect([s.min[s.at(1)], s.max[s.at(1)]]).toEqual([7, 7]);
  });

  it('takes booleans as 0/1 and leaves strings and nulls out of the numbers (NaN)', () => {
    const s = new Series('m');
    s.push(1, u(true));
    s.push(2, u(false));
    s.push(3, u('OPEN'));
    s.push(4, u(null));
    expect(lasts(s).slice(0, 2)).toEqual([1, 0]);
    expect(lasts(s)[2]).toBeNaN();
    expect(lasts(s)[3]).toBeNaN();
    expect(s.value).toBeNull(); // the latest value exactly as sent
  });

  it('stats: min and max over the samples in (from, now], NaN samples ignored', () => {
    const s = new Series('m');
    s.push(1000, u(100, 90, 110));
    s.push(2000, u(5, 1, 8));
    s.push(3000, u('text')); // NaN min/max
    s.push(4000, u(-3, -4, 2));
    const st = s.stats(1500, 4000);
    expect(st.min).toBe(-4);
    expect(st.max).toBe(8);
    // The sample at 1000 is outside the window and does not count.
    expect(s.stats(4000, 4000)).toMatchObject({ min: -4, max: 2 });
  });

  it('rate: points per second over the watched part of the window, never over less than a second', () => {
    const s = new Series('m');
    // First seen at 10 s; 20 ticks of 5 points each over the next 2 s.
    for (let k = 0; k < 20; k++) s.push(10_000 + k * 100, u(k, k, k, 5));
    const now = 10_000 + 19 * 100;
    // Watched for 1.9 s (from firstT), 100 points: ≈ 52.6 points/s, not 100 / 60 s.
    expect(s.stats(now - WINDOW_MS, now).rate).toBeCloseTo((100 * 1000) / 1900, 6);
    // Two points in quick succession are rated over a full second, not as a flood.
    const q = new Series('q');
    q.push(5000, u(1));
    q.push(5001, u(2));
    expect(q.stats(5001 - WINDOW_MS, 5001).rate).toBe(2);
  });

  it('keeps huge values as float32 (the precision a sparkline needs) without overflow to NaN', () => {
    const s = new Series('m');
    s.push(1, u(1e30));
    s.push(2, u(-1e30));
    const st = s.stats(0, 2);
    expect(st.max).toBeCloseTo(1e30, -24);
    expect(st.min).toBeCloseTo(-1e30, -24);
    // Beyond float32's range a value reads as ±Infinity, not NaN: still ordered correctly.
    s.push(3, u(1e300));
    expect(s.stats(0, 3).max).toBe(Infinity);
  });

  it('counts changes of a text value within the last 60 s, not repeats of the same text', () => {
    const s = new Series('m');
    s.push(1000, u('IDLE'));
    s.push(2000, u('IDLE'));
    s.push(3000, u('RUN'));
    expect(s.changes).toEqual([1000, 3000]);
    // A change 61 s later drops the ones older than the window.
    s.push(3000 + WINDOW_MS + 1000, u('IDLE'));
    expect(s.changes).toEqual([3000 + WINDOW_MS + 1000]);
  });

  it('holds at most 500 text changes however fast the text flips', () => {
    const s = new Series('m');
    for (let i = 0; i < 700; i++) s.push(1000 + i, u(i % 2 ? 'A' : 'B'));
    expect(s.changes).toHaveLength(500);
    expect(s.changes[0]).toBe(1000 + 200);
  });

  it('bumps its version on every sample and remembers the first and last time', () => {
    const s = new Series('m');
    s.push(500, u(1));
    s.push(900, u(1));
    expect(s.version).toBe(2);
    expect(s.firstT).toBe(500);
    expect(s.lastT).toBe(900);
  });
});
