// The review index of recorded runs (series-index.ts): numeric series in chunks in a real SQLite
// file, answered as every point when zoomed in and as min/max per pixel column otherwise. Each
// answer is checked against a brute force over the same points, under the edge rule decimate.ts
// documents: a column's lo/hi hold every one of its points, and at most also the points of a
// 64-point bin (consecutive points in arrival order) that has a point in the column.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { rng } from '../helpers/rng';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { SeriesIndex } from '../../src/main/host/run-library/series-index';
import { BIN_MIN_COLUMN_POINTS, BIN_POINTS, CHUNK_POINTS, columnOf } from '../../src/main/host/run-library/decimate';
import type { RunSeriesView } from '../../src/shared/run-review';

const T0 = 1_700_000_000_000;
const open: Database.Database[] = [];

afterEach(() => {
  for (const db of open.splice(0)) db.close();
  cleanupTempDirs();
});

function openDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  open.push(db);
  return db;
}

function closeDb(db: Database.Database): void {
  db.close();
  open.splice(open.indexOf(db), 1);
}

interface Points {
  ts: Float64Array;
  vs: Float64Array;
}

/** n points 1 ms apart: a slow wave plus noise. */
function wave(n: number, seed = 1, t0 = T0): Points {
  const r = rng(seed);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ts[i] = t0 + i;
    vs[i] = Math.sin(i / 5000) * 10 + (r() - 0.5);
  }
  return { ts, vs };
}

function appendAll(ix: SeriesIndex, run: string, metric: string, p: Points): void {
  for (let i = 0; i < p.ts.length; i++) ix.append(run, metric, p.ts[i]!, p.vs[i]!);
}

/** Every point in [from, to], sorted by time (arrival order among equal times). */
function rawIn(p: Points, from: number, to: number): { t: number[]; v: number[] } {
  const idx: number[] = [];
  for (let i = 0; i < p.ts.length; i++) if (p.ts[i]! >= from && p.ts[i]! <= to) idx.push(i);
  idx.sort((a, b) => p.ts[a]! - p.ts[b]! || a - b);
  return { t: idx.map((i) => p.ts[i]!), v: idx.map((i) => p.vs[i]!) };
}

function expectRaw(view: RunSeriesView, p: Points, from: number, to: number): void {
  const want = rawIn(p, from, to);
  expect(view.kind).toBe('raw');
  expect(view.points).toBe(want.t.length);
  expect(view.t).toEqual(want.t);
  expect(view.lo).toEqual(want.v);
  expect(view.hi).toEqual(want.v);
}

/**
 * Checks a minmax answer against the brute force. Points are given in arrival order, appended
 * to a fresh series, so bin k is points [64k, 64k + 64). Per column c:
 *   - the answer has c exactly when c has points, and `points` is the exact count;
 *   - lo ≤ brute min and hi ≥ brute max (no point is ever lost, spikes included);
 *   - lo ≥ min and hi ≤ max over the points in range of the bins that have a point in c (the
 *     edge tolerance: a bin straddling a column boundary counts in both columns);
 *   - t is the time of a point in c, not before its first (its first, unless a bin straddling
 *     the column's start brought its first points: then that bin's latest point).
 * With `exact`, lo/hi/t must equal the brute force. Returns how many columns have the brute
 * force's lo and hi.
 */
