// Assembling a batch: the next points to send from `seq` on, in order, skipping what needs no
// sending (quarantined points, points confirmed out of order: done-ranges.ts) and seqs that hold
// no committed point any more (dropped by the cap).

import { Batch, type BatchPart } from './block';
import type { BlockCache } from './block-cache';
import type { DoneRanges } from './done-ranges';

/**
 * At most `maxPoints` and at most `maxBytes` of point JSON plus one separator per point, from
 * `seq` on. `gap(from, to)` is told of seqs [from, to) with no committed point and returns where
 * to go on. `next`: the first seq not handled (everything before it was taken or skipped).
 */
export function collectBatch(
  cache: BlockCache,
  done: DoneRanges,
  seq: number,
  nextSeq: number,
  maxPoints: number,
  maxBytes: number,
  gap: (from: number, to: number) => number,
): { batch: Batch | null; next: number } {
  const parts: BatchPart[] = [];
  let count = 0;
  let bytes = 0;
  let used = 0; // bytes plus one separator per point: what the frame will really hold
  let full = false;
  let skip = done.empty ? null : done.at(seq);
  while (!full) {
    const blk = cache.blockFor(seq, nextSeq);
    if (!blk) {
      // Nothing is committed at or after seq (dropped by the cap): skip the gap.
      gap(seq, nextSeq);
      seq = Math.max(seq, nextSeq);
      break;
    }
    if (blk.firstSeq > seq) seq = gap(seq, blk.firstSeq);
    const n = blk.n;
    let from = seq - blk.firstSeq;
    let i = from;
    const close = (): void => {
      if (i > from) {
        parts.push({ block: blk, from, to: i });
        bytes += blk.bytesOf(from, i);
      }
    };
    while (i < n) {
      if (skip !== null && seq > skip[1]) skip = done.at(seq);
      if (skip !== null && seq >= skip[0]) {
        // Quarantined, or already confirmed out of order: not sent again.
        close();
        const jump = Math.min(n - i, skip[1] - seq + 1);
        i += jump;
        seq += jump;
        from = i;
        continue;
      }
      const b = blk.lineBytes(i);
      if (count >= maxPoints || used + b + 1 > maxBytes) {
        full = true;
        break;
      }
      count++;
      used += b + 1;
      i++;
      seq++;
    }
    close();
  }
  return { batch: count === 0 ? null : new Batch(parts, count, bytes), next: seq };
}
