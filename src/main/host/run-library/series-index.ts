// The review index of recorded runs: every numeric point of a run, per metric, stored so that a
// plot of any time range at any pixel width costs about the same for 10 million points as for a
// thousand (decimate.ts does the binning).
//
// Layout. A series — (run, metric) — is cut in chunks of up to 4,096 points (CHUNK_POINTS), in
// arrival order. Each chunk has up to three rows, one per level of detail, in separate tables:
//   run_series_chunks  (series_id, chunk_no) → t0, t1, n, min, max        ~50 bytes
//   run_series_bins    (series_id, chunk_no) → per 64 points (tMin, tMax, min, max), Float64Array ≤ 2 KiB
//   run_series_points  (series_id, chunk_no, piece) → ts, vs, Float64Array bytes ≤ 2 × 32 KiB
// and run_series maps (run_id, metric) to the integer series_id the other rows are keyed by.
// Why separate tables: a row's blobs live in a chain of overflow pages that SQLite walks from the
// start to reach a later column, so a `sub` blob stored after 64 KiB of raw arrays costs a read
// of those arrays (measured, 2,442 chunk rows: 82 ms for their `sub` blobs in one table, 8.6 ms
// from a table of their own). Split, the chunk rows of a 10M-point series fill ~40 pages, its
// bins are read only for chunks that straddle a column boundary, and its raw points only where a
// column covers few points (or at the two ends of a zoomed range).
// Bins keep tMin and tMax (not just the first time): with points out of order, the first time of
// a bin says neither where it starts nor whether it fits in one column.
//
// t0/t1 are a chunk's earliest and latest time, not its first and last point: a device with its
// own clock may deliver a point a little out of order; it is kept where it arrived (no sorting),
// and the range selection (t1 >= from AND t0 <= to) stays correct.
//
// Writing. append() fills the series' unfinished tail chunk in memory; a full chunk is sealed
// (bins computed) and waits for flush(), which writes sealed chunks whole and the tail's new
// points as one more `piece` row of the same chunk (plus its rewritten ~50-byte chunk row), so a
// flush costs what was appended since the last one, not the whole tail. After `tailPieces` pieces
// the tail is rewritten as a single piece, which bounds the rows a read of the tail gathers.
// (tailPieces = 1 is "rewrite the tail row on every flush": measured with 50 series × 20 points
// per flush, 2,000 flushes, it wrote 3.4 GB of WAL for 32 MB of points, 5.2 ms per flush; with
// 16 pieces, 345 MB and 0.6 ms.) A tail has no bins row: its bins are
// computed from its points when needed. The caller wraps flush() in its own transaction, so what
// is flushed commits together with its cursor: nothing flushed is lost, nothing is written twice.
// On the first append to a series the index has not seen since it started (a restart), the
// series' unfinished tail is read back so the next points continue it.
//
// Memory: one tail chunk per series appended to since the previous flush (its arrays grow up to
// 4,096 points), plus chunks sealed since the last flush; series idle for a whole flush are
// dropped from memory (their rows have everything).

import type Database from 'better-sqlite3';
import type { RunSeriesView } from '../../../shared/run-review';
import { binChunk, CHUNK_POINTS, decimate, type ChunkInfo, type RawPoints } from './decimate';

export interface SeriesSummary {
  metric: string;
  points: number;
  min: number;
  max: number;
  t0: number;
  t1: number;
}

export interface SeriesIndexOptions {
  /**
   * Piece rows an unfinished chunk may be written in before a flush rewrites it as one (1: the
   * tail chunk is rewritten whole on every flush). Default 16.
   */
  tailPieces?: number;
}

const DEFAULT_TAIL_PIECES = 16;
/** What a row costs on disk besides its blobs (key, record header, b-tree cell and index entry). */
const ROW_BYTES = 48;
const FIRST_CAPACITY = 256;
/** Above any chunk number. */
const MAX_CHUNK = Number.MAX_SAFE_INTEGER;

/** A chunk as a query sees it; chunks held in memory carry their points (and, sealed, their bins). */
interface Chunk extends ChunkInfo {
  no: number;
  ts?: Float64Array;
  vs?: Float64Array;
  bins?: Float64Array;
}