function expectMinmax(
  view: RunSeriesView,
  p: Points,
  from: number,
  to: number,
  columns: number,
  exact = false,
): number {
  const n = p.ts.length;
  const bLo = new Float64Array(columns).fill(Infinity);
  const bHi = new Float64Array(columns).fill(-Infinity);
  const bFirst = new Float64Array(columns).fill(Infinity);
  const eLo = new Float64Array(columns).fill(Infinity);
  const eHi = new Float64Array(columns).fill(-Infinity);
  let count = 0;
  for (let b = 0; b < n; b += BIN_POINTS) {
    const end = Math.min(n, b + BIN_POINTS);
    let lo = Infinity;
    let hi = -Infinity;
    const cols = new Set<number>();
    for (let i = b; i < end; i++) {
      const t = p.ts[i]!;
      if (t < from || t > to) continue;
      const v = p.vs[i]!;
      const c = columnOf(t, from, to, columns);
      count++;
      cols.add(c);
      bLo[c] = Math.min(bLo[c]!, v);
      bHi[c] = Math.max(bHi[c]!, v);
      bFirst[c] = Math.min(bFirst[c]!, t);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    for (const c of cols) {
      eLo[c] = Math.min(eLo[c]!, lo);
      eHi[c] = Math.max(eHi[c]!, hi);
    }
  }
  expect(view.kind).toBe('minmax');
  expect(view.points).toBe(count);
  const want: number[] = [];
  for (let c = 0; c < columns; c++) if (bLo[c] !== Infinity) want.push(c);
  expect(view.t.map((t) => columnOf(t, from, to, columns))).toEqual(want);
  let same = 0;
  for (let i = 0; i < want.length; i++) {
    const c = want[i]!;
    const [t, lo, hi] = [view.t[i]!, view.lo[i]!, view.hi[i]!];
    const where = `column ${c} (${i})`;
    expect(lo, where).toBeLessThanOrEqual(bLo[c]!);
    expect(hi, where).toBeGreaterThanOrEqual(bHi[c]!);
    expect(lo, where).toBeGreaterThanOrEqual(eLo[c]!);
    expect(hi, where).toBeLessThanOrEqual(eHi[c]!);
    expect(t, where).toBeGreaterThanOrEqual(bFirst[c]!);
    expect(isPointTime(p, t), where).toBe(true);
    if (lo === bLo[c] && hi === bHi[c]) same++;
    if (exact) expect({ t, lo, hi }, where).toEqual({ t: bFirst[c], lo: bLo[c], hi: bHi[c] });
  }
  return same;
}

const sortedTimes = new WeakMap<Points, Float64Array>();

/** t is the time of one of the points. */
function isPointTime(p: Points, t: number): boolean {
  let sorted = sortedTimes.get(p);
  if (!sorted) sortedTimes.set(p, (sorted = Float64Array.from(p.ts).sort()));
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo] === t;
}

function tableCounts(db: Database.Database): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ['run_series', 'run_series_chunks', 'run_series_bins', 'run_series_points']) {
    out[t] = (db.prepare(`SELECT count(*) AS c FROM ${t}`).get() as { c: number }).c;
  }
  return out;
}

function ms(f: () => void): number {
  const s = performance.now();
  f();
  return performance.now() - s;
}

