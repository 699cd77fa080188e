// A reloaded window seeds its rings from the host's history (Series.seed, liveData.applyHistory):
// the buckets go in time order around the window's own samples, a bucket whose slot the window
// already has a sample in is left out (no point counted twice), the newer latest value wins, and
// a text metric gets its value without samples.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Series } from '../../src/renderer/src/live/series';
import { HISTORY_BUCKET_MS, type MetricHistory, type MetricUpdate } from '../../src/shared/contract';

type LiveData = typeof import('../../src/renderer/src/live/liveData');
const LIVE_DATA: string = '../../src/renderer/src/live/liveData';

/** A bucket boundary. */
const T0 = 1_700_000_000_000;
const B = HISTORY_BUCKET_MS;

/** One bucket: [t, min, max, last, count]. */
type Bucket = [number, number, number, number, number];

/** History of `name`, one bucket per entry. */
function hist(name: string, value: MetricUpdate[1], buckets: Bucket[]): MetricHistory {
  return {
    name,
    value,
    lastT: buckets.at(-1)?.[0] ?? T0,
    t: buckets.map((b) => b[0]),
    min: buckets.map((b) => b[1]),
    max: buckets.map((b) => b[2]),
    last: buckets.map((b) => b[3]),
    count: buckets.map((b) => b[4]),
  };
}
const samples = (s: Series): number[][] =>
  Array.from({ length: s.size }, (_, i) => {
    const j = s.at(i);
    return [s.t[j]!, s.min[j]!, s.max[j]!, s.last[j]!, s.count[j]!];
  });

describe('Series.seed', () => {
  it('fills an empty ring: the buckets in order, the latest value, first/last time, a cadence', () => {
    const s = new Series('psu.v');
    const v0 = s.version;
    const buckets: Bucket[] = [
      [T0 + 400, 11, 13, 12, 7],
      [T0 + B + 450, 12, 14, 13, 8],
      [T0 + 2 * B + 480, 12, 12.5, 12.5, 6],
      [T0 + 3 * B + 490, 12, 13, 12.5, 6],
    ];
    s.seed(hist('psu.v', 12.5, buckets));
    // Every bucket becomes one sample, unchanged.
    expect(samples(s)).toEqual(buckets);
    expect(s.value).toBe(12.5);
    expect(s.firstT).toBe(T0 + 400);
    expect(s.lastT).toBe(T0 + 3 * B + 490);
    expect(s.version).toBeGreaterThan(v0);
    expect(s.decimals.value).toBe(1);
    // Buckets every ~500 ms: stale after the 5 s floor, not unknown.
    expect(s.cadence.staleAfterMs()).toBe(5000);
    expect(s.stats(T0, T0 + 3 * B + 490)).toMatchObject({ min: 11, max: 14 });
  });

  it('leaves out a bucket whose slot has the window’s own ticks, and slots the rest in before them', () => {
    const s = new Series('m');
    // Ticks came before the history: two in the third bucket's slot.
    s.push(T0 + 2 * B + 100, ['m', 5, 4, 6, 3]);
    s.push(T0 + 2 * B + 167, ['m', 6, 6, 7, 2]);
    s.seed(
      hist('m', 5, [
        [T0 + 300, 1, 2, 2, 10],
        [T0 + B + 300, 2, 3, 3, 10],
        [T0 + 2 * B + 50, 3, 4, 4, 10], // overlaps the window's own: left out
      ]),
    );
    expect(samples(s)).toEqual([
      [T0 + 300, 1, 2, 2, 10],
      [T0 + B + 300, 2, 3, 3, 10],
      [T0 + 2 * B + 100, 4, 6, 5, 3],
      [T0 + 2 * B + 167, 6, 7, 6, 2],
    ]);
    // The window's own latest value is newer than the history's: it stays.
    expect(s.value).toBe(6);
    expect(s.firstT).toBe(T0 + 300);
    expect(s.lastT).toBe(T0 + 2 * B + 167);
  });

  it('after a lost link fills the gap between old and new ticks, in time order', () => {
    const s = new Series('m');
    s.push(T0 + 10, ['m', 1, 1, 1, 1]);
    s.push(T0 + 10 * B + 10, ['m', 9, 9, 9, 1]);
    s.seed(
      hist('m', 9, [
        [T0 + 20, 1, 1, 1, 1], // the old tick's slot: left out
        [T0 + 4 * B + 10, 4, 4, 4, 1],
        [T0 + 7 * B + 10, 7, 7, 7, 1],
      ]),
    );
    expect(samples(s).map((x) => x[3])).toEqual([1, 4, 7, 9]);
  });

  it('wider buckets (an answer with many metrics) are left out where the window has a tick in their span', () => {
    const s = new Series('m');
    s.push(T0 + 4 * B + 10, ['m', 5, 5, 5, 1]); // in the third 2B-wide bucket, not in its last B
    s.seed(
      hist('m', 5, [
        [T0 + 1 * B + 10, 1, 2, 2, 4],
        [T0 + 3 * B + 10, 2, 3, 3, 4],
        [T0 + 5 * B + 10, 3, 4, 4, 4],
      ]),
      2 * B,
    );
    expect(samples(s).map((x) => x[0])).toEqual([T0 + B + 10, T0 + 3 * B + 10, T0 + 4 * B + 10]);
  });

  it('a full ring keeps its newest 1536 samples', () => {
    const s = new Series('m');
    for (let i = 0; i < 1536; i++) s.push(T0 + 60 * B + i * 10, ['m', i, i, i, 1]);
    s.seed(hist('m', 0, [[T0 + 100, -1, -1, -1, 1]]));
    expect(s.size).toBe(1536);
    expect(s.capacity).toBe(1536);
    expect(samples(s)[0]![0]).toBe(T0 + 60 * B);
  });

  it('a text metric gets its latest value and no samples', () => {
    const s = new Series('plc.state');
    s.seed(hist('plc.state', 'holding', []));
    expect(s.value).toBe('holding');
    expect(s.size).toBe(0);
    expect(s.version).toBe(1);
  });
});

describe('applyHistory', () => {
  let L: LiveData;
  beforeEach(async () => {
    vi.resetModules();
    L = (await import(LIVE_DATA)) as LiveData;
  });

  it('creates the series, keeps names sorted, moves the right edge, and says when a name appeared', () => {
    const added = L.applyHistory({
      t: T0 + 5000,
      bucketMs: B,
      metrics: [hist('b.x', 2, [[T0 + 100, 1, 2, 2, 3]]), hist('a.state', 'on', [])],
    });
    expect(added).toBe(true);
    expect(L.metricNames()).toEqual(['a.state', 'b.x']);
    expect(L.getSeries('b.x')!.size).toBe(1);
    expect(L.getSeries('a.state')!.value).toBe('on');
    expect(L.live.latestT).toBe(T0 + 5000);
    expect(L.applyHistory({ t: T0 + 6000, bucketMs: B, metrics: [hist('b.x', 3, [[T0 + B + 100, 3, 3, 3, 1]])] })).toBe(
      false,
    );
    expect(L.getSeries('b.x')!.size).toBe(2);
  });
});
