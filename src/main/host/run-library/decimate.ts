// Pure column binning for the review's plots: a series over [from, to] in C pixel columns, as
// min/max per column (or every point when few enough), from three levels of detail of its chunks:
//
//   chunk — t0/t1 (its min/max time), n, min, max: enough when the whole chunk lies in one column;
//   bins  — per 64 consecutive points of the chunk (tMin, tMax, min, max): enough when a bin lies
//           in one column, or straddles two adjacent ones (see "edge tolerance");
//   raw   — every (t, v): for chunks crossing `from` or `to`, for sparse bins spanning three or
//           more columns, and for every chunk when a column covers fewer than
//           BIN_MIN_COLUMN_POINTS (256) points on average.
//
// Edge tolerance: a bin straddling the boundary between columns c and c+1 counts in both (its
// min/max go into each), so a column never misses one of its points (a spike always shows in its
// own column) but its lo/hi may also include values of points of the same 64-point bin that lie
// just across the boundary. A column's t is always the time of one of its points: its first, or,
// when a bin that began in the column before brought its first points, that bin's latest point
// (at most 63 points after the first). Columns that no straddling bin touches are exact.
// `points` is always exact: chunks and bins are only used when they lie wholly inside [from, to].
//
// Nothing here does I/O: the caller hands chunk summaries and loaders for bins and raw points.

import type { RunSeriesView } from '../../../shared/run-review';

/** Points per chunk row (the last, unfinished chunk of a series holds fewer). */
export const CHUNK_POINTS = 4096;
/** Consecutive points (in arrival order) per bin of a chunk's summary. */
export const BIN_POINTS = 64;
/** Numbers per bin: tMin, tMax, min, max. */
export const BIN_FIELDS = 4;
/** The answer is `raw` (every point) when the range holds at most this many points per column. */
export const RAW_POINTS_PER_COLUMN = 4;
/**
 * Bins are used from this many points per column on (4 bins): a straddling bin then reaches at
 * most a quarter of a column's worth of points past each of its edges. Below, min/max come from
 * the raw points, exactly: at most 256 × 4,000 columns = 1M points (250 chunks), ~20 ms measured.
 */
export const BIN_MIN_COLUMN_POINTS = 4 * BIN_POINTS;

/** What a chunk row says about its points (t0/t1: its earliest and latest time, not first/last). */
export interface ChunkInfo {
  t0: number;
  t1: number;
  n: number;
  min: number;
  max: number;
}

export interface RawPoints {
  ts: Float64Array;
  vs: Float64Array;
}

/** Loads chunks' data in batches (one query for many chunks costs far less than one per chunk). */
export interface ChunkLoader<C extends ChunkInfo> {
  /** Each chunk's points (exactly c.n of them), in arrival order; in the order asked. */
  raw(chunks: readonly C[]): RawPoints[];
  /** Each chunk's bins (see binChunk), in the order asked. */
  bins(chunks: readonly C[]): Float64Array[];
}

/** Chunks loaded raw at a time (4 MiB), so a query's memory stays bounded whatever its range. */
const RAW_BATCH = 64;

/** The column (0 … columns-1) time t falls in; [from, to] is split in equal columns, `to` in the last. */
export function columnOf(t: number, from: number, to: number, columns: number): number {
  const c = Math.floor(((t - from) / (to - from)) * columns);
  return c < 0 ? 0 : c >= columns ? columns - 1 : c;
}

/** Bins of BIN_POINTS consecutive points: per bin (tMin, tMax, min, max). */
export function binChunk(ts: Float64Array, vs: Float64Array, n: number): Float64Array {
  const out = new Float64Array(Math.ceil(n / BIN_POINTS) * BIN_FIELDS);
  for (let b = 0, o = 0; b < n; b += BIN_POINTS, o += BIN_FIELDS) {
    const end = Math.min(n, b + BIN_POINTS);
    let tMin = ts[b]!;
    let tMax = tMin;
    let lo = vs[b]!;
    let hi = lo;
    for (let i = b + 1; i < end; i++) {
      const t = ts[i]!;
      const v = vs[i]!;
      if (t < tMin) tMin = t;
      else if (t > tMax) tMax = t;
      if (v < lo) lo = v;
      else if (v > hi) hi = v;
    }
    out[o] = tMin;
    out[o + 1] = tMax;
    out[o + 2] = lo;
    out[o + 3] = hi;
  }
  return out;
}

/** Per-column accumulator. */
class Columns {
  readonly t: Float64Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;

  constructor(
    readonly from: number,
    readonly to: number,
    readonly columns: number,
  ) {
    this.t = new Float64Array(columns).fill(Infinity);
    this.lo = new Float64Array(columns).fill(Infinity);
    this.hi = new Float64Array(columns).fill(-Infinity);
  }

  col(t: number): number {
    return columnOf(t, this.from, this.to, this.columns);
  }

  add(c: number, t: number, lo: number, hi: number): void {
    if (t < this.t[c]!) this.t[c] = t;
    if (lo < this.lo[c]!) this.lo[c] = lo;
    if (hi > this.hi[c]!) this.hi[c] = hi;
  }