describe('run series index', () => {
  it('answers every point, exactly and in time order, when zoomed in (flushed, buffered and mixed)', () => {
    const db = openDb(join(tempDir(), 'runs.db'));
    const ix = new SeriesIndex(db);
    const p = wave(3 * CHUNK_POINTS + 1000);
    const half = { ts: p.ts.subarray(0, 2 * CHUNK_POINTS + 100), vs: p.vs.subarray(0, 2 * CHUNK_POINTS + 100) };
    appendAll(ix, 'r1', 'volts', half);
    // Nothing flushed yet: the answers come from the buffers.
    expectRaw(ix.query('r1', 'volts', T0 + 4000, T0 + 4300, 100), half, T0 + 4000, T0 + 4300);
    ix.flush();
    for (let i = half.ts.length; i < p.ts.length; i++) ix.append('r1', 'volts', p.ts[i]!, p.vs[i]!);
    // Across a chunk boundary, across the flushed tail and the buffered rest, and the very end.
    for (const [a, b] of [
      [4000, 4300],
      [CHUNK_POINTS - 10, CHUNK_POINTS + 10],
      [2 * CHUNK_POINTS - 50, 2 * CHUNK_POINTS + 300],
      [p.ts.length - 200, p.ts.length + 1000],
      [-50, 20],
      [1234, 1234],
    ] as const) {
      expectRaw(ix.query('r1', 'volts', T0 + a, T0 + b, 100), p, T0 + a, T0 + b);
    }
    ix.flush();
    expectRaw(ix.query('r1', 'volts', T0 + 8000, T0 + 8390, 100), p, T0 + 8000, T0 + 8390);
    // Nothing in range, or nothing at all.
    expect(ix.query('r1', 'volts', T0 - 1000, T0 - 1, 100)).toEqual({
      metric: 'volts',
      kind: 'raw',
      t: [],
      lo: [],
      hi: [],
      points: 0,
    });
    expect(ix.query('r1', 'nope', T0, T0 + 10, 100).points).toBe(0);
    expect(ix.query('nope', 'volts', T0, T0 + 10, 100).points).toBe(0);
    expect(() => ix.query('r1', 'volts', T0 + 10, T0, 100)).toThrow(RangeError);
    expect(() => ix.query('r1', 'volts', T0, T0 + 10, 0)).toThrow(RangeError);
  });

  it('answers min/max per column as the brute force does, within the 64-point bin rule', () => {
    const db = openDb(join(tempDir(), 'runs.db'));
    const ix = new SeriesIndex(db);
    const p = wave(300_000, 7);
    appendAll(ix, 'r1', 'volts', p);
    ix.flush();
    const end = T0 + p.ts.length - 1;
    const cases: Array<[number, number, number]> = [
      [T0, end, 1000], // 300 points per column: bins
      [T0, end, 37], // ~8,100 points per column: mostly whole chunks in one column
      [T0 - 5000, end + 5000, 999], // wider than the data
      [T0 + 12_345, T0 + 250_000, 777], // both ends inside chunks
      [T0 + 100_000, T0 + 200_000, 1000], // 100 points per column: from raw points, exact
      [T0 + 100_000, T0 + 120_000, 1000], // 20 points per column
      [T0 + 100_000.5, T0 + 100_999.25, 200], // 5 points per column
    ];
    for (const [from, to, columns] of cases) {
      const view = ix.query('r1', 'volts', from, to, columns);
      // Fewer points per column than BIN_MIN_COLUMN_POINTS: no bins are used, min/max are exact.
      const exact = (to - from) / columns < BIN_MIN_COLUMN_POINTS;
      const same = expectMinmax(view, p, from, to, columns, exact);
      console.log(
        `${((to - from) / columns).toFixed(0)} points per column: ${same} of ${view.t.length} columns equal the brute force`,
      );
    }
  });

  it('reads point by point where bins are too coarse: gaps between bursts, sparse stretches', () => {
    const db = openDb(join(tempDir(), 'runs.db'));
    const ix = new SeriesIndex(db);
    const r = rng(5);
    // 100 bursts of 1,000 points 1 ms apart with 50 s of silence between them (bins of 64 points
    // span the gaps: 1,000 is not a multiple of 64), then 3,000 points 1.7 s apart: there a bin
    // spans many columns, and the columns in between have points of their own.
    const ts: number[] = [];
    for (let i = 0; i < 100_000; i++) ts.push(T0 + Math.floor(i / 1000) * 51_000 + (i % 1000));
    const sparseFrom = ts[ts.length - 1]! + 1000;
    for (let i = 0; i < 3000; i++) ts.push(sparseFrom + i * 1700);
    const p = { ts: Float64Array.from(ts), vs: Float64Array.from(ts, () => r() * 10 - 5) };
    appendAll(ix, 'r1', 'burst', p);
    ix.flush();
    const end = ts[ts.length - 1]!;
    for (const columns of [100, 150, 333, 400]) {
      const view = ix.query('r1', 'burst', T0, end, columns);
      expect(view.points).toBeGreaterThanOrEqual(BIN_MIN_COLUMN_POINTS * columns); // bins are used
      expectMinmax(view, p, T0, end, columns); // also: exactly the columns that have points
      if (columns > 200) expect(view.t.length).toBeLessThan(columns); // columns are narrower than the gaps
    }
  });

  it('never loses a single-point spike among a million points', () => {
    const db = openDb(join(tempDir(), 'runs.db'));
    const ix = new SeriesIndex(db);
    const p = wave(1_000_000, 3);
    const end = T0 + p.ts.length - 1;
    // The spike up: the first point of a column (at 1000 columns) in a bin that began in the column
    // before, the case the edge rule is for. The spike down: the last point of a bin.
    let up = 612_345;
    while (columnOf(p.ts[up]!, T0, end, 1000) === columnOf(p.ts[up - 1]!, T0, end, 1000) || up % BIN_POINTS === 0) up++;
    const down = 77_777 + (BIN_POINTS - 1 - (77_777 % BIN_POINTS));
    p.vs[up] = 1e6;
    p.vs[down] = -1e6;
    appendAll(ix, 'r1', 'volts', p);
    ix.flush();
    for (const [from, to, columns] of [
      [T0, end, 1000],
      [T0, end, 1237],
      [T0 + 50_000, T0 + 700_000, 4000],
      [T0, end, 10],
    ] as const) {
      const view = ix.query('r1', 'volts', from, to, columns);
      expectMinmax(view, p, from, to, columns);
      const column = (i: number) =>
        view.t.findIndex((t) => columnOf(t, from, to, columns) === columnOf(p.ts[i]!, from, to, columns));
      expect(view.hi[column(up)]).toBe(1e6);
      expect(Math.max(...view.hi)).toBe(1e6);
      expect(view.lo[column(down)]).toBe(-1e6);
    }
  });

  it('keeps points that arrive out of order, and finds them by time', () => {
    const dir = tempDir();
    let db = openDb(join(dir, 'runs.db'));
    let ix = new SeriesIndex(db);
    const n = 5 * CHUNK_POINTS + 321;
    const r = rng(11);
    const p = wave(n, 11);
    // Jitter: a device stamping its own points, sometimes up to 40 ms late…
    for (let i = 0; i < n; i++) if (r() < 0.05) p.ts[i] = p.ts[i]! - Math.floor(r() * 40);
    // …and one point that arrives long after its time (it belongs in the first chunk's span).
    p.ts[3 * CHUNK_POINTS + 7] = T0 + 1000.5;
    p.vs[3 * CHUNK_POINTS + 7] = 99;
    appendAll(ix, 'r1', 'volts', p);
    ix.flush();
    const all = (
      db.prepare('SELECT chunk_no AS no, t0, t1 FROM run_series_chunks ORDER BY chunk_no').all() as Array<{
        no: number;
        t0: number;
        t1: number;
      }>
    ).map((c) => [c.t0, c.t1]);
    const want = [];
    for (let c = 0; c * CHUNK_POINTS < n; c++) {
      const ts = p.ts.subarray(c * CHUNK_POINTS, Math.min(n, (c + 1) * CHUNK_POINTS));
      want.push([Math.min(...ts), Math.max(...ts)]);
    }
    expect(all).toEqual(want);
    expectRaw(ix.query('r1', 'volts', T0 + 990, T0 + 1010, 100), p, T0 + 990, T0 + 1010);
    expect(ix.query('r1', 'volts', T0 + 990, T0 + 1010, 100).lo).toContain(99);
    expectRaw(ix.query('r1', 'volts', T0 + 4090, T0 + 4110, 100), p, T0 + 4090, T0 + 4110);
    const end = T0 + n;
    for (const [from, to, columns] of [
      [T0, end, 100],
      [T0, end, 300],
      [T0 + 500, T0 + 15_000, 500],
    ] as const) {
      expectMinmax(ix.query('r1', 'volts', from, to, columns), p, from, to, columns);
    }
    // The same after a restart.
    closeDb(db);
    db = openDb(join(dir, 'runs.db'));
    ix = new SeriesIndex(db);
    expectRaw(ix.query('r1', 'volts', T0 + 990, T0 + 1010, 100), p, T0 + 990, T0 + 1010);
    expectMinmax(ix.query('r1', 'volts', T0, end, 100), p, T0, end, 100);
  });

  it('gives the same answers after a restart, and continues an unfinished chunk', () => {
    const dir = tempDir();
    const path = join(dir, 'runs.db');
    let db = openDb(path);
    let ix = new SeriesIndex(db);
    const a = wave(50_000, 1);
    const b = wave(30_000, 2);
    const c = wave(20_000, 3);
    appendAll(ix, 'r1', 'volts', a);
    appendAll(ix, 'r1', 'amps', b);
    appendAll(ix, 'r2', 'volts', c);
    db.transaction(() => ix.flush())(); // as the library calls it: inside its own transaction
    const queries: Array<[string, string, number, number, number]> = [
      ['r1', 'volts', T0, T0 + 50_000, 1000],
      ['r1', 'volts', T0 + 100, T0 + 400, 1000],
      ['r1', 'amps', T0 + 1000, T0 + 29_000, 300],
      ['r2', 'volts', T0, T0 + 20_000, 100],
    ];
    const before = queries.map((q) => ix.query(...q));
    const sums = [ix.summaries('r1'), ix.summaries('r2')];
    const bytes = ix.bytes('r1');
    closeDb(db);

    db = openDb(path);
    ix = new SeriesIndex(db);
    expect(queries.map((q) => ix.query(...q))).toEqual(before);
    expect([ix.summaries('r1'), ix.summaries('r2')]).toEqual(sums);
    expect(ix.bytes('r1')).toBe(bytes);

    // More points of r1/volts: they continue its unfinished chunk (50,000 = 12 chunks + 848).
    const more = wave(10_000, 4, T0 + 50_000);
    appendAll(ix, 'r1', 'volts', more);
    ix.flush();
    closeDb(db);
    db = openDb(path);
    ix = new SeriesIndex(db);
    const whole = {
      ts: Float64Array.from([...a.ts, ...more.ts]),
      vs: Float64Array.from([...a.vs, ...more.vs]),
    };
    const ns = db
      .prepare(
        'SELECT n FROM run_series_chunks WHERE series_id = (SELECT id FROM run_series WHERE metric = ? AND run_id = ?) ORDER BY chunk_no',
      )
      .pluck()
      .all('volts', 'r1') as number[];
    expect(ns).toEqual([...Array<number>(14).fill(CHUNK_POINTS), 60_000 - 14 * CHUNK_POINTS]);
    expectMinmax(ix.query('r1', 'volts', T0, T0 + 60_000, 500), whole, T0, T0 + 60_000, 500);
    expectRaw(ix.query('r1', 'volts', T0 + 49_900, T0 + 50_100, 100), whole, T0 + 49_900, T0 + 50_100);
    expect(ix.summaries('r1').find((s) => s.metric === 'volts')?.points).toBe(60_000);
  });

  it('writes the unfinished chunk in pieces, and reads it back whole', () => {
    const dir = tempDir();
    const results: RunSeriesView[][] = [];
    for (const tailPieces of [1, 4, 16]) {
      const path = join(dir, `runs-${tailPieces}.db`);
      let db = openDb(path);
      let ix = new SeriesIndex(db, { tailPieces });
      const p = wave(3 * CHUNK_POINTS + 500, 5);
      let maxPieces = 0;
      for (let i = 0; i < p.ts.length; i += 37) {
        appendAll(ix, 'r1', 'volts', { ts: p.ts.subarray(i, i + 37), vs: p.vs.subarray(i, i + 37) });
        ix.flush();
        const k = db
          .prepare('SELECT max(c) FROM (SELECT count(*) AS c FROM run_series_points GROUP BY chunk_no)')
          .pluck()
          .get() as number;
        maxPieces = Math.max(maxPieces, k);
        if (i % (37 * 50) === 0)
          expectRaw(ix.query('r1', 'volts', T0 + i - 150, T0 + i + 36, 100), p, T0 + i - 150, T0 + i + 36);
      }
      expect(maxPieces).toBe(tailPieces);
      // Sealed chunks are one piece each; the tail at most tailPieces.
      const pieces = db.prepare('SELECT chunk_no, count(*) AS c FROM run_series_points GROUP BY chunk_no').raw().all();
      expect(pieces.slice(0, 3)).toEqual([
        [0, 1],
        [1, 1],
        [2, 1],
      ]);
      closeDb(db);
      db = openDb(path);
      ix = new SeriesIndex(db, { tailPieces });
      const end = T0 + p.ts.length;
      const views = [ix.query('r1', 'volts', T0, end, 100), ix.query('r1', 'volts', T0 + 12_000, end, 200)];
      expectMinmax(views[0]!, p, T0, end, 100);
      expectRaw(views[1]!, p, T0 + 12_000, end);
      results.push(views);
      expect(ix.bytes('r1')).toBeGreaterThanOrEqual(p.ts.length * 16);
      expect(ix.bytes('r1')).toBeLessThan(p.ts.length * 16 * 1.1);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('sums up each metric of a run, flushed and buffered; ignores non-finite values', () => {
    const db = openDb(join(tempDir(), 'runs.db'));
    const ix = new SeriesIndex(db);
    expect(ix.summaries('r1')).toEqual([]);
    const p = wave(10_000, 9);
    appendAll(ix, 'r1', 'volts', p);
    ix.append('r1', 'volts', T0 + 5, NaN);
    ix.append('r1', 'volts', NaN, 5);
    ix.append('r1', 'volts', T0 + 5, Infinity);
    ix.append('r1', 'temp', T0 + 50, 21.5);
    ix.append('r1', 'temp', T0 - 50, 19);
    ix.append('r2', 'temp', T0, 1);
    const want = [
      { metric: 'temp', points: 2, min: 19, max: 21.5, t0: T0 - 50, t1: T0 + 50 },
      { metric: 'volts', points: 10_000, min: Math.min(...p.vs), max: Math.max(...p.vs), t0: T0, t1: T0 + 9999 },
    ];
    expect(ix.summaries('r1')).toEqual(want); // all buffered
    ix.flush();
    expect(ix.summaries('r1')).toEqual(want); // all flushed (and the tails still buffered)
    ix.append('r1', 'temp', T0 + 100, 30);
    ix.append('r1', 'volts', T0 + 10_000, -100);
    const after = [
      { ...want[0]!, points: 3, max: 30, t1: T0 + 100 },
      { ...want[1]!, points: 10_001, min: -100, t1: T0 + 10_000 },
    ];
    expect(ix.summaries('r1')).toEqual(after); // flushed rows, superseded by the buffered tail
    ix.flush();
    ix.flush(); // idle series are dropped from memory: the rows alone answer
    expect(ix.summaries('r1')).toEqual(after);
    expect(new SeriesIndex(db).summaries('r1')).toEqual(after);
    expect(ix.summaries('r2')).toEqual([{ metric: 'temp', points: 1, min: 1, max: 1, t0: T0, t1: T0 }]);
  });

  it('deleteRun forgets the run entirely and leaves the others', () => {
    const db = openDb(join(tempDir(), 'runs.db'));
    const ix = new SeriesIndex(db);
    const p = wave(20_000, 1);
    appendAll(ix, 'r1', 'volts', p);
    appendAll(ix, 'r1', 'amps', p);
    appendAll(ix, 'r2', 'volts', p);
    ix.flush();
    ix.append('r1', 'volts', T0 + 20_000, 1); // buffered, not flushed
    const r2 = ix.query('r2', 'volts', T0, T0 + 20_000, 100);
    expect(ix.bytes('r1')).toBeGreaterThan(2 * 20_000 * 16);
    const counts = tableCounts(db);
    db.transaction(() => ix.deleteRun('r1'))();
    expect(ix.summaries('r1')).toEqual([]);
    expect(ix.query('r1', 'volts', T0, T0 + 20_000, 100).points).toBe(0);
    expect(ix.bytes('r1')).toBe(0);
    const left = tableCounts(db);
    expect(left).toEqual({
      run_series: 1,
      run_series_chunks: counts.run_series_chunks! / 3,
      run_series_bins: counts.run_series_bins! / 3,
      run_series_points: counts.run_series_points! / 3,
    });
    ix.flush(); // the deleted run's buffer is gone too: nothing comes back
    expect(tableCounts(db)).toEqual(left);
    expect(ix.query('r2', 'volts', T0, T0 + 20_000, 100)).toEqual(r2);
    // A run of the same id starts afresh.
    ix.append('r1', 'volts', T0, 5);
    ix.flush();
    expect(ix.summaries('r1')).toEqual([{ metric: 'volts', points: 1, min: 5, max: 5, t0: T0, t1: T0 }]);
  });

  it('answers a 2,000,000-point series at 1000 columns, whole and at a 1 % zoom', () => {
    const dir = tempDir();
    const path = join(dir, 'runs.db');
    let db = openDb(path);
    let ix = new SeriesIndex(db);
    const n = 2_000_000;
    const p = wave(n, 21);
    p.vs[1_234_567] = 500; // a spike
    const tAppend = ms(() => appendAll(ix, 'r1', 'volts', p));
    const tFlush = ms(() => db.transaction(() => ix.flush())());
    closeDb(db);
    db = openDb(path); // a fresh connection: SQLite's page cache starts empty
    ix = new SeriesIndex(db);
    const end = T0 + n - 1;
    const zoomFrom = T0 + 0.4 * n;
    const zoomTo = zoomFrom + 0.01 * n;
    let whole!: RunSeriesView;
    let zoom!: RunSeriesView;
    const tWhole = ms(() => (whole = ix.query('r1', 'volts', T0, end, 1000)));
    const tZoom = ms(() => (zoom = ix.query('r1', 'volts', zoomFrom, zoomTo, 1000)));
    const again = [0, 0];
    for (let i = 0; i < 5; i++) {
      again[0] = Math.max(
        again[0]!,
        ms(() => ix.query('r1', 'volts', T0, end, 1000)),
      );
      again[1] = Math.max(
        again[1]!,
        ms(() => ix.query('r1', 'volts', zoomFrom, zoomTo, 1000)),
      );
    }
    const same = expectMinmax(whole, p, T0, end, 1000);
    expect(Math.max(...whole.hi)).toBe(500);
    expectMinmax(zoom, p, zoomFrom, zoomTo, 1000, true);
    expect(whole.points).toBe(n);
    expect(zoom.points).toBe(0.01 * n + 1);
    console.log(
      `2M points: append ${tAppend.toFixed(0)} ms, flush ${tFlush.toFixed(0)} ms, ${(ix.bytes('r1') / 1e6).toFixed(1)} MB; ` +
        `query whole range @1000 columns ${tWhole.toFixed(1)} ms (first, fresh connection; next 5 ≤ ${again[0]!.toFixed(1)} ms, ` +
        `${same}/${whole.t.length} columns equal to the brute force); ` +
        `1 % zoom @1000 columns ${tZoom.toFixed(1)} ms (next 5 ≤ ${again[1]!.toFixed(1)} ms)`,
    );
  });
});