interface SealedChunk extends Chunk {
  ts: Float64Array;
  vs: Float64Array;
  bins: Float64Array;
}

interface ChunkRow extends ChunkInfo {
  no: number;
}

interface SummaryRow {
  points: number | null;
  min: number | null;
  max: number | null;
  t0: number | null;
  t1: number | null;
}

/** One series' unwritten state: its unfinished tail chunk and the chunks sealed since the last flush. */
class SeriesBuffer {
  /** Row id in run_series; undefined until the first flush writes the series. */
  id: number | undefined;
  /** The tail chunk's number. */
  no = 0;
  ts = new Float64Array(FIRST_CAPACITY);
  vs = new Float64Array(FIRST_CAPACITY);
  n = 0;
  t0 = Infinity;
  t1 = -Infinity;
  min = Infinity;
  max = -Infinity;
  /** Points of the tail already written, and the piece rows they are written in. */
  flushedN = 0;
  pieces = 0;
  sealed: SealedChunk[] = [];
  /** Appended to since the previous flush. */
  touched = true;

  push(t: number, v: number): SealedChunk | undefined {
    if (this.n === this.ts.length) {
      const cap = Math.min(CHUNK_POINTS, this.ts.length * 2);
      const ts = new Float64Array(cap);
      const vs = new Float64Array(cap);
      ts.set(this.ts);
      vs.set(this.vs);
      this.ts = ts;
      this.vs = vs;
    }
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
    if (t < this.t0) this.t0 = t;
    if (t > this.t1) this.t1 = t;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (this.n < CHUNK_POINTS) return undefined;
    const chunk: SealedChunk = {
      ...this.tailInfo(),
      ts: this.ts,
      vs: this.vs,
      bins: binChunk(this.ts, this.vs, this.n),
    };
    this.sealed.push(chunk);
    this.startTail(this.no + 1);
    return chunk;
  }

  startTail(no: number): void {
    this.no = no;
    this.ts = new Float64Array(FIRST_CAPACITY);
    this.vs = new Float64Array(FIRST_CAPACITY);
    this.n = this.flushedN = this.pieces = 0;
    this.t0 = this.min = Infinity;
    this.t1 = this.max = -Infinity;
  }

  tailInfo(): Chunk {
    return { no: this.no, t0: this.t0, t1: this.t1, n: this.n, min: this.min, max: this.max };
  }

  /** Chunks only memory has right: sealed ones and the tail (rows with these numbers may be stale). */
  chunks(): Chunk[] {
    const out: Chunk[] = [...this.sealed];
    if (this.n > 0) out.push({ ...this.tailInfo(), ts: this.ts.subarray(0, this.n), vs: this.vs.subarray(0, this.n) });
    return out;
  }

  /** Chunk rows numbered from here on are superseded by memory. */
  get memoryFrom(): number {
    return this.sealed[0]?.no ?? this.no;
  }

  get clean(): boolean {
    return this.sealed.length === 0 && this.flushedN === this.n;
  }
}

export class SeriesIndex {
  /** runId → metric → buffer. */
  private readonly buffers = new Map<string, Map<string, SeriesBuffer>>();
  private readonly st: ReturnType<SeriesIndex['prepare']>;
  private readonly tailPieces: number;

