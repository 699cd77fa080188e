// The run library: every run kept whole on this machine until the technician deletes it, with
// its details (operator, description, fields, recorded sources), its size, its review index and
// the disk quota. It follows the client's log (run-follower.ts), so it holds what the log held,
// whatever the platform has confirmed and however long ago.

import type Database from 'better-sqlite3';
import type { LoggedPoint, Plexus, RunRow } from '../../plexus';
import type { RunDetail, RunLibraryView, RunMetaView, RunSeriesView, RunView } from '../../../shared/contract';
import { MAX_RUN_MOMENTS } from '../../../shared/run-review';
import { toRunView } from '../run-requests';
import {
  openLibraryDb,
  libraryStatements,
  type LibraryRunRow,
  type LibraryStatements,
  type LineRow,
} from './library-db';
import { PointLineReader, type LinePiece } from './metric-line';
import { RunFollower } from './run-follower';
import { RunQuota, type RunLibraryOptions } from './run-quota-check';
import type { QuotaRun } from './run-quota';
import { SeriesIndex } from './series-index';

export type { RunLibraryOptions } from './run-quota-check';

export interface RunLibraryContext {
  client: Plexus;
  dataDir: string;
  unit(metric: string): string | undefined;
  /** Something the window shows changed (a run deleted by the quota, a new warning). */
  changed(): void;
  warn(message: string): void;
  /**
   * For the problems list: `copy`, the library cannot copy runs; `quota`, the disk nears or
   * crossed the quota's line; `damaged`, runs.db was set aside. null: cleared.
   */
  problem(kind: 'copy' | 'quota' | 'damaged', message: string | null): void;
}

/** How often the library copies from the log. */
const FOLLOW_MS = 250;
/** A run's size is counted again at most this often while it grows. */
const SIZE_MS = 5_000;

export interface RunDetails {
  name?: string | undefined;
  operator?: string | undefined;
  description?: string | undefined;
  fields?: Record<string, string> | undefined;
}

export class RunLibrary {
  private readonly db: Database.Database;
  private readonly st: LibraryStatements;
  private index: SeriesIndex;
  private readonly follower: RunFollower;
  private readonly quota: RunQuota;
  private followTimer: NodeJS.Timeout | null = null;
  /** Why the last copy failed (null: it works). */
  private failing: string | null = null;
  /** Runs deleted (their late lines are not copied back). */
  private readonly deletedIds: Set<string>;
  /** Run ids the client does not know (a device's own run_id tag), so not looked up again. */
  private readonly foreign = new Set<string>();
  /** Runs being exported: neither the quota nor the technician may delete them meanwhile. */
  private readonly busy = new Map<string, number>();
  /** Each run's size, counted again after it grew and SIZE_MS passed. */
  private readonly sizes = new Map<string, { bytes: number; at: number; stale: boolean }>();

  constructor(
    private readonly ctx: RunLibraryContext,
    opts: RunLibraryOptions = {},
  ) {
    const { db, setAside } = openLibraryDb(ctx.dataDir);
    this.db = db;
    if (setAside) {
      ctx.warn(`the run library was damaged and set aside as ${setAside}`);
      ctx.problem(
        'damaged',
        `The run library's file was damaged. It was set aside as ${setAside} with the runs recorded before; new runs are kept in a fresh one.`,
      );
    }
    this.st = libraryStatements(this.db);
    this.index = new SeriesIndex(this.db);
    this.deletedIds = new Set(this.st.deletedIds.all().map((r) => r.id));
    this.follower = new RunFollower(
      ctx.client,
      this.st,
      this.index,
      {
        accepts: (id) => this.accepts(id),
        ensureRun: (id) => this.ensureRun(id),
        transaction: (fn) => this.db.transaction(fn)(),
        reloadSeries: () => (this.index = new SeriesIndex(this.db)),
        grew: (ids) => {
          for (const id of ids) {
            const s = this.sizes.get(id);
            if (s) s.stale = true;
          }
        },
      },
      ctx.warn,
    );
    this.quota = new RunQuota(this.db, opts, {
      dataDir: ctx.dataDir,
      runs: () => this.quotaRuns(),
      delete: (id) => this.remove(id),
      changed: (warning) => {
        ctx.problem('quota', warning);
        ctx.changed();
      },
      warn: ctx.warn,
    });
    // Points stamped before the first clock sync were moved onto gateway time in the log: the
    // library copied them with their old times, so their runs are copied again.
    ctx.client.on('restamped', ({ deltaMs, runIds }) => this.restamped(deltaMs, runIds));
  }

