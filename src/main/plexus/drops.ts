// Counting and reporting dropped points and frames. A point dropped because the disk failed and
// the in-memory backlog is full happens at send() rate — hundreds of thousands a second — so
// those are reported as one `dropped` event per second at most, with the count since the last
// one and the running total. Other reasons (a cap applied by a commit, a video frame) are rare
// enough to report one by one, as before.

export interface DroppedInfo {
  reason: 'buffer-full' | 'storage-error' | 'video-not-connected' | 'video-backpressure' | 'video-rate' | 'video-busy';
  count: number;
  /** Total dropped for this reason since start. */
  total: number;
  cameraId?: string;
}

/** Reasons reported at most once per window, summed. */
const COALESCED = new Set<DroppedInfo['reason']>(['storage-error']);
const WINDOW_MS = 1000;

export class DropReporter {
  private readonly totals = new Map<DroppedInfo['reason'], number>();
  /** Dropped but not reported yet, per coalesced reason. */
  private readonly unreported = new Map<DroppedInfo['reason'], number>();
  private readonly lastReport = new Map<DroppedInfo['reason'], number>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly report: (info: DroppedInfo) => void) {}

  add(reason: DroppedInfo['reason'], count: number, cameraId?: string): void {
    const total = (this.totals.get(reason) ?? 0) + count;
    this.totals.set(reason, total);
    if (!COALESCED.has(reason)) {
      const info: DroppedInfo = { reason, count, total };
      if (cameraId !== undefined) info.cameraId = cameraId;
      this.report(info);
      return;
    }
    this.unreported.set(reason, (this.unreported.get(reason) ?? 0) + count);
    const since = performance.now() - (this.lastReport.get(reason) ?? -Infinity);
    if (since >= WINDOW_MS) this.flush(reason);
    else this.timer ??= setTimeout(() => this.flushAll(), WINDOW_MS - since);
  }

  total(reason: DroppedInfo['reason']): number {
    return this.totals.get(reason) ?? 0;
  }

  private flush(reason: DroppedInfo['reason']): void {
    const count = this.unreported.get(reason) ?? 0;
    if (count === 0) return;
    this.unreported.delete(reason);
    this.lastReport.set(reason, performance.now());
    this.report({ reason, count, total: this.totals.get(reason) ?? count });
  }

  /** Report everything not yet reported (the window ended, or the client closes). */
  flushAll(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const reason of [...this.unreported.keys()]) this.flush(reason);
  }
}
