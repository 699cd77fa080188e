// The run library: every run kept whole on this machine until the technician deletes it, with
// its details (operator, description, fields, recorded sources), its size, its review index and
// the disk quota. It follows the client's log (run-follower.ts), so it holds what the log held,
// whatever the platform has confirmed and however long ago.

import type Database from 'better-sqlite3';
import { statfsSync } from 'node:fs';
import type { LoggedPoint, Plexus } from '../../plexus';
import type { RunDetail, RunLibraryView, RunMetaView, RunSeriesView, RunView } from '../../../shared/contract';
import { MAX_RUN_MOMENTS } from '../../../shared/run-review';
import { openLibraryDb, libraryStatements, type LibraryRunRow, type LibraryStatements } from './library-db';
import { RunFollower } from './run-follower';
import { DEFAULT_KEEP_FREE_PERCENT, quotaDecision, type QuotaRun } from './run-quota';
import { SeriesIndex } from './series-index';

export interface RunLibraryOptions {
  /** Keep runs while the disk has more than this share free (percent, default 10). */
  keepFreePercent?: number | undefined;
  /** Also keep all runs together under this many bytes (the quota then counts against it). */
  maxBytes?: number | undefined;
}

export interface RunLibraryContext {
  client: Plexus;
  dataDir: string;
  unit(metric: string): string | undefined;
  /** Something the window shows changed (a run deleted by the quota, a new warning). */
  changed(): void;
  warn(message: string): void;
  /**
   * For the problems list: `copy`, the library cannot copy runs; `quota`, the disk nears or
   * crossed the quota's line. null: cleared.
   */
  problem(kind: 'copy' | 'quota', message: string | null): void;
}