  /** Follow the log and watch the disk until close(). */
  start(): void {
    this.followTimer = setInterval(() => this.follow(), FOLLOW_MS);
    this.followTimer.unref();
    this.quota.start();
  }

  /** Stop following (the client then hands over the rest of the log: lastCopy()). */
  stop(): void {
    if (this.followTimer) clearInterval(this.followTimer);
    this.followTimer = null;
    this.quota.stop();
  }

  /** Copy the rest of the log (the client calls it just before it closes its buffer). */
  lastCopy(): void {
    this.follower.catchUpNow();
  }

  close(): void {
    this.stop();
    this.db.close();
  }

  private follow(): void {
    try {
      this.follower.step();
      if (this.failing !== null) {
        this.failing = null;
        this.ctx.problem('copy', null);
        this.ctx.warn('the run library copies runs again');
      }
    } catch (e) {
      // The log keeps what was not copied (holdLogAfter): the next step tries again from the
      // cursor, so a full disk that clears loses nothing. Said once, not four times a second.
      const why = (e as Error).message;
      if (this.failing !== why) {
        this.failing = why;
        this.ctx.warn(`the run library could not copy points: ${why}`);
        this.ctx.problem('copy', `Runs are not being saved to the run library: ${why}.`);
      }
    }
  }

  private restamped(deltaMs: number, runIds: string[]): void {
    for (const id of runIds) {
      const run = this.ctx.client.run(id);
      if (!run || this.deletedIds.has(id)) continue;
      try {
        this.dropRows(id);
        this.st.shiftStart.run(deltaMs, id);
        this.follower.recopy(id, run.firstSeq);
      } catch (e) {
        this.ctx.warn(`the run library could not copy run ${id} again after the clock sync: ${(e as Error).message}`);
      }
    }
  }

  private accepts(id: string): boolean {
    if (this.deletedIds.has(id) || this.foreign.has(id)) return false;
    if (this.st.getRun.get(id) || this.ctx.client.run(id)) return true;
    this.foreign.add(id);
    return false;
  }

  /** A run the window started, with its details and the names of the sources it records. */
  started(run: { id: string; name: string; startedAt: number }, details: RunDetails, sources: string[]): void {
    this.st.insertRun.run(
      run.id,
      run.name,
      run.startedAt,
      details.operator ?? '',
      details.description ?? '',
      JSON.stringify(details.fields ?? {}),
      JSON.stringify(sources),
    );
  }

  private ensureRun(id: string): void {
    if (this.st.getRun.get(id)) return;
    const r = this.ctx.client.run(id);
    this.st.insertRun.run(id, r?.name ?? id, r?.startedAt ?? Date.now(), '', '', '{}', '[]');
  }

  /** Change a run's details; returns them. */
  update(runId: string, d: RunDetails): RunMetaView {
    this.ensureRun(runId);
    const row = this.st.getRun.get(runId)!;
    this.st.updateMeta.run(
      d.name ?? row.name,
      d.operator ?? row.operator,
      d.description ?? row.description,
      d.fields !== undefined ? JSON.stringify(d.fields) : row.fields,
      runId,
    );
    return metaOf(this.st.getRun.get(runId)!);
  }

