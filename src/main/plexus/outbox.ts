// The outbox: group commit into the SQLite log, and the delivery cursor over it.
//
//   append() ──▶ pending (RAM, a few ms) ──commit()──▶ blocks (SQLite) ──takeBatch()──▶ transport
//                                                            ▲                              │
//                                                            └────────── confirm() ◀────────┘
//
// Sequence numbers only grow. `confirmedSeq` is the delivery cursor: every point at or below it
// was confirmed by the gateway (or dropped/quarantined and reported). With several frames in
// flight (pump.ts) a later frame may be confirmed while an earlier one must go again: such points
// wait above the cursor as done ranges (done-ranges.ts), skipped by takeBatch(), and the cursor
// moves over them once the gap below closes. The cursor is persisted with each commit; after a
// crash the points confirmed since the last commit, and the done ranges, are sent again
// (at-least-once, counted as `resent`).

import { PendingLines, type Batch, type Block } from './block';
import { collectBatch } from './batch-taker';
import { BlockCache } from './block-cache';
import { DoneRanges } from './done-ranges';
import type { Store } from './store';

export { Batch } from './block';

export interface OutboxLimits {
  /** Undelivered points kept at most; beyond it the oldest undelivered are dropped. */
  maxPoints: number;
  /** Undelivered bytes kept at most. */
  maxBytes: number;
  /** Delivered points kept for local use (runs, export). 0 = delete once confirmed. */
  retainPoints: number;
  retainBytes: number;
  /** Committed points kept in RAM for sending without reading them back from disk (bytes). */
  memBytes: number;
}

export interface CommitResult {
  firstSeq: number;
  /** Points written, oldest first (all pending ones unless `error`). */
  count: number;
  /** Undelivered points dropped by the cap during this commit. */
  dropped: number;
  /** Why writing stopped early (disk full, I/O error): the points not written stay pending. */
  error?: Error;
}

/**
 * Bytes per block row (one commit may write several). Small rows keep reads and copies cheap and
 * never make a Buffer big enough to linger.
 */
const BLOCK_BYTES = 64 * 1024;

/**
 * Bytes per transaction. A big backlog (after a full disk, say) is written in transactions of
 * this size: when space is short, whatever fits is written instead of nothing, and no retry has
 * to copy the whole backlog again.
 */
const CHUNK_BYTES = 256 * 1024;

export class Outbox {
  /** Seq the next committed point will get. */
  private nextSeq = 1;
  /** Delivered points after this seq are not pruned (holdAfter). */
  private held = Infinity;
  private confirmed = 0;
  private persistedConfirmed = 0;
  /** Highest seq handed to a transport since the last rewind. */
  private sent = 0;
  /** Highest seq ever handed to a transport (to count resends). */
  private sentEver = 0;

  private readonly pending = new PendingLines();

  /** Committed blocks for sending: in RAM, or read back from SQLite (block-cache.ts). */
  private readonly cache: BlockCache;

  /** Quarantined or out-of-order confirmed points above the cursor: never sent (again). */
  private readonly done = new DoneRanges();

  private undeliveredPoints = 0;
  private undeliveredBytes = 0;
  private logPoints = 0;
  private logBytes = 0;

  /** Counters for reporting. */
  readonly counts = { stored: 0, delivered: 0, dropped: 0, resent: 0, quarantined: 0 };

  constructor(
    private readonly store: Store,
    private readonly limits: OutboxLimits,
  ) {
    this.cache = new BlockCache(store, limits.memBytes);
    const t = store.totals();
    const metaNext = Number(store.getMeta('next_seq') ?? 1);
    this.nextSeq = Math.max(metaNext, t.maxSeq + 1);
    this.confirmed = this.persistedConfirmed = Number(store.getMeta('confirmed_seq') ?? 0);
    this.sent = this.sentEver = this.confirmed;
    const quarantined = store.quarantinedAfter(this.confirmed);
    for (const s of quarantined) this.done.add(s, s);
    const u = store.undelivered(this.confirmed);
    this.undeliveredPoints = Math.max(0, u.points - quarantined.length);
    this.undeliveredBytes = u.bytes;
    this.logPoints = t.points;
    this.logBytes = t.bytes;
    this.counts.quarantined = store.quarantineCount();
  }

