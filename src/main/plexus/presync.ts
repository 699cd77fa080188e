// Points recorded before the first clock sync of a session carry this machine's clock (or the
// offset remembered from the last session), which may be far off the gateway's: by an hour, on a
// machine set to the wrong time zone. When the first sync comes they are still in the buffer
// (nothing is delivered before the first connection… except over HTTP, which never syncs), so
// they are put on gateway time too: shifted by exactly what the sync moved the clock.
//
// Only timestamps the client picked itself move; a timestamp the caller gave is the caller's
// statement about when something happened and stays as given. So the seqs of self-stamped points
// are remembered as ranges until the first sync (one range when the caller never gives any).

import { Block } from './block';
import type { Outbox } from './outbox';
import type { Store } from './store';

/** Beyond this many separate ranges (explicit and own timestamps interleaved), stop remembering. */
const MAX_RANGES = 100_000;
/** How a point line's timestamp field begins (see shiftTimestamp). */
const KEY = ',"timestamp":';

export class PreSyncStamps {
  /** Sorted, disjoint [from, to] seq ranges of self-stamped points. */
  private ranges: Array<[number, number]> = [];
  /** Runs started before the sync: id → whether they also ended before it. */
  private runs = new Map<string, boolean>();
  private active: boolean;
  /** Whether ranges were dropped because there were too many. */
  overflowed = false;

  constructor(active: boolean) {
    this.active = active;
  }

  /** Before the first sync of this session? */
  get waiting(): boolean {
    return this.active;
  }

  /** A point the client stamped itself got `seq`. */
  note(seq: number): void {
    if (!this.active || seq < 0) return;
    const last = this.ranges[this.ranges.length - 1];
    if (last && last[1] === seq - 1) last[1] = seq;
    else if (this.ranges.length < MAX_RANGES) this.ranges.push([seq, seq]);
    else this.overflowed = true;
  }

  noteRunStart(id: string): void {
    if (this.active) this.runs.set(id, false);
  }

  noteRunEnd(id: string): void {
    if (this.active && this.runs.has(id)) this.runs.set(id, true);
  }

  /** The first sync came: stop remembering; returns what was remembered. */
  finish(): { ranges: Array<[number, number]>; runs: Map<string, boolean> } {
    this.active = false;
    const out = { ranges: this.ranges, runs: this.runs };
    this.ranges = [];
    this.runs = new Map();
    return out;
  }
}

function contains(ranges: Array<[number, number]>, seq: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid]!;
    if (seq < a) hi = mid - 1;
    else if (seq > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * A point line with its top-level timestamp moved by `deltaMs`. The top-level timestamp is the
 * last `,"timestamp":` followed by a number: a nested one inside an event's value comes before it,
 * and tags (after it) hold only strings. Quotes inside strings are escaped, so never match.
 */
export function shiftTimestamp(line: string, deltaMs: number): string {
  for (let at = line.lastIndexOf(KEY); at >= 0; at = line.lastIndexOf(KEY, at - 1)) {
    const from = at + KEY.length;
    let to = from;
    for (let c = line.charCodeAt(to); c === 0x2d || (c >= 0x30 && c <= 0x39); c = line.charCodeAt(++to));
    if (to === from) continue; // a string: a tag named "timestamp"
    // Our own stamps are whole milliseconds; anything else is left as it is.
    const next = line.charCodeAt(to);
    if (next !== 0x2c && next !== 0x7d) return line;
    return line.slice(0, from) + String(Number(line.slice(from, to)) + deltaMs) + line.slice(to);
  }
  return line;
}

/**
 * Move the self-stamped points among `ranges` that were never handed to a transport by
 * `deltaMs`: pending ones in RAM, committed ones in their blocks. Returns how many moved.
 * Throws if SQLite cannot rewrite the blocks (they then keep their old stamps).
 */
export function restamp(outbox: Outbox, store: Store, ranges: Array<[number, number]>, deltaMs: number): number {
  if (ranges.length === 0) return 0;
  const after = outbox.unsentAfter;
  const moves = (seq: number): boolean => seq > after && contains(ranges, seq);
  let moved = 0;
  outbox.rewritePending((seq, line) => {
    if (!moves(seq)) return line;
    moved++;
    return shiftTimestamp(line, deltaMs);
  });
  const from = Math.max(ranges[0]![0], after + 1);
  const to = Math.min(ranges[ranges.length - 1]![1], outbox.storedSeq);
  const list: Array<{ block: Block; oldBytes: number }> = [];
  for (let cursor = -1; from <= to;) {
    const rows = store.blocksBetween(from, to, cursor);
    if (rows.length === 0) break;
    for (const r of rows) {
      cursor = r.firstSeq;
      const lines = r.body.toString('utf8').split('\n');
      let changed = false;
      for (let i = 0; i < lines.length; i++) {
        if (!moves(r.firstSeq + i)) continue;
        lines[i] = shiftTimestamp(lines[i]!, deltaMs);
        changed = true;
        moved++;
      }
      if (changed) list.push({ block: Block.fromLines(r.firstSeq, lines), oldBytes: r.bytes });
    }
  }
  if (list.length > 0) outbox.replaceBlocks(list);
  return moved;
}