  /** Points of a chunk; those outside [from, to] are skipped. */
  points(ts: Float64Array, vs: Float64Array, n: number): void {
    const { from, to } = this;
    for (let i = 0; i < n; i++) {
      const t = ts[i]!;
      if (t < from || t > to) continue;
      const v = vs[i]!;
      this.add(this.col(t), t, v, v);
    }
  }

  /** Bins of a chunk inside [from, to], if none spans more than two columns (else false, nothing added). */
  bins(bins: Float64Array): boolean {
    for (let o = 0; o < bins.length; o += BIN_FIELDS) {
      if (this.col(bins[o + 1]!) - this.col(bins[o]!) > 1) return false;
    }
    for (let o = 0; o < bins.length; o += BIN_FIELDS) {
      const tMin = bins[o]!;
      const tMax = bins[o + 1]!;
      const lo = bins[o + 2]!;
      const hi = bins[o + 3]!;
      const c0 = this.col(tMin);
      this.add(c0, tMin, lo, hi);
      const c1 = this.col(tMax);
      if (c1 !== c0) this.add(c1, tMax, lo, hi);
    }
    return true;
  }

  view(metric: string, points: number): RunSeriesView {
    const t: number[] = [];
    const lo: number[] = [];
    const hi: number[] = [];
    for (let c = 0; c < this.columns; c++) {
      if (this.lo[c] === Infinity) continue;
      t.push(this.t[c]!);
      lo.push(this.lo[c]!);
      hi.push(this.hi[c]!);
    }
    return { metric, kind: 'minmax', t, lo, hi, points };
  }
}

function countIn(r: RawPoints, n: number, from: number, to: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) {
    const t = r.ts[i]!;
    if (t >= from && t <= to) k++;
  }
  return k;
}

/** Every point in [from, to], in time order (arrival order among equal times). */
function rawView<C extends ChunkInfo>(
  metric: string,
  chunks: readonly C[],
  load: (c: C) => RawPoints,
  from: number,
  to: number,
): RunSeriesView {
  const t: number[] = [];
  const v: number[] = [];
  let sorted = true;
  for (const c of chunks) {
    const r = load(c);
    for (let i = 0; i < c.n; i++) {
      const ti = r.ts[i]!;
      if (ti < from || ti > to) continue;
      if (t.length > 0 && ti < t[t.length - 1]!) sorted = false;
      t.push(ti);
      v.push(r.vs[i]!);
    }
  }
  if (!sorted) {
    const order = t.map((_, i) => i).sort((a, b) => t[a]! - t[b]! || a - b);
    const ts = order.map((i) => t[i]!);
    const vs = order.map((i) => v[i]!);
    return { metric, kind: 'raw', t: ts, lo: vs, hi: vs.slice(), points: ts.length };
  }
  return { metric, kind: 'raw', t, lo: v, hi: v.slice(), points: t.length };
}

/**
 * Metric `metric` over [from, to] in `columns` columns, from the chunks whose [t0, t1] overlaps
 * the range (in chunk order). Loads raw points only where the coarser levels cannot answer.
 */
export function decimate<C extends ChunkInfo>(
  metric: string,
  chunks: readonly C[],
  loader: ChunkLoader<C>,
  from: number,
  to: number,
  columns: number,
): RunSeriesView {
  const inside = (c: C) => c.t0 >= from && c.t1 <= to;
  // The chunks crossing an end of the range (usually two) are read point by point.
  const edges = new Map<C, RawPoints>();
  const crossing = chunks.filter((c) => !inside(c));
  if (crossing.length > 0) loader.raw(crossing).forEach((r, i) => edges.set(crossing[i]!, r));

  // Exact count: whole chunks by their n, crossing ones point by point.
  let points = 0;
  for (const c of chunks) points += inside(c) ? c.n : countIn(edges.get(c)!, c.n, from, to);

  if (points <= RAW_POINTS_PER_COLUMN * columns || !(to > from)) {
    const rest = chunks.filter((c) => !edges.has(c));
    if (rest.length > 0) loader.raw(rest).forEach((r, i) => edges.set(rest[i]!, r));
    return rawView(metric, chunks, (c) => edges.get(c)!, from, to);
  }

  const cols = new Columns(from, to, columns);
  const useBins = points >= BIN_MIN_COLUMN_POINTS * columns;
  const viaBins: C[] = [];
  const viaRaw: C[] = [];
  for (const c of chunks) {
    const r = edges.get(c);
    if (r) {
      cols.points(r.ts, r.vs, c.n);
      continue;
    }
    const c0 = cols.col(c.t0);
    if (c0 === cols.col(c.t1))
      cols.add(c0, c.t0, c.min, c.max); // exact: all its points are in this column
    else (useBins ? viaBins : viaRaw).push(c);
  }
  if (viaBins.length > 0) {
    loader.bins(viaBins).forEach((b, i) => {
      if (!cols.bins(b)) viaRaw.push(viaBins[i]!); // a sparse bin spans 3+ columns: read its chunk
    });
  }
  for (let i = 0; i < viaRaw.length; i += RAW_BATCH) {
    const batch = viaRaw.slice(i, i + RAW_BATCH);
    loader.raw(batch).forEach((r, k) => cols.points(r.ts, r.vs, batch[k]!.n));
  }
  return cols.view(metric, points);
}