  /** Add a validated point's JSON line; returns its sequence number. Durable after the next commit(). */
  append(line: string): number {
    const seq = this.nextSeq + this.pending.count;
    this.pending.push(line);
    return seq;
  }

  get pendingCount(): number {
    return this.pending.count;
  }

  /** Highest seq that is durable on disk. */
  get storedSeq(): number {
    return this.nextSeq - 1;
  }

  /** Highest seq appended so far (committed or not). */
  get lastSeq(): number {
    return this.nextSeq + this.pending.count - 1;
  }

  get confirmedSeq(): number {
    return this.confirmed;
  }

  /** Undelivered points, including those not yet committed. */
  get size(): number {
    return this.undeliveredPoints + this.pending.count;
  }

  get sizeBytes(): number {
    return this.undeliveredBytes + this.pending.bytes;
  }

  /** Whether committed points wait to be handed to a transport. */
  get hasUnsent(): boolean {
    return this.sent < this.nextSeq - 1;
  }

  /** Committed points not handed to a transport yet, at most (done ranges are not subtracted). */
  get unsentAtMost(): number {
    return Math.max(0, this.nextSeq - 1 - this.sent);
  }

  /** Whether commit() has anything to write. */
  get dirty(): boolean {
    return this.pending.count > 0 || this.confirmed !== this.persistedConfirmed;
  }

  /**
   * Group commit: write pending points as blocks, persist the cursor, apply the caps. Never
   * throws: when SQLite fails (disk full, I/O error) the result says why, the points written so
   * far stay written and the rest stay pending for the next commit.
   */
  commit(): CommitResult | null {
    if (!this.dirty) return null;
    const result: CommitResult = { firstSeq: this.nextSeq, count: 0, dropped: 0 };
    try {
      do {
        const r = this.commitChunk();
        result.count += r.count;
        result.dropped += r.dropped;
      } while (this.pending.count > 0);
    } catch (e) {
      result.error = e as Error;
    }
    return result;
  }

  /** One transaction: the oldest pending points up to CHUNK_BYTES, the cursor, the caps. */
  private commitChunk(): { count: number; dropped: number } {
    const firstSeq = this.nextSeq;
    const blocks = this.pending.peekBlocks(firstSeq, BLOCK_BYTES, CHUNK_BYTES);
    let n = 0;
    let total = 0;
    for (const b of blocks) {
      n += b.n;
      total += b.total;
    }
    let dropped = 0;
    // The caps move counters and the cursor inside the transaction; if it fails (also at its
    // COMMIT), nothing happened on disk, so nothing may have happened here either.
    const before = [this.undeliveredPoints, this.undeliveredBytes, this.logPoints, this.logBytes] as const;
    const cursor = [this.confirmed, this.sent, this.counts.dropped] as const;
    try {
      this.store.transaction(() => {
        for (const b of blocks) this.store.insertBlock(b.firstSeq, b.n, b.total, b.data);
        if (n > 0) this.store.setMeta('next_seq', firstSeq + n);
        this.undeliveredPoints += n;
        this.undeliveredBytes += total;
        this.logPoints += n;
        this.logBytes += total;
        dropped = this.enforceCaps(firstSeq + n);
        this.pruneDelivered();
        if (this.confirmed !== this.persistedConfirmed) this.store.setMeta('confirmed_seq', this.confirmed);
      });
    } catch (e) {
      [this.undeliveredPoints, this.undeliveredBytes, this.logPoints, this.logBytes] = before;
      [this.confirmed, this.sent, this.counts.dropped] = cursor;
      throw e;
    }
    this.persistedConfirmed = this.confirmed;
    this.advance(); // the cap may have closed the gap below done ranges (persisted next commit)
    if (n > 0) {
      this.nextSeq = firstSeq + n;
      this.pending.consume(n);
      this.counts.stored += n;
      this.cache.committed(blocks, this.confirmed);
    }
    return { count: n, dropped };
  }