  constructor(
    private readonly db: Database.Database,
    options: SeriesIndexOptions = {},
  ) {
    this.tailPieces = Math.max(1, Math.floor(options.tailPieces ?? DEFAULT_TAIL_PIECES));
    db.exec(`
      CREATE TABLE IF NOT EXISTS run_series (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        metric TEXT NOT NULL,
        UNIQUE (run_id, metric)
      );
      CREATE TABLE IF NOT EXISTS run_series_chunks (
        series_id INTEGER NOT NULL,
        chunk_no INTEGER NOT NULL,
        t0 REAL NOT NULL,
        t1 REAL NOT NULL,
        n INTEGER NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        PRIMARY KEY (series_id, chunk_no)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS run_series_bins (
        series_id INTEGER NOT NULL,
        chunk_no INTEGER NOT NULL,
        bins BLOB NOT NULL,
        PRIMARY KEY (series_id, chunk_no)
      );
      CREATE TABLE IF NOT EXISTS run_series_points (
        series_id INTEGER NOT NULL,
        chunk_no INTEGER NOT NULL,
        piece INTEGER NOT NULL,
        ts BLOB NOT NULL,
        vs BLOB NOT NULL,
        PRIMARY KEY (series_id, chunk_no, piece)
      );
    `);
    this.st = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      seriesId: db
        .prepare<[string, string], number>('SELECT id FROM run_series WHERE run_id = ? AND metric = ?')
        .pluck(),
      insertSeries: db.prepare<[string, string]>('INSERT INTO run_series (run_id, metric) VALUES (?, ?)'),
      lastChunk: db.prepare<[number], ChunkRow>(
        'SELECT chunk_no AS no, t0, t1, n, min, max FROM run_series_chunks WHERE series_id = ? ORDER BY chunk_no DESC LIMIT 1',
      ),
      // Raw rows (arrays): a 10M-point series has 2,442 chunks, and objects cost twice as much.
      overlapping: db
        .prepare<[number, number, number, number], [number, number, number, number, number, number]>(
          `SELECT chunk_no, t0, t1, n, min, max FROM run_series_chunks
            WHERE series_id = ? AND chunk_no < ? AND t1 >= ? AND t0 <= ? ORDER BY chunk_no`,
        )
        .raw(),
      putChunk: db.prepare<[number, number, number, number, number, number, number]>(
        'INSERT OR REPLACE INTO run_series_chunks (series_id, chunk_no, t0, t1, n, min, max) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      putBins: db.prepare<[number, number, Buffer]>(
        'INSERT OR REPLACE INTO run_series_bins (series_id, chunk_no, bins) VALUES (?, ?, ?)',
      ),
      // Batches: a range when the chunks asked are dense in it, else a list (JSON array of numbers).
      binsRange: db
        .prepare<[number, number, number], [number, Buffer]>(
          'SELECT chunk_no, bins FROM run_series_bins WHERE series_id = ? AND chunk_no BETWEEN ? AND ?',
        )
        .raw(),
      binsList: db
        .prepare<[number, string], [number, Buffer]>(
          'SELECT chunk_no, bins FROM run_series_bins WHERE series_id = ? AND chunk_no IN (SELECT value FROM json_each(?))',
        )
        .raw(),
      piecesRange: db
        .prepare<[number, number, number], [number, Buffer, Buffer]>(
          `SELECT chunk_no, ts, vs FROM run_series_points
            WHERE series_id = ? AND chunk_no BETWEEN ? AND ? ORDER BY chunk_no, piece`,
        )
        .raw(),
      piecesList: db
        .prepare<[number, string], [number, Buffer, Buffer]>(
          `SELECT chunk_no, ts, vs FROM run_series_points
            WHERE series_id = ? AND chunk_no IN (SELECT value FROM json_each(?)) ORDER BY chunk_no, piece`,
        )
        .raw(),
      putPiece: db.prepare<[number, number, number, Buffer, Buffer]>(
        'INSERT OR REPLACE INTO run_series_points (series_id, chunk_no, piece, ts, vs) VALUES (?, ?, ?, ?, ?)',
      ),
      deletePieces: db.prepare<[number, number]>('DELETE FROM run_series_points WHERE series_id = ? AND chunk_no = ?'),
      runSummaries: db.prepare<[string], SummaryRow & { id: number; metric: string }>(
        `SELECT s.id, s.metric, sum(c.n) AS points, min(c.min) AS min, max(c.max) AS max, min(c.t0) AS t0, max(c.t1) AS t1
           FROM run_series s JOIN run_series_chunks c ON c.series_id = s.id
          WHERE s.run_id = ? GROUP BY s.id`,
      ),
      seriesSummary: db.prepare<[number, number], SummaryRow>(
        `SELECT sum(n) AS points, min(min) AS min, max(max) AS max, min(t0) AS t0, max(t1) AS t1
           FROM run_series_chunks WHERE series_id = ? AND chunk_no < ?`,
      ),
      deleteChunks: db.prepare<[string]>(
        'DELETE FROM run_series_chunks WHERE series_id IN (SELECT id FROM run_series WHERE run_id = ?)',
      ),
      deleteBins: db.prepare<[string]>(
        'DELETE FROM run_series_bins WHERE series_id IN (SELECT id FROM run_series WHERE run_id = ?)',
      ),
      deletePoints: db.prepare<[string]>(
        'DELETE FROM run_series_points WHERE series_id IN (SELECT id FROM run_series WHERE run_id = ?)',
      ),
      deleteSeries: db.prepare<[string]>('DELETE FROM run_series WHERE run_id = ?'),
      // length() of a blob is read from the record header: the blobs themselves are not loaded.
      bytes: db
        .prepare<[{ run: string; row: number }], number>(
          `SELECT
             (SELECT coalesce(sum(length(ts) + length(vs) + @row), 0) FROM run_series_points
               WHERE series_id IN (SELECT id FROM run_series WHERE run_id = @run))
           + (SELECT coalesce(sum(length(bins) + @row), 0) FROM run_series_bins
               WHERE series_id IN (SELECT id FROM run_series WHERE run_id = @run))
           + (SELECT count(*) * @row FROM run_series_chunks
               WHERE series_id IN (SELECT id FROM run_series WHERE run_id = @run))
           + (SELECT count(*) * @row FROM run_series WHERE run_id = @run)`,
        )
        .pluck(),
    };
  }

  /** Points appended and not yet flushed (sealed chunks and unwritten tail points). */
  get bufferedPoints(): number {
    let n = 0;
    for (const run of this.buffers.values()) {
      for (const b of run.values()) n += b.sealed.length * CHUNK_POINTS + b.n - b.flushedN;
    }
    return n;
  }

  /** One numeric point of a run (t: epoch ms, may be out of order slightly; non-finite values are ignored). Buffered in memory. */
  append(runId: string, metric: string, t: number, v: number): void {
    if (!Number.isFinite(t) || !Number.isFinite(v)) return;
    let run = this.buffers.get(runId);
    if (!run) this.buffers.set(runId, (run = new Map()));
    let b = run.get(metric);
    if (!b) run.set(metric, (b = this.resume(runId, metric)));
    b.touched = true;
    b.push(t, v);
  }

  /** A series' buffer, continuing the unfinished tail chunk it left on disk (if any). */
  private resume(runId: string, metric: string): SeriesBuffer {
    const b = new SeriesBuffer();
    b.id = this.st.seriesId.get(runId, metric);
    if (b.id === undefined) return b;
    const last = this.st.lastChunk.get(b.id);
    if (!last) return b;
    if (last.n >= CHUNK_POINTS) {
      b.no = last.no + 1;
      return b;
    }
    const rows = this.st.piecesRange.all(b.id, last.no, last.no).map(([, ts, vs]): [Buffer, Buffer] => [ts, vs]);
    const { ts, vs } = concat(rows, last.n);
    b.no = last.no;
    b.ts = new Float64Array(CHUNK_POINTS);
    b.vs = new Float64Array(CHUNK_POINTS);
    b.ts.set(ts);
    b.vs.set(vs);
    b.n = b.flushedN = ts.length;
    b.pieces = rows.length;
    b.t0 = last.t0;
    b.t1 = last.t1;
    b.min = last.min;
    b.max = last.max;
    return b;
  }

  /**
   * Write what append() buffered (full chunks, and the unfinished tail chunk of every touched
   * series), so a crash loses nothing flushed. The caller wraps it in a transaction with its own
   * writes (on its own it runs in one; inside the caller's, as a savepoint).
   */
  flush(): void {
    const written: Array<[SeriesBuffer, number, number]> = [];
    this.db.transaction(() => {
      for (const [runId, run] of this.buffers) {
        for (const [metric, b] of run) {
          if (!b.clean) written.push([b, ...this.write(runId, metric, b)]);
        }
      }
    })();
    // Only now (every write succeeded; a failure leaves the buffers as they were, for a retry):
    // mark what was written, and forget series nothing was appended to since the last flush.
    for (const [b, id, pieces] of written) {
      b.id = id;
      b.pieces = pieces;
      b.sealed = [];
      b.flushedN = b.n;
    }
    for (const [runId, run] of this.buffers) {
      for (const [metric, b] of run) {
        if (!b.touched) run.delete(metric);
        b.touched = false;
      }
      if (run.size === 0) this.buffers.delete(runId);
    }
  }

  /** Rows for a series' sealed chunks and new tail points; returns its series id and the tail's piece count. */
  private write(runId: string, metric: string, b: SeriesBuffer): [id: number, pieces: number] {
    const st = this.st;
    const id = b.id ?? Number(st.insertSeries.run(runId, metric).lastInsertRowid);
    for (const c of b.sealed) {
      st.deletePieces.run(id, c.no); // the pieces it was written in while it was the tail
      st.putPiece.run(id, c.no, 0, bytesOf(c.ts, 0, c.n), bytesOf(c.vs, 0, c.n));
      st.putBins.run(id, c.no, bytesOf(c.bins, 0, c.bins.length));
      st.putChunk.run(id, c.no, c.t0, c.t1, c.n, c.min, c.max);
    }
    if (b.n === b.flushedN) return [id, b.pieces];
    let pieces = b.pieces;
    if (pieces >= this.tailPieces) {
      st.deletePieces.run(id, b.no);
      st.putPiece.run(id, b.no, 0, bytesOf(b.ts, 0, b.n), bytesOf(b.vs, 0, b.n));
      pieces = 1;
    } else {
      st.putPiece.run(id, b.no, pieces, bytesOf(b.ts, b.flushedN, b.n), bytesOf(b.vs, b.flushedN, b.n));
      pieces++;
    }
    st.putChunk.run(id, b.no, b.t0, b.t1, b.n, b.min, b.max);
    return [id, pieces];
  }

  /** Per metric of a run: points, min, max, first and last time (flushed and buffered). */
  summaries(runId: string): SeriesSummary[] {
    const out = new Map<string, SeriesSummary>();
    const run = this.buffers.get(runId);
    for (const r of this.st.runSummaries.all(runId)) {
      const b = run?.get(r.metric);
      // A buffered series: its rows from the first chunk memory holds on may be stale.
      const s = b ? this.st.seriesSummary.get(r.id, b.memoryFrom) : r;
      if (s?.points) out.set(r.metric, summaryOf(r.metric, s));
    }
    for (const [metric, b] of run ?? []) {
      for (const c of b.chunks()) {
        const s = out.get(metric);
        if (!s) {
          out.set(metric, { metric, points: c.n, min: c.min, max: c.max, t0: c.t0, t1: c.t1 });
          continue;
        }
        s.points += c.n;
        s.min = Math.min(s.min, c.min);
        s.max = Math.max(s.max, c.max);
        s.t0 = Math.min(s.t0, c.t0);
        s.t1 = Math.max(s.t1, c.t1);
      }
    }
    return [...out.values()].sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
  }

  /** Metric `metric` of `runId` over [from, to] in `columns` pixel columns. */
  query(runId: string, metric: string, from: number, to: number, columns: number): RunSeriesView {
    if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) {
      throw new RangeError(`the range [${from}, ${to}] is not a time range`);
    }
    if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`${columns} columns: need a whole number ≥ 1`);
    const b = this.buffers.get(runId)?.get(metric);
    const id = b ? b.id : this.st.seriesId.get(runId, metric);
    const chunks: Chunk[] = [];
    if (id !== undefined) {
      for (const [no, t0, t1, n, min, max] of this.st.overlapping.all(id, b?.memoryFrom ?? MAX_CHUNK, from, to)) {
        chunks.push({ no, t0, t1, n, min, max });
      }
    }
    if (b) for (const c of b.chunks()) if (c.t1 >= from && c.t0 <= to) chunks.push(c);
    const raw = (list: readonly Chunk[]): RawPoints[] => {
      const stored = list.filter((c) => !c.ts);
      const rows = stored.length > 0 ? this.readPieces(id!, stored) : undefined;
      return list.map((c) => (c.ts && c.vs ? { ts: c.ts, vs: c.vs } : concat(rows!.get(c.no) ?? [], c.n)));
    };
    const bins = (list: readonly Chunk[]): Float64Array[] => {
      const stored = list.filter((c) => !c.bins && !c.ts);
      const rows = stored.length > 0 ? this.readBins(id!, stored) : undefined;
      const out = list.map((c) => c.bins ?? rows?.get(c.no));
      // An unfinished chunk has no bins row: its bins come from its points.
      const missing = list.filter((_, i) => !out[i]);
      if (missing.length > 0) {
        const points = raw(missing);
        for (let i = 0, k = 0; i < list.length; i++) {
          if (out[i]) continue;
          const r = points[k++]!;
          out[i] = binChunk(r.ts, r.vs, list[i]!.n);
        }
      }
      return out as Float64Array[];
    };
    return decimate(metric, chunks, { raw, bins }, from, to, columns);
  }

  /** Bins rows of chunks (distinct, any order), by chunk number. */
  private readBins(id: number, list: readonly Chunk[]): Map<number, Float64Array> {
    const [first, last] = span(list);
    // A range scan costs about half a lookup per row: worth it while half the range is wanted.
    const rows =
      list.length * 2 >= last - first + 1
        ? this.st.binsRange.all(id, first, last)
        : this.st.binsList.all(id, JSON.stringify(list.map((c) => c.no)));
    return new Map(rows.map(([no, bins]) => [no, f64(bins)]));
  }

  /** Piece rows of chunks (distinct, any order), by chunk number. */
  private readPieces(id: number, list: readonly Chunk[]): Map<number, Array<[Buffer, Buffer]>> {
    const [first, last] = span(list);
    // A range only when every chunk in it is wanted: 64 KiB rows are not worth reading for nothing.
    const rows =
      list.length === last - first + 1
        ? this.st.piecesRange.all(id, first, last)
        : this.st.piecesList.all(id, JSON.stringify(list.map((c) => c.no)));
    const out = new Map<number, Array<[Buffer, Buffer]>>();
    for (const [no, ts, vs] of rows) {
      const pieces = out.get(no);
      if (pieces) pieces.push([ts, vs]);
      else out.set(no, [[ts, vs]]);
    }
    return out;
  }

  /** Forget a run's series (rows and buffers). */
  deleteRun(runId: string): void {
    this.db.transaction(() => {
      this.st.deleteChunks.run(runId);
      this.st.deleteBins.run(runId);
      this.st.deletePoints.run(runId);
      this.st.deleteSeries.run(runId);
    })();
    this.buffers.delete(runId);
  }

  /** Bytes the run's series take on disk (sum of blob lengths plus a per-row estimate). */
  bytes(runId: string): number {
    return this.st.bytes.get({ run: runId, row: ROW_BYTES }) ?? 0;
  }
}