  /** A run of the client's log as the window lists it: details, size, delivery. */
  view(r: RunRow): RunView {
    const row = this.st.getRun.get(r.id);
    const v = toRunView(r);
    return {
      ...v,
      // A run cut short by a crash is closed as its whole stretch of the log, which holds other
      // sources' points too when it recorded only some: the points copied here are its own.
      ...(r.interrupted ? { points: this.pointCount(r.id) } : {}),
      ...(row ? { name: row.name, meta: metaOf(row) } : {}),
      storage: { bytes: this.size(r.id, row), delivered: this.delivered(r) },
    };
  }

  /** A run by id as the window lists it; undefined when the client has no such run. */
  viewOf(runId: string): RunView | undefined {
    const r = this.ctx.client.run(runId);
    return r ? this.view(r) : undefined;
  }

  /** Every point reached the platform: the delivery cursor passed its end and none was refused. */
  private delivered(r: RunRow): boolean {
    if (r.lastSeq === null || r.endedAt === null) return false;
    return (
      r.lastSeq <= this.ctx.client.stats().confirmedSeq &&
      this.ctx.client.quarantinedBetween(r.firstSeq, r.lastSeq) === 0
    );
  }

  private size(id: string, row = this.st.getRun.get(id)): number {
    const now = Date.now();
    const s = this.sizes.get(id);
    // Counted again once it grew; while it records, at most every SIZE_MS.
    const recording = this.ctx.client.currentRun()?.id === id;
    if (s && (!s.stale || (recording && now - s.at < SIZE_MS))) return s.bytes;
    const bytes = (row?.bytes ?? 0) + this.index.bytes(id);
    this.sizes.set(id, { bytes, at: now, stale: false });
    return bytes;
  }

  /** The run is being exported until the returned function is called. */
  hold(runId: string): () => void {
    this.busy.set(runId, (this.busy.get(runId) ?? 0) + 1);
    return () => {
      const n = (this.busy.get(runId) ?? 1) - 1;
      if (n <= 0) this.busy.delete(runId);
      else this.busy.set(runId, n);
    };
  }

  /**
   * Delete a run: its library rows, its review index, then its entry in the client's run log.
   * Refused while it records or is being exported.
   */
  delete(runId: string): { bytes: number } {
    if (this.ctx.client.currentRun()?.id === runId)
      throw new Error('the run is still recording; stop it before deleting it');
    if (this.busy.has(runId)) throw new Error('the run is being exported; delete it when the export is done');
    return this.remove(runId);
  }

  private remove(runId: string): { bytes: number } {
    // What the log holds of it is counted in the size it frees (a full disk may refuse: no matter).
    try {
      this.follower.step(4, true);
    } catch {
      // the run's lines not copied yet are not copied afterwards either (marked deleted below)
    }
    const bytes = this.size(runId);
    // Marked first: a line of it the follower has not copied yet is not copied back.
    this.deletedIds.add(runId);
    this.db.transaction(() => {
      this.st.markDeleted.run(runId, Date.now());
      this.dropRows(runId);
      this.st.deleteRun.run(runId);
    })();
    this.follower.forget(runId);
    this.sizes.delete(runId);
    this.ctx.client.deleteRun(runId);
    // Give the pages back to the disk, so the quota sees the room it made.
    this.db.pragma('incremental_vacuum');
    return { bytes };
  }

  private dropRows(runId: string): void {
    this.st.deleteLines.run(runId);
    this.st.deleteMoments.run(runId);
    this.st.resetBytes.run(runId);
    this.index.deleteRun(runId);
    this.sizes.delete(runId);
  }

  /** Copy what the log holds so far, before a read (an export, a review). */
  caughtUp(): Promise<void> {
    return this.follower.catchUp();
  }

  /** A run's points in recording order, every one it recorded (call caughtUp() first). */
  *points(runId: string): Generator<LoggedPoint> {
    const reader = new PointLineReader();
    for (const piece of this.lines(runId)) yield* reader.readLines(piece.body, piece.firstSeq, piece.seqs);
  }