  /** Drop the oldest undelivered blocks while over the cap. Runs inside commit's transaction. */
  private enforceCaps(nextSeq: number): number {
    const { maxPoints, maxBytes } = this.limits;
    if (this.undeliveredPoints <= maxPoints && this.undeliveredBytes <= maxBytes) return 0;
    // Drop down to 95 % so the cap is not hit again on the very next commit.
    const targetPoints = Math.floor(maxPoints * 0.95);
    const targetBytes = Math.floor(maxBytes * 0.95);
    let dropped = 0;
    while (this.undeliveredPoints > targetPoints || this.undeliveredBytes > targetBytes) {
      const metas = this.store.undeliveredBlockMeta(this.confirmed, 256);
      if (metas.length === 0) break;
      for (const m of metas) {
        if (this.undeliveredPoints <= targetPoints && this.undeliveredBytes <= targetBytes) break;
        const last = m.firstSeq + m.n - 1;
        if (last >= nextSeq) break;
        const above = Math.max(this.confirmed + 1, m.firstSeq);
        const undeliveredPart = m.n - (above - m.firstSeq) - this.done.count(above, last);
        this.store.deleteBlock(m.firstSeq);
        this.logPoints -= m.n;
        this.logBytes -= m.bytes;
        this.undeliveredPoints -= undeliveredPart;
        this.undeliveredBytes -= Math.round((m.bytes * undeliveredPart) / m.n);
        dropped += undeliveredPart;
        this.confirmed = Math.max(this.confirmed, last);
      }
    }
    this.undeliveredPoints = Math.max(0, this.undeliveredPoints);
    this.undeliveredBytes = Math.max(0, this.undeliveredBytes);
    this.sent = Math.max(this.sent, this.confirmed);
    this.cache.dropUpTo(this.confirmed);
    this.counts.dropped += dropped;
    return dropped;
  }

  /**
   * Keep delivered points after `seq` whatever the retention says, until a later call moves it:
   * a reader that follows the log (the recorder's run library) has not copied them yet.
   */
  holdAfter(seq: number): void {
    this.held = seq;
  }

  /** Remove delivered blocks beyond what is retained for local use (none a reader still needs). */
  private pruneDelivered(): void {
    const { retainPoints, retainBytes } = this.limits;
    const upTo = Math.min(this.confirmed, this.held);
    if (retainPoints === 0 && retainBytes === 0) {
      const r = this.store.deleteDeliveredUpTo(upTo);
      this.logPoints -= r.points;
      this.logBytes -= r.bytes;
      return;
    }
    const over = (): boolean =>
      this.logPoints - this.undeliveredPoints > retainPoints || this.logBytes - this.undeliveredBytes > retainBytes;
    while (over()) {
      const metas = this.store.deliveredBlockMeta(upTo, 256);
      if (metas.length === 0) return;
      for (const m of metas) {
        if (!over()) return;
        this.store.deleteBlock(m.firstSeq);
        this.logPoints -= m.n;
        this.logBytes -= m.bytes;
      }
    }
  }

  /**
   * The next points to send, from the cursor: at most `maxPoints` and at most `maxBytes` of
   * point JSON plus one separator per point. Null when everything committed was handed out.
   */
  takeBatch(maxPoints: number, maxBytes: number): Batch | null {
    const gap = (from: number, to: number): number => this.skipGap(from, to);
    const { batch, next } = collectBatch(this.cache, this.done, this.sent + 1, this.nextSeq, maxPoints, maxBytes, gap);
    this.sent = Math.max(this.sent, next - 1);
    // Caught up with the log: from the next commit on, new blocks can be sent from RAM again.
    if (this.sent >= this.nextSeq - 1) this.cache.caughtUp();
    return batch;
  }