/** The lowest and highest chunk number of a list. */
function span(list: readonly Chunk[]): [number, number] {
  let first = Infinity;
  let last = -Infinity;
  for (const c of list) {
    if (c.no < first) first = c.no;
    if (c.no > last) last = c.no;
  }
  return [first, last];
}

function summaryOf(metric: string, s: SummaryRow): SeriesSummary {
  return { metric, points: s.points ?? 0, min: s.min ?? NaN, max: s.max ?? NaN, t0: s.t0 ?? NaN, t1: s.t1 ?? NaN };
}

/** The bytes of a[from, to) (a view: better-sqlite3 copies a bound blob). */
function bytesOf(a: Float64Array, from: number, to: number): Buffer {
  return Buffer.from(a.buffer, a.byteOffset + from * 8, (to - from) * 8);
}

/** A blob of Float64Array bytes as a Float64Array (a view when aligned). */
function f64(b: Buffer): Float64Array {
  if (b.byteOffset % 8 === 0) return new Float64Array(b.buffer, b.byteOffset, b.length >> 3);
  const out = new Float64Array(b.length >> 3);
  new Uint8Array(out.buffer).set(b.subarray(0, out.length * 8));
  return out;
}

/** A chunk's points from its piece rows (one row for a sealed chunk). */
function concat(rows: ReadonlyArray<readonly [Buffer, Buffer]>, n: number): RawPoints {
  if (rows.length === 1 && rows[0]![0].length === n * 8) return { ts: f64(rows[0]![0]), vs: f64(rows[0]![1]) };
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let at = 0;
  for (const [tb, vb] of rows) {
    const t = f64(tb);
    const v = f64(vb);
    if (at + t.length > n || v.length !== t.length) break;
    ts.set(t, at);
    vs.set(v, at);
    at += t.length;
  }
  if (at !== n) throw new Error(`a series chunk's rows hold ${at}+ points where its summary says ${n}`);
  return { ts, vs };
}
