// The quota's watch over the disk: once a minute (and when asked) it measures the disk the data
// folder is on — counting the pages runs.db has free inside it as free, since SQLite reuses them
// before it grows the file — asks run-quota.ts what to do, deletes what it says, and keeps what
// the window shows: the library's size, the disk's room, the warning, the runs it deleted.

import type Database from 'better-sqlite3';
import { statfsSync } from 'node:fs';
import type { RunLibraryView } from '../../../shared/contract';
import { DEFAULT_KEEP_FREE_PERCENT, quotaDecision, type QuotaRun } from './run-quota';

export interface RunLibraryOptions {
  /** Keep runs while the disk has more than this share free (percent, default 10). */
  keepFreePercent?: number | undefined;
  /** Also keep all runs together under this many bytes (the quota then counts against it). */
  maxBytes?: number | undefined;
}

export interface QuotaHooks {
  dataDir: string;
  runs(): QuotaRun[];
  delete(runId: string): void;
  /** The view changed; `warning` is the quota's word now (null: none). */
  changed(warning: string | null): void;
  warn(message: string): void;
}

const QUOTA_MS = 60_000;
/** Runs the quota deleted, remembered for the window. */
const DELETED_SHOWN = 20;

export class RunQuota {
  private timer: NodeJS.Timeout | null = null;
  private last: RunLibraryView | null = null;
  private readonly deleted: { name: string; at: number }[] = [];

  constructor(
    private readonly db: Database.Database,
    private opts: RunLibraryOptions,
    private readonly hooks: QuotaHooks,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.check(), QUOTA_MS);
    this.timer.unref();
    this.check();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  set(opts: RunLibraryOptions): void {
    this.opts = opts;
    this.check();
  }

  view(): RunLibraryView | null {
    return this.last;
  }

  /** Look at the disk; warn, and delete the oldest delivered runs when the quota says so. */
  check(): void {
    try {
      const runs = this.hooks.runs();
      const total = runs.reduce((s, r) => s + r.bytes, 0);
      const keep = this.opts.keepFreePercent ?? DEFAULT_KEEP_FREE_PERCENT;
      const fs = statfsSync(this.hooks.dataDir);
      const inFile =
        Number(this.db.pragma('freelist_count', { simple: true })) *
        Number(this.db.pragma('page_size', { simple: true }));
      const real = { freeBytes: fs.bavail * fs.bsize + inFile, totalBytes: fs.blocks * fs.bsize };
      let disk = real;
      let where = 'The disk';
      // A byte budget for runs is a disk of its own: the quota counts against whichever is tighter.
      if (this.opts.maxBytes !== undefined) {
        const budget = { freeBytes: this.opts.maxBytes - total, totalBytes: this.opts.maxBytes };
        if (budget.freeBytes / budget.totalBytes < real.freeBytes / real.totalBytes) {
          disk = budget;
          where = "The runs' byte budget";
        }
      }
      const d = quotaDecision(disk, runs, keep, where);
      for (const r of d.delete) {
        this.hooks.delete(r.id);
        this.deleted.push({ name: r.name, at: Date.now() });
        this.hooks.warn(`run "${r.name}" deleted to keep ${keep} % free`);
      }
      this.deleted.splice(0, Math.max(0, this.deleted.length - DELETED_SHOWN));
      const before = JSON.stringify(this.last);
      this.last = {
        totalBytes: d.delete.length > 0 ? this.hooks.runs().reduce((s, r) => s + r.bytes, 0) : total,
        diskFreeBytes: real.freeBytes,
        diskBytes: real.totalBytes,
        keepFreePercent: keep,
        warning: d.warning,
        deleted: [...this.deleted],
      };
      if (JSON.stringify(this.last) !== before) this.hooks.changed(d.warning);
    } catch (e) {
      this.hooks.warn(`the run library could not check the disk: ${(e as Error).message}`);
    }
  }
}
