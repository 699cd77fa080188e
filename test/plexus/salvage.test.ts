// A damaged buffer.db must not stop the client from starting: the file is set aside (never
// deleted), every row that can still be read is salvaged into a fresh buffer, and the client
// says what it recovered and where the old file is. Real SQLite files, really damaged.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Plexus, type PlexusEvents } from '../../src/main/plexus';
import { clientFor, closeAll, gateway, readLog, waitForStatus } from '../helpers/plexus';
import { tempDir } from '../helpers/tmp';

afterEach(closeAll);

interface Recorded {
  dir: string;
  installId: string;
  runId: string;
  syncedAt: number;
  points: number;
}

/** A data dir as a real session leaves it: a clock sync with a gateway, then a run of `n` points. */
async function recordBuffer(n: number): Promise<Recorded> {
  const gw = await gateway();
  const dir = tempDir();
  const a = clientFor(gw, { dataDir: dir, sourceId: 'bench-7' });
  await waitForStatus(a, 'connected');
  const syncedAt = a.clock().syncedAt!;
  await a.close();
  const b = new Plexus({ apiKey: null, dataDir: dir, sourceId: 'bench-7' });
  const run = b.startRun('before-damage');
  for (let i = 0; i < n; i++) {
    b.send('p', i);
    if (i % 10_000 === 9_999) await b.persisted();
  }
  b.endRun();
  const installId = b.installId;
  await b.close();
  return { dir, installId, runId: run.id, syncedAt, points: n + 2 }; // + run.start and run.end
}

function overwrite(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function start(dir: string): { c: Plexus; events: Array<PlexusEvents['recovered']> } {
  const c = new Plexus({ apiKey: null, dataDir: dir });
  const events: Array<PlexusEvents['recovered']> = [];
  c.on('recovered', (r) => events.push(r));
  return { c, events };
}

/** The `p` values in the log: every one must be a point we sent, in order, none twice. */
function pValues(dir: string): number[] {
  const v = readLog(dir)
    .filter((p) => p.metric === 'p')
    .map((p) => p.value as number);
  for (let i = 1; i < v.length; i++) expect(v[i]).toBeGreaterThan(v[i - 1]!);
  return v;
}

describe('a damaged buffer', () => {
  it('random bytes over the header: set aside, everything salvaged (points, run, clock history, identity), reported', async () => {
    const r = await recordBuffer(20_000);
    const db = join(r.dir, 'buffer.db');
    overwrite(db, 0, randomBytes(100));
    const damaged = sha(db);
    const { c, events } = start(r.dir);
    const rec = c.recovery()!;
    expect(rec).not.toBeNull();
    expect(rec.movedTo).toMatch(/buffer\.db\.damaged-\d{8}T\d{6}Z/);
    expect(sha(rec.movedTo)).toBe(damaged); // set aside untouched, never deleted
    expect(rec.points).toBe(r.points);
    expect(rec.runs).toBe(1);
    expect(rec.message).toContain(rec.movedTo);
    expect(rec.message).toMatch(/20,002 points/);
    await new Promise((res) => setTimeout(res, 10));
    expect(events).toEqual([rec]); // also emitted, for a host that subscribed right after construction
    // Identity, run and clock history came along; the points are the ones we sent.
    expect(c.installId).toBe(r.installId);
    expect(c.sourceId).toBe('bench-7');
    expect(c.runs().map((x) => x.id)).toEqual([r.runId]);
    expect(c.clockHistory(r.syncedAt - 1, r.syncedAt + 1)).toHaveLength(1);
    expect(c.bufferSize()).toBe(r.points);
    const next = c.send('after', 1);
    await c.close();
    expect(pValues(r.dir)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(readLog(r.dir).at(-1)!.metric).toBe('after');
    expect(next).toBeGreaterThan(r.points);
    // The next start finds a healthy buffer: nothing to recover.
    const again = new Plexus({ apiKey: null, dataDir: r.dir });
    expect(again.recovery()).toBeNull();
    await again.close();
  });

  it('random bytes over the whole first page (header and table list): rebuilt from a fresh buffer, everything salvaged', async () => {
    const r = await recordBuffer(5_000);
    const db = join(r.dir, 'buffer.db');
    overwrite(db, 0, randomBytes(4096));
    const { c } = start(r.dir);
    const rec = c.recovery()!;
    expect(rec).toMatchObject({ points: r.points, runs: 1 });
    expect(c.installId).toBe(r.installId);
    await c.close();
    expect(pValues(r.dir)).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  });

  it('a truncated file: the rows before the cut are salvaged, in order', async () => {
    const r = await recordBuffer(50_000);
    const db = join(r.dir, 'buffer.db');
    truncateSync(db, Math.floor(statSync(db).size * 0.6));
    const { c } = start(r.dir);
    const rec = c.recovery()!;
    expect(rec).not.toBeNull();
    expect(existsSync(rec.movedTo)).toBe(true);
    await c.close();
    const v = pValues(r.dir);
    expect(v.length).toBe(rec.points - 1); // the run.start event is the other salvaged point
    expect(v.length).toBeGreaterThan(50_000 * 0.4);
    expect(v.length).toBeLessThan(50_000);
    expect(v).toEqual(Array.from({ length: v.length }, (_, i) => i)); // a prefix, nothing invented
    console.log(`truncated to 60 %: ${v.length} of 50,000 points salvaged`);
  });

  it('a file cut down to a few bytes: set aside, the client starts empty and says nothing could be recovered', async () => {
    const r = await recordBuffer(100);
    const db = join(r.dir, 'buffer.db');
    truncateSync(db, 50);
    const { c } = start(r.dir);
    const rec = c.recovery()!;
    expect(rec).toMatchObject({ points: 0, runs: 0 });
    expect(readFileSync(rec.movedTo).length).toBe(50);
    expect(c.bufferSize()).toBe(0);
    c.send('p', 1);
    await c.close();
    expect(pValues(r.dir)).toEqual([1]);
  });

  it('garbage in the middle of a large file: every readable row is salvaged, the damaged ones skipped', async () => {
    const n = 200_000;
    const r = await recordBuffer(n);
    const db = join(r.dir, 'buffer.db');
    const size = statSync(db).size;
    overwrite(db, Math.floor(size / 2 / 4096) * 4096 + 1000, randomBytes(64 * 1024));
    const t0 = performance.now();
    const { c } = start(r.dir);
    const ms = performance.now() - t0;
    const rec = c.recovery()!;
    expect(rec).not.toBeNull();
    expect(readdirSync(r.dir).filter((f) => f.startsWith('buffer.db.damaged-'))).toHaveLength(1);
    await c.close();
    const v = pValues(r.dir);
    expect(v.length).toBeGreaterThan(n * 0.8);
    expect(v.length).toBeLessThan(n);
    expect(new Set(v).size).toBe(v.length);
    expect(v.every((x) => Number.isInteger(x) && x >= 0 && x < n)).toBe(true);
    expect(rec.runs).toBe(1);
    console.log(
      `64 KiB of garbage in a ${(size / 1e6).toFixed(1)} MB buffer: ${v.length} of ${n} points salvaged, start took ${ms.toFixed(0)} ms`,
    );
  });
});
