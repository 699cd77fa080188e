// Points above the delivery cursor that need no sending any more: confirmed out of order (a later
// frame of the window was confirmed while an earlier one must go again) or quarantined. The cursor
// only moves over a contiguous prefix, so these wait here until the gap below them closes. Kept
// in RAM only: after a crash they are sent again (at-least-once, counted as `resent`).
//
// A handful of ranges at most (one per frame of the window, plus quarantined points), so a sorted
// array of disjoint, non-adjacent [from, to] ranges is all it takes.

export class DoneRanges {
  private ranges: Array<[number, number]> = [];

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  /** Mark seqs [from, to] as done (merging with neighbours). */
  add(from: number, to: number): void {
    if (to < from) return;
    const r = this.ranges;
    let i = 0;
    while (i < r.length && r[i]![1] < from - 1) i++;
    let j = i;
    while (j < r.length && r[j]![0] <= to + 1) {
      from = Math.min(from, r[j]![0]);
      to = Math.max(to, r[j]![1]);
      j++;
    }
    r.splice(i, j - i, [from, to]);
  }

  /** How many seqs of [from, to] are done. */
  count(from: number, to: number): number {
    let n = 0;
    for (const [a, b] of this.ranges) {
      if (a > to) break;
      const lo = Math.max(a, from);
      const hi = Math.min(b, to);
      if (hi >= lo) n += hi - lo + 1;
    }
    return n;
  }

  /** The range holding `seq`, or the first one after it; null when none. */
  at(seq: number): readonly [number, number] | null {
    for (const r of this.ranges) if (r[1] >= seq) return r;
    return null;
  }

  /** The cursor after closing every gap that is done: `cursor` moved over the ranges it touches. */
  advance(cursor: number): number {
    const r = this.ranges;
    let k = 0;
    while (k < r.length && r[k]![0] <= cursor + 1) cursor = Math.max(cursor, r[k++]![1]);
    if (k > 0) r.splice(0, k);
    return cursor;
  }
}