  /**
   * The batch was written to a transport. Points written before (sent again after a lost
   * connection) may reach the gateway twice: they are counted as `resent`.
   */
  markWritten(batch: Batch): void {
    if (batch.firstSeq <= this.sentEver) {
      for (const p of batch.parts) {
        const first = p.block.firstSeq + p.from;
        const last = p.block.firstSeq + p.to - 1;
        if (first <= this.sentEver) this.counts.resent += Math.min(last, this.sentEver) - first + 1;
      }
    }
    this.sentEver = Math.max(this.sentEver, batch.lastSeq);
  }

  /**
   * The gateway confirmed these points (in any order: the cursor moves only over a contiguous
   * prefix, later points wait as done ranges).
   */
  confirm(batch: Batch): void {
    let count = 0;
    let bytes = 0;
    for (const p of batch.parts) {
      const base = p.block.firstSeq;
      const last = base + p.to - 1;
      // Count only what is not confirmed yet (normally the whole part).
      for (let s = Math.max(base + p.from, this.confirmed + 1); s <= last;) {
        const d = this.done.at(s);
        if (d !== null && d[0] <= s) {
          s = d[1] + 1;
          continue;
        }
        const end = d === null ? last : Math.min(last, d[0] - 1);
        count += end - s + 1;
        bytes += p.block.bytesOf(s - base, end - base + 1);
        s = end + 1;
      }
      this.done.add(base + p.from, last);
    }
    this.undeliveredPoints = Math.max(0, this.undeliveredPoints - count);
    this.undeliveredBytes = Math.max(0, this.undeliveredBytes - bytes);
    this.counts.delivered += count;
    this.advance();
  }

  /** Set a point aside for good: kept in the quarantine table, reported, never sent again. */
  quarantine(seq: number, line: string, reason: string): void {
    this.store.quarantine(seq, line, reason);
    if (seq > this.confirmed && this.done.count(seq, seq) === 0) {
      this.done.add(seq, seq);
      this.undeliveredPoints = Math.max(0, this.undeliveredPoints - 1);
      this.undeliveredBytes = Math.max(0, this.undeliveredBytes - Buffer.byteLength(line));
      this.advance();
    }
    this.counts.quarantined++;
  }

  /** Move the cursor over every done range that touches it. */
  private advance(): void {
    const seq = this.done.advance(this.confirmed);
    if (seq <= this.confirmed) return;
    this.confirmed = seq;
    this.sent = Math.max(this.sent, seq);
    this.cache.dropUpTo(seq);
  }

  /** Seqs [from, to) hold no committed point (dropped by the cap): nothing to wait for there. */
  private skipGap(from: number, to: number): number {
    if (to > from) this.done.add(Math.max(from, this.confirmed + 1), to - 1);
    return Math.max(from, to);
  }

  /** Points above this seq were never handed to a transport (nor dropped): they may still change. */
  get unsentAfter(): number {
    // `sent` covers a batch taken but not yet written (an HTTP request in flight).
    return Math.max(this.sentEver, this.sent, this.confirmed);
  }

  /** Rewrite pending lines (same points, e.g. re-stamped): `fn(seq, line)` returns the line. */
  rewritePending(fn: (seq: number, line: string) => string): void {
    const first = this.nextSeq;
    this.pending.rewrite((i, line) => fn(first + i, line));
  }

  /**
   * Replace committed blocks by ones with the same points (e.g. re-stamped), in SQLite (one
   * transaction; throws if it fails) and in RAM. Only for points never handed to a transport.
   */
  replaceBlocks(list: Array<{ block: Block; oldBytes: number }>): void {
    this.store.transaction(() => {
      for (const { block } of list) this.store.updateBlock(block.firstSeq, block.total, block.data);
    });
    for (const { block, oldBytes } of list) {
      this.undeliveredBytes += block.total - oldBytes;
      this.logBytes += block.total - oldBytes;
      this.cache.replace(block);
    }
    this.cache.forgetReadAhead();
  }

  /** The connection was lost: everything handed out but unconfirmed goes again. */
  rewind(): void {
    this.sent = this.confirmed;
    // Blocks read ahead lie past the cursor now; keeping them would skip the points before them.
    this.cache.forgetReadAhead();
  }
}