  /** A run's lines as the log wrote them, in pieces joined by "\n", in recording order. */
  *bodies(runId: string): Generator<string> {
    for (const row of this.pieces(runId)) yield row.body.toString('utf8');
  }

  /** The same pieces with their lines' seqs (writers that read the lines' text themselves). */
  *lines(runId: string): Generator<LinePiece> {
    for (const row of this.pieces(runId)) {
      const seqs = row.seqs ? new Float64Array(row.seqs.buffer, row.seqs.byteOffset, row.n) : null;
      yield { body: row.body.toString('utf8'), firstSeq: row.firstSeq, seqs };
    }
  }

  /** A run's pieces of lines in recording order, read a few at a time. */
  private *pieces(runId: string): Generator<LineRow> {
    let after = -1;
    for (;;) {
      const rows = this.st.linesAfter.all(runId, after);
      if (rows.length === 0) return;
      for (const row of rows) {
        after = row.firstSeq;
        yield row;
      }
    }
  }

  /** The run's metrics that have numbers (as its index knows them). */
  numberMetrics(runId: string): string[] {
    return this.index.summaries(runId).map((s) => s.metric);
  }

  /** How many points the library holds for a run. */
  pointCount(runId: string): number {
    return this.st.lineCount.get(runId)?.n ?? 0;
  }

  /** What the review opens with: the run's metrics, moments, and a time range that holds them. */
  async open(runId: string, run: { startedAt: number; endedAt: number | null }): Promise<RunDetail> {
    await this.caughtUp();
    const moments = this.st.moments.all(runId, MAX_RUN_MOMENTS + 1);
    const summaries = this.index.summaries(runId);
    const metrics = summaries.map((s) => {
      const unit = this.ctx.unit(s.metric);
      return { metric: s.metric, ...(unit ? { unit } : {}), points: s.points, min: s.min, max: s.max };
    });
    // A device with its own clock may stamp points outside the run's start and end.
    const times = [...summaries.flatMap((s) => [s.t0, s.t1]), ...moments.map((m) => m.t)];
    const endedAt = run.endedAt ?? this.ctx.client.now();
    return {
      runId,
      startedAt: Math.min(run.startedAt, ...times),
      endedAt: Math.max(endedAt, ...times),
      metrics,
      moments: moments.slice(0, MAX_RUN_MOMENTS),
      momentsCut: moments.length > MAX_RUN_MOMENTS,
    };
  }

  series(runId: string, metrics: string[], from: number, to: number, columns: number): RunSeriesView[] {
    return metrics.map((m) => this.index.query(runId, m, from, to, columns));
  }

  // ── quota ───────────────────────────────────────────────────────────────────────────

  /** The library's size, the disk's room, and the quota's word (null until looked at). */
  libraryView(): RunLibraryView | null {
    return this.quota.view();
  }

  /** A new quota, looked at right away. */
  setQuota(opts: RunLibraryOptions): void {
    this.quota.set(opts);
  }

  checkQuota(): void {
    this.quota.check();
  }

  private quotaRuns(): QuotaRun[] {
    const active = this.ctx.client.currentRun()?.id ?? null;
    return this.st.allRuns.all().map((row) => {
      const log = this.ctx.client.run(row.id);
      return {
        id: row.id,
        name: row.name,
        startedAt: row.startedAt,
        bytes: this.size(row.id, row),
        // A library row the client no longer lists (deleted there) is nobody's only copy.
        delivered: log ? this.delivered(log) : true,
        active: row.id === active || this.busy.has(row.id) || (log !== undefined && log.endedAt === null),
      };
    });
  }
}

function metaOf(row: LibraryRunRow): RunMetaView {
  return {
    operator: row.operator,
    description: row.description,
    fields: JSON.parse(row.fields) as Record<string, string>,
    sources: JSON.parse(row.sources) as string[],
  };
}