/** How often the library copies from the log, and looks at the disk. */
const FOLLOW_MS = 250;
const QUOTA_MS = 60_000;
/** Runs the quota deleted, remembered for the window. */
const DELETED_SHOWN = 20;

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
  private followTimer: NodeJS.Timeout | null = null;
  private quotaTimer: NodeJS.Timeout | null = null;
  private lastView: RunLibraryView | null = null;
  /** Why the last copy failed (null: it works). */
  private failing: string | null = null;
  private readonly deleted: { name: string; at: number }[] = [];

  constructor(
    private readonly ctx: RunLibraryContext,
    private opts: RunLibraryOptions = {},
  ) {
    this.db = openLibraryDb(ctx.dataDir);
    this.st = libraryStatements(this.db);
    this.index = new SeriesIndex(this.db);
    this.follower = new RunFollower(ctx.client, this.st, this.index, {
      ensureRun: (id) => this.ensureRun(id),
      transaction: (fn) => this.db.transaction(fn)(),
      reloadSeries: () => (this.index = new SeriesIndex(this.db)),
    });
  }

  /** Follow the log and watch the disk until close(). */
  start(): void {
    this.followTimer = setInterval(() => this.follow(), FOLLOW_MS);
    this.followTimer.unref();
    this.quotaTimer = setInterval(() => this.checkQuota(), QUOTA_MS);
    this.quotaTimer.unref();
    this.checkQuota();
  }

  /** Copy what is left in the log, then close the file. */
  close(): void {
    if (this.followTimer) clearInterval(this.followTimer);
    if (this.quotaTimer) clearInterval(this.quotaTimer);
    this.followTimer = this.quotaTimer = null;
    try {
      this.follower.catchUp();
    } catch (e) {
      this.ctx.warn(`the run library could not copy the last points: ${(e as Error).message}`);
    }
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
    const r = this.ctx.client.runs(100_000).find((x) => x.id === id);
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

  /** The runs as the window lists them, with their details, size and delivery. */
  decorate(runs: RunView[]): RunView[] {
    const confirmed = this.ctx.client.stats().confirmedSeq;
    const logRuns = new Map(this.ctx.client.runs(100_000).map((r) => [r.id, r]));
    return runs.map((r) => {
      const row = this.st.getRun.get(r.id);
      const last = logRuns.get(r.id)?.lastSeq ?? null;
      const bytes = (row?.bytes ?? 0) + this.index.bytes(r.id);
      return {
        ...r,
        ...(row ? { name: row.name, meta: metaOf(row) } : {}),
        storage: { bytes, delivered: last !== null && last <= confirmed },
      };
    });
  }

  /**
   * Delete a run: its library rows, its review index and its entry in the client's run log. The
   * run being recorded is refused (by the client).
   */
  delete(runId: string): { bytes: number } {
    this.follower.catchUp();
    this.ctx.client.deleteRun(runId);
    const bytes = (this.st.getRun.get(runId)?.bytes ?? 0) + this.index.bytes(runId);
    this.follower.forget(runId);
    this.db.transaction(() => {
      this.st.deleteLines.run(runId);
      this.st.deleteMoments.run(runId);
      this.st.deleteRun.run(runId);
      this.index.deleteRun(runId);
    })();
    return { bytes };
  }

  /** A run's points in recording order, every one it recorded (for exports). */
  *points(runId: string): Generator<LoggedPoint> {
    this.follower.catchUp();
    let after = -1;
    for (;;) {
      const rows = this.st.linesAfter.all(runId, after);
      if (rows.length === 0) return;
      for (const row of rows) {
        after = row.firstSeq;
        const seqs = row.seqs ? new Float64Array(row.seqs.buffer, row.seqs.byteOffset, row.n) : null;
        const lines = row.body.toString('utf8').split('\n');
        for (let i = 0; i < lines.length; i++) {
          const p = JSON.parse(lines[i]!) as LoggedPoint;
          yield { ...p, seq: seqs ? seqs[i]! : row.firstSeq + i };
        }
      }
    }
  }

  /** How many points the library holds for a run (its lines). */
  pointCount(runId: string): number {
    return (
      this.db.prepare<[string], { n: number | null }>('SELECT SUM(n) AS n FROM lib_lines WHERE run_id = ?').get(runId)
        ?.n ?? 0
    );
  }

  /** What the review opens with. */
  open(runId: string, run: { startedAt: number; endedAt: number | null }): RunDetail {
    this.follower.catchUp();
    const moments = this.st.moments.all(runId, MAX_RUN_MOMENTS + 1);
    const metrics = this.index.summaries(runId).map((s) => {
      const unit = this.ctx.unit(s.metric);
      return { metric: s.metric, ...(unit ? { unit } : {}), points: s.points, min: s.min, max: s.max };
    });
    return {
      runId,
      startedAt: run.startedAt,
      endedAt: run.endedAt ?? this.ctx.client.now(),
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
  view(): RunLibraryView | null {
    return this.lastView;
  }

  /** A new quota, looked at right away. */
  setQuota(opts: RunLibraryOptions): void {
    this.opts = opts;
    this.checkQuota();
  }

  /** Look at the disk; warn, and delete the oldest delivered runs when the quota says so. */
  checkQuota(): void {
    try {
      const runs = this.quotaRuns();
      const total = runs.reduce((s, r) => s + r.bytes, 0);
      const keep = this.opts.keepFreePercent ?? DEFAULT_KEEP_FREE_PERCENT;
      const fs = statfsSync(this.ctx.dataDir);
      let disk = { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
      const real = disk;
      // A byte budget for runs is a disk of its own: the quota counts against whichever is tighter.
      if (this.opts.maxBytes !== undefined) {
        const budget = { freeBytes: this.opts.maxBytes - total, totalBytes: this.opts.maxBytes };
        if (budget.freeBytes / budget.totalBytes < disk.freeBytes / disk.totalBytes) disk = budget;
      }
      const d = quotaDecision(disk, runs, keep);
      for (const r of d.delete) {
        this.delete(r.id);
        this.deleted.push({ name: r.name, at: Date.now() });
        this.ctx.warn(`run "${r.name}" deleted to keep ${keep} % of the disk free`);
      }
      this.deleted.splice(0, Math.max(0, this.deleted.length - DELETED_SHOWN));
      const before = JSON.stringify(this.lastView);
      this.lastView = {
        totalBytes: d.delete.length > 0 ? this.quotaRuns().reduce((s, r) => s + r.bytes, 0) : total,
        diskFreeBytes: real.freeBytes,
        diskBytes: real.totalBytes,
        keepFreePercent: keep,
        warning: d.warning,
        deleted: [...this.deleted],
      };
      if (JSON.stringify(this.lastView) !== before) {
        this.ctx.problem('quota', d.warning);
        this.ctx.changed();
      }
    } catch (e) {
      this.ctx.warn(`the run library could not check the disk: ${(e as Error).message}`);
    }
  }

  private quotaRuns(): QuotaRun[] {
    const confirmed = this.ctx.client.stats().confirmedSeq;
    const active = this.ctx.client.currentRun()?.id ?? null;
    const logRuns = new Map(this.ctx.client.runs(100_000).map((r) => [r.id, r]));
    return this.st.allRuns.all().map((row) => {
      const log = logRuns.get(row.id);
      const last = log?.lastSeq ?? null;
      return {
        id: row.id,
        name: row.name,
        startedAt: row.startedAt,
        bytes: row.bytes + this.index.bytes(row.id),
        delivered: last !== null && last <= confirmed,
        active: row.id === active || (log !== undefined && log.endedAt === null),
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
