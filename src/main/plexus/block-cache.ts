// Where the outbox finds committed blocks to send: in RAM while the sender keeps up (new blocks
// are kept as they are committed), otherwise read back from SQLite in order, a few MB at a time.
// Once the sender falls more than `memBytes` behind (an outage), new blocks are no longer kept:
// they would only be thrown away later, and blocks that die young keep the heap small. When the
// sender has caught up with the log, keeping them starts again.

import { Block } from './block';
import type { Store } from './store';

/** Read a backlog back from SQLite in pieces of about this many bytes. */
const READ_AHEAD_BYTES = 4 * 1024 * 1024;

export class BlockCache {
  /** Committed blocks kept in RAM, contiguous up to the last committed seq. */
  private mem: Block[] = [];
  private memTotal = 0;
  /** Whether new blocks are kept in RAM (see the top of this file). */
  private memActive = true;
  /** Blocks read back from SQLite for a backlog that is not (or no longer) in RAM. */
  private readAhead: Block[] = [];

  constructor(
    private readonly store: Store,
    private readonly memBytes: number,
  ) {}

  /** Blocks just committed; everything at or below `confirmed` is no longer needed. */
  committed(blocks: Block[], confirmed: number): void {
    if (!this.memActive) return;
    for (const b of blocks) {
      this.mem.push(b);
      this.memTotal += b.data.length;
    }
    this.dropUpTo(confirmed);
    if (this.memTotal > this.memBytes) {
      this.mem = [];
      this.memTotal = 0;
      this.memActive = false;
    }
  }

  /** Points up to `seq` are confirmed or dropped: their blocks are not needed any more. */
  dropUpTo(seq: number): void {
    while (this.mem.length > 0 && this.mem[0]!.lastSeq <= seq) {
      this.memTotal -= this.mem.shift()!.data.length;
    }
    while (this.readAhead.length > 0 && this.readAhead[0]!.lastSeq <= seq) this.readAhead.shift();
  }

  /** The sender has taken everything committed: from the next commit on, keep blocks in RAM again. */
  caughtUp(): void {
    if (this.memActive) return;
    this.memActive = true;
    this.readAhead = [];
  }

  /** The cursor moved back (a rewind) or blocks changed: blocks read ahead may be wrong now. */
  forgetReadAhead(): void {
    this.readAhead = [];
  }

  /** A committed block was rewritten (same points): use the new one. */
  replace(block: Block): void {
    const i = this.mem.findIndex((b) => b.firstSeq === block.firstSeq);
    if (i >= 0) {
      this.memTotal += block.data.length - this.mem[i]!.data.length;
      this.mem[i] = block;
    }
    this.readAhead = [];
  }

  /** The block holding `seq`, or the first one after it; null when nothing is committed there. */
  blockFor(seq: number, nextSeq: number): Block | null {
    if (seq >= nextSeq) return null;
    const mem = this.mem;
    if (mem.length > 0 && seq >= mem[0]!.firstSeq) {
      let lo = 0;
      let hi = mem.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (mem[mid]!.firstSeq <= seq) lo = mid;
        else hi = mid - 1;
      }
      const b = mem[lo]!;
      return seq <= b.lastSeq ? b : (mem[lo + 1] ?? null);
    }
    // Not in RAM: read the backlog from SQLite, a few MB at a time.
    while (this.readAhead.length > 0 && this.readAhead[0]!.lastSeq < seq) this.readAhead.shift();
    if (this.readAhead.length > 0 && this.readAhead[0]!.firstSeq > seq) this.readAhead = [];
    if (this.readAhead.length === 0) {
      const memFirst = mem[0]?.firstSeq ?? Infinity;
      const at = this.store.blockAt(seq);
      let row = at && at.firstSeq + at.n > seq ? at : this.store.blocksAfter(seq - 1, 1)[0];
      let budget = READ_AHEAD_BYTES;
      while (row && row.firstSeq < memFirst) {
        this.readAhead.push(Block.fromData(row.firstSeq, row.body, row.n));
        budget -= row.body.length;
        if (budget <= 0) break;
        row = this.store.blocksAfter(row.firstSeq, 1)[0];
      }
    }
    const first = this.readAhead[0];
    if (first) return first;
    return mem[0] ?? null;
  }
}
