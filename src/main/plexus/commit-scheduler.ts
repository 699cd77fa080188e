// When the outbox writes to disk (group commit): a few ms after the first new point, at once when
// many are waiting, soon after the delivery cursor moved (so a crash resends little), and — while
// the disk refuses writes (full, removed, I/O error) — again and again, less often the longer
// nothing fits, holding what is not written in RAM up to a cap. Nothing here throws: what goes
// wrong is reported through the hooks.

import { StorageError } from './errors';
import type { DroppedInfo } from './drops';
import type { Logger } from './config';
import type { Outbox } from './outbox';

/** Pending points beyond which a new point commits at once instead of waiting for the timer. */
const COMMIT_NOW_AT = 8_192;
/** With a failing disk, pending points beyond this are dropped (and reported), not kept in RAM. */
const PENDING_HARD_CAP = 1_000_000;
/** After a failed write, try again this soon, then less often (doubling) up to the max. */
const STORAGE_RETRY_MIN_MS = 250;
const STORAGE_RETRY_MAX_MS = 5000;

export interface CommitHooks {
  /** Points became durable, up to and including `upToSeq`. */
  stored(upToSeq: number, count: number): void;
  dropped(reason: Extract<DroppedInfo['reason'], 'buffer-full' | 'storage-error'>, count: number): void;
  /** The cap dropped undelivered points: the delivery cursor jumped past them. */
  cursorMoved(): void;
  /** Something new is on disk (or the disk works again): delivery may look. */
  committed(): void;
  error(err: StorageError): void;
  /** close() has begun: no more timers unless points still wait to be written. */
  closing(): boolean;
}

export class CommitScheduler {
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** 0 while writes succeed; otherwise the wait before the next try. */
  private storageRetryMs = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly hooks: CommitHooks,
  ) {}

  /** Whether a new point can be taken: not while the disk fails and RAM holds the most it may. */
  accepts(): boolean {
    return this.storageRetryMs === 0 || this.outbox.pendingCount < PENDING_HARD_CAP;
  }

  /** A point was appended: commit at once if many wait (and the disk works), else soon. */
  appended(): void {
    if (this.outbox.pendingCount >= COMMIT_NOW_AT && this.storageRetryMs === 0) this.now();
    else this.timer ??= setTimeout(() => this.now(), this.intervalMs);
  }

  /** Persist the cursor soon even if no new points arrive. */
  soon(): void {
    if (!this.timer && !this.hooks.closing()) this.timer = setTimeout(() => this.now(), this.intervalMs);
  }

  /** Commit now. */
  now(): void {
    this.clear();
    const r = this.outbox.commit();
    if (!r) return;
    if (r.count > 0) this.hooks.stored(r.firstSeq + r.count - 1, r.count);
    if (r.dropped > 0) {
      this.logger.warn(`buffer full: dropped the ${r.dropped} oldest undelivered points`);
      this.hooks.dropped('buffer-full', r.dropped);
      this.hooks.cursorMoved();
    }
    if (r.count > 0 || !r.error) this.hooks.committed();
    if (!r.error) {
      this.storageRetryMs = 0;
      return;
    }
    // Disk full, file removed, I/O error: what fitted is written, the rest is held in RAM and
    // tried again soon — at once after progress, less often the longer nothing fits.
    this.storageRetryMs =
      r.count > 0
        ? STORAGE_RETRY_MIN_MS
        : Math.min(STORAGE_RETRY_MAX_MS, Math.max(STORAGE_RETRY_MIN_MS, this.storageRetryMs * 2));
    const held = this.outbox.pendingCount;
    const what =
      held > 0
        ? `${held.toLocaleString('en-US')} points are held in memory and will be written when there is room`
        : 'no point is lost; only the delivery progress waits to be saved';
    this.hooks.error(
      new StorageError(
        `cannot write to the buffer file (${r.error.message}): ${what}; trying again in ${(this.storageRetryMs / 1000).toFixed(2)} s`,
      ),
    );
    this.clear();
    if (!this.hooks.closing() || held > 0) this.timer = setTimeout(() => this.now(), this.storageRetryMs);
  }

  /**
   * On close: write what is still in RAM, trying until `deadline`; returns how many points could
   * not be (reported, with where to free space: `dataDir`).
   */
  async writeRemaining(deadline: number, dataDir: string): Promise<number> {
    for (let wait = STORAGE_RETRY_MIN_MS; ; wait = Math.min(STORAGE_RETRY_MAX_MS, wait * 2)) {
      this.clear();
      const r = this.outbox.commit();
      if (r && r.count > 0) this.hooks.stored(r.firstSeq + r.count - 1, r.count);
      const left = this.outbox.pendingCount;
      if (left === 0) return 0;
      const pause = Math.min(wait, deadline - Date.now());
      if (pause <= 0) {
        const err = new StorageError(
          `could not write ${left.toLocaleString('en-US')} points to the buffer before closing (${r?.error?.message ?? 'unknown error'}): they are lost. Free some disk space in ${dataDir}.`,
        );
        this.logger.error(err.message);
        this.hooks.error(err);
        return left;
      }
      await new Promise((res) => setTimeout(res, pause));
    }
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
