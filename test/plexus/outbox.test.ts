// The outbox on a real SQLite file: group commit, the delivery cursor, rewind after a lost
// connection (also for a backlog read back from disk), quarantine, and crash recovery.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../src/main/plexus/store';
import { Outbox, type OutboxLimits } from '../../src/main/plexus/outbox';
import type { Batch } from '../../src/main/plexus/block';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

const limits = (o: Partial<OutboxLimits> = {}): OutboxLimits => ({
  maxPoints: 1e9,
  maxBytes: 1e12,
  retainPoints: 0,
  retainBytes: 0,
  memBytes: 1e9,
  ...o,
});
const line = (v: number | string): string =>
  `{"class":"metric","metric":"m","value":${JSON.stringify(v)},"timestamp":1}`;
const values = (b: Batch): unknown[] =>
  (JSON.parse(`[${b.toJson('', '').toString()}]`) as Array<{ value: unknown }>).map((p) => p.value);

let stores: Store[] = [];
function open(dir: string, o: Partial<OutboxLimits> = {}): Outbox {
  const s = new Store(join(dir, 'buffer.db'));
  stores.push(s);
  return new Outbox(s, limits(o));
}
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
  cleanupTempDirs();
});

describe('outbox', () => {
  it('hands out batches in order within the limits, and only committed points', () => {
    const o = open(tempDir());
    for (let i = 0; i < 25; i++) o.append(line(i));
    expect(o.takeBatch(10, 1e6)).toBeNull(); // not committed yet
    o.commit();
    const a = o.takeBatch(10, 1e6)!;
    const b = o.takeBatch(10, 1e6)!;
    const c = o.takeBatch(10, 1e6)!;
    expect([values(a), values(b), values(c)].map((v) => v.length)).toEqual([10, 10, 5]);
    expect([...values(a), ...values(b), ...values(c)]).toEqual([...Array(25).keys()]);
    expect(o.takeBatch(10, 1e6)).toBeNull();
    // The byte limit counts the separators too: the frame really fits.
    o.rewind();
    const one = line(0).length;
    const small = o.takeBatch(100, 3 * (one + 1))!;
    expect(small.count).toBe(3);
    expect(small.toJson('[', ']').length).toBeLessThanOrEqual(3 * (one + 1) + 1);
  });

  it('rewinds to the cursor after a lost connection, also when the backlog is read back from disk', () => {
    // memBytes 1: nothing stays in RAM, every batch comes from SQLite through the read-ahead.
    const o = open(tempDir(), { memBytes: 1 });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 2000; i++) o.append(line(round * 2000 + i));
      o.commit();
    }
    const first = o.takeBatch(1000, 1e6)!;
    o.confirm(first);
    o.takeBatch(1000, 1e6); // in flight when the connection drops…
    o.takeBatch(1000, 1e6);
    o.rewind(); // …so everything after the cursor goes again
    const again = o.takeBatch(1000, 1e6)!;
    expect(values(again)[0]).toBe(1000);
    const seen = [...values(first)];
    for (let b: Batch | null = again; b; b = o.takeBatch(1000, 1e6)) {
      seen.push(...values(b));
      o.confirm(b);
    }
    expect(seen).toEqual([...Array(10_000).keys()]);
    expect(o.size).toBe(0);
  });

  it('persists the cursor with each commit; after a crash unconfirmed points come back', () => {
    const dir = tempDir();
    const o = open(dir);
    for (let i = 0; i < 100; i++) o.append(line(i));
    o.commit();
    o.confirm(o.takeBatch(40, 1e6)!);
    o.commit(); // cursor persisted at 40
    o.confirm(o.takeBatch(40, 1e6)!); // confirmed up to 80 in RAM only — then the process dies
    stores[0]!.close();
    const again = open(dir);
    expect(again.size).toBe(60);
    expect(values(again.takeBatch(1000, 1e6)!)).toEqual([...Array(60).keys()].map((i) => i + 40));
  });

  it('quarantined points are skipped for good and the cursor moves past them', () => {
    const dir = tempDir();
    const o = open(dir);
    for (let i = 0; i < 10; i++) o.append(line(i));
    o.commit();
    const b = o.takeBatch(10, 1e6)!;
    o.confirm(b.slice(0, 4));
    const bad = b.slice(4, 5).only();
    o.quarantine(bad.seq, bad.line, 'rejected');
    o.rewind();
    const rest = o.takeBatch(10, 1e6)!;
    expect(values(rest)).toEqual([5, 6, 7, 8, 9]);
    o.confirm(rest);
    expect(o.size).toBe(0);
    expect(o.counts.quarantined).toBe(1);
  });

  it('keeps non-ASCII lines intact, byte counts right', () => {
    const o = open(tempDir(), { memBytes: 1 });
    const words = ['température', '温度', 'naïve 🙂', 'plain'];
    for (const w of words) o.append(line(w));
    o.commit();
    const b = o.takeBatch(10, 1e6)!;
    expect(values(b)).toEqual(words);
    expect(b.bytes).toBe(words.map((w) => Buffer.byteLength(line(w))).reduce((a, x) => a + x, 0));
    expect(values(b.slice(1, 3))).toEqual(['温度', 'naïve 🙂']);
    // A one-point slice gives back its point whole (what a rejected frame is split down to).
    expect(b.slice(2, 3).only()).toEqual({ seq: b.firstSeq + 2, line: line('naïve 🙂') });
  });
});
