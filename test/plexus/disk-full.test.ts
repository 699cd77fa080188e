// A full disk on a real small filesystem (tmpfs): accepted points are kept in memory, written as
// soon as space returns (whatever fits, chunk by chunk), counted exactly when they cannot be
// written by close, and drops past the in-memory cap are reported in a few events, not per point.
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Plexus, type DroppedInfo, type PlexusError } from '../../src/main/plexus';
import { readLog, sleep, until } from '../helpers/plexus';
import { mountSmallDisk, smallDiskUnavailable, type SmallDisk } from './small-disk';

let disk: SmallDisk | undefined;
let client: Plexus | undefined;
afterEach(async () => {
  await client?.close({ timeoutMs: 200 }).catch(() => {});
  client = undefined;
  disk?.unmount();
  disk = undefined;
});

function start(d: SmallDisk): { c: Plexus; errors: string[] } {
  const c = new Plexus({ apiKey: null, dataDir: join(d.dir, 'data'), sourceId: 'rig-01' });
  client = c;
  const errors: string[] = [];
  c.on('error', (e: PlexusError) => errors.push(e.message));
  return { c, errors };
}

const values = (dir: string): number[] => readLog(dir).map((p) => p.value as number);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe.skipIf(smallDiskUnavailable !== null)('a full disk', () => {
  it('keeps all 150,000 points sent while the disk was full and writes every one once space returns', async () => {
    // 150,000 points are 10.8 MB of JSON: they fit on this disk once the filler is gone (not on
    // the 8 MB disk of the report; the next test is that case).
    disk = mountSmallDisk(24);
    const { c, errors } = start(disk);
    await c.persisted();
    const filler = disk.fill();
    for (let i = 0; i < 150_000; i++) c.send('p', i);
    await until(() => errors.length > 0, 10_000, 'the first failed write');
    expect(errors[0]).toMatch(/full/);
    expect(c.bufferSize()).toBe(150_000); // held in memory, none lost
    rmSync(filler);
    await until(() => c.stats().stored === 150_000, 30_000, 'every point to be written');
    const r = await c.close();
    expect(r).toEqual({ unwritten: 0 });
    const got = values(c.dataDir);
    expect(got.length).toBe(150_000);
    expect(got).toEqual(range(150_000));
    console.log(
      `disk full, 150,000 points: ${got.length} stored after freeing the disk; ${errors.length} write errors reported; buffer ${(statSync(join(c.dataDir, 'buffer.db')).size / 1e6).toFixed(1)} MB`,
    );
  }, 60_000);

  it('with less room than the points need (the reported case), writes what fits and close() counts the rest exactly', async () => {
    // The report: an 8 MB disk, filled, 150,000 points sent, the filler (7.7 MB) freed: 10.8 MB
    // of points cannot all fit. Everything that fits must be written; the rest counted exactly.
    disk = mountSmallDisk(8);
    const { c, errors } = start(disk);
    await c.persisted();
    const filler = disk.fill();
    for (let i = 0; i < 150_000; i++) c.send('p', i);
    await until(() => errors.length > 0, 10_000, 'the first failed write');
    const freed = statSync(filler).size;
    rmSync(filler);
    const r = await c.close({ timeoutMs: 3000 });
    const got = values(c.dataDir);
    expect(got.length).toBeGreaterThan(50_000); // whatever fitted was written…
    expect(got).toEqual(range(got.length)); // …oldest first, in order
    expect(r.unwritten).toBe(150_000 - got.length); // …and the rest is counted exactly
    expect(errors.at(-1)).toContain(`could not write ${(150_000 - got.length).toLocaleString('en-US')} points`);
    console.log(
      `8 MB disk, ${(freed / 1e6).toFixed(1)} MB freed for 150,000 points (10.8 MB): ${got.length} written, ${r.unwritten} reported unwritten`,
    );
  }, 30_000);

  it('close() keeps trying for its timeout and writes everything once the disk has room again', async () => {
    disk = mountSmallDisk(8);
    const { c, errors } = start(disk);
    await c.persisted();
    const filler = disk.fill();
    for (let i = 0; i < 20_000; i++) c.send('p', i);
    await until(() => errors.length > 0, 10_000, 'the first failed write');
    const closing = c.close({ timeoutMs: 20_000 });
    await sleep(1000);
    rmSync(filler);
    expect(await closing).toEqual({ unwritten: 0 });
    expect(values(c.dataDir)).toEqual(range(20_000));
  }, 40_000);

  it('past the in-memory cap, drops are reported in a few events with the count, not one per point', async () => {
    disk = mountSmallDisk(8);
    const { c, errors } = start(disk);
    const drops: DroppedInfo[] = [];
    c.on('dropped', (d) => drops.push(d));
    await c.persisted();
    disk.fill();
    c.send('p', -1);
    await until(() => errors.length > 0, 10_000, 'the first failed write');
    const cap = 1_000_000;
    const over = 50_000;
    const t0 = performance.now();
    for (let i = 1; i < cap + over; i++) c.send('p', i);
    await until(() => drops.reduce((a, d) => a + d.count, 0) === over, 10_000, 'every drop to be reported');
    // Reported at most once a second (3 events when it all took a second or two; a loaded machine
    // takes longer to send the million points), not once per dropped point.
    const seconds = (performance.now() - t0) / 1000;
    expect(drops.length).toBeLessThanOrEqual(Math.max(3, Math.ceil(seconds) + 1));
    expect(drops.every((d) => d.reason === 'storage-error')).toBe(true);
    expect(drops.at(-1)!.total).toBe(over);
    expect(c.bufferSize()).toBe(cap);
    const r = await c.close({ timeoutMs: 300 });
    expect(r.unwritten).toBe(cap);
    console.log(`${over.toLocaleString('en-US')} points past the cap: ${drops.length} dropped events`);
  }, 60_000);
});
