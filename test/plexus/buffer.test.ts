// The durable buffer: local-only recording, restart, caps, retention, one client per data dir.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { TestGateway } from '../support/gateway';
import { clientFor, closeClients, waitForStatus } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { Plexus, ConfigError, type DroppedInfo } from '../../src/main/plexus';

let gw: TestGateway | undefined;
afterEach(async () => {
  await closeClients();
  await gw?.close();
  gw = undefined;
  cleanupTempDirs();
});

function blockCount(dir: string): number {
  const db = new Database(join(dir, 'buffer.db'), { readonly: true });
  const n = (db.prepare('SELECT coalesce(sum(n), 0) AS n FROM blocks').get() as { n: number }).n;
  db.close();
  return n;
}

describe('buffer', () => {
  it('without a key records everything locally and says so; a key added later ships the backlog', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw, { apiKey: null });
    await waitForStatus(c, 'local-only');
    expect(c.status()).toMatchObject({ status: 'local-only', message: 'Local only — add an API key to ship data' });
    for (let i = 0; i < 1000; i++) c.send('local', i);
    expect(await c.flush()).toEqual({ delivered: false, pending: 1000 });
    expect(blockCount(c.dataDir)).toBe(1000);
    expect(gw.auths).toHaveLength(0);
    c.setApiKey('plx_now');
    await waitForStatus(c, 'connected');
    expect((await c.flush()).delivered).toBe(true);
    expect(gw.points.map((p) => p.value)).toEqual([...Array(1000).keys()]);
  });

  it('undelivered points survive a restart and go out after the next start', async () => {
    gw = await TestGateway.start();
    const dir = tempDir();
    const a = clientFor(gw, { dataDir: dir, apiKey: null });
    for (let i = 0; i < 300; i++) a.send('later', i);
    await a.close();
    const b = clientFor(gw, { dataDir: dir });
    expect(b.bufferSize()).toBe(300);
    expect((await b.flush()).delivered).toBe(true);
    expect(gw.points.map((p) => p.value)).toEqual([...Array(300).keys()]);
    await b.persisted();
    expect(blockCount(dir)).toBe(0); // delivered points are removed (no retention asked)
  });

  it('on overflow drops the oldest undelivered points, counts and reports them', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw, { apiKey: null, buffer: { maxPoints: 1000 } });
    const drops: DroppedInfo[] = [];
    c.on('dropped', (d) => drops.push(d));
    for (let i = 0; i < 3000; i++) {
      c.send('o', i);
      if (i % 100 === 99) await c.persisted();
    }
    await c.persisted();
    expect(c.bufferSize()).toBeLessThanOrEqual(1000);
    const dropped = drops.reduce((a, d) => a + d.count, 0);
    expect(drops.every((d) => d.reason === 'buffer-full')).toBe(true);
    expect(dropped + c.bufferSize()).toBe(3000);
    expect(c.stats().dropped).toBe(dropped);
    c.setApiKey('plx_now');
    expect((await c.flush()).delivered).toBe(true);
    const got = gw.points.map((p) => p.value as number);
    expect(got).toHaveLength(3000 - dropped);
    expect(got[0]).toBe(dropped); // the oldest went, the newest stayed
    expect(got.at(-1)).toBe(2999);
  });

  it('caps by bytes too', async () => {
    const c = new Plexus({ apiKey: null, dataDir: tempDir(), sourceId: 'rig-01', buffer: { maxBytes: 50_000 } });
    try {
      for (let i = 0; i < 2000; i++) {
        c.event('msg', 'x'.repeat(100));
        if (i % 50 === 49) await c.persisted();
      }
      await c.persisted();
      expect(c.bufferBytes()).toBeLessThanOrEqual(50_000);
      expect(c.stats().dropped).toBeGreaterThan(1000);
    } finally {
      await c.close();
    }
  });

  it('keeps delivered points for local use when asked (retainPoints)', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw, { buffer: { retainPoints: 500 } });
    await waitForStatus(c, 'connected');
    for (let i = 0; i < 2000; i++) {
      c.send('r', i);
      if (i % 100 === 99) await c.flush();
    }
    await c.flush();
    await c.persisted();
    const kept = blockCount(c.dataDir);
    expect(kept).toBeGreaterThanOrEqual(500);
    expect(kept).toBeLessThan(700);
  });

  it('one client per data dir', async () => {
    const dir = tempDir();
    const a = new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' });
    expect(() => new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' })).toThrow(ConfigError);
    expect(() => new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' })).toThrow(
      /already used by another Plexus client/,
    );
    await a.close();
    const b = new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' });
    await b.close();
  });

  it('a lock left by a crashed client is taken over, even when its pid now belongs to another process', async () => {
    const dir = tempDir();
    const { writeFileSync, readFileSync } = await import('node:fs');
    // pid 1 is alive, but it is not the process that wrote the lock (its start time differs).
    writeFileSync(join(dir, 'client.lock'), '1 12345');
    const a = new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' });
    expect(readFileSync(join(dir, 'client.lock'), 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+$`));
    await a.close();
    // A lock whose pid and start time match a live process holds.
    const stat = readFileSync('/proc/1/stat', 'utf8');
    writeFileSync(join(dir, 'client.lock'), `1 ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`);
    expect(() => new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' })).toThrow(
      /in use by another Plexus client \(process 1\); if none is running, delete/,
    );
  });

  it('a client that fails to start leaves the data dir free', async () => {
    const dir = tempDir();
    const bad = { x: { handler: () => 1 }, '': { handler: () => 2 } };
    expect(() => new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01', commands: bad })).toThrow(/command name/);
    const ok = new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' });
    await ok.close();
  });

  it('remembers the device name in the data dir', async () => {
    const dir = tempDir();
    const a = new Plexus({ apiKey: null, dataDir: dir, sourceId: 'bench-psu' });
    await a.close();
    const b = new Plexus({ apiKey: null, dataDir: dir });
    expect(b.sourceId).toBe('bench-psu');
    await b.close();
  });

  it('a run cut short by a crash is closed on the next start', async () => {
    const dir = tempDir();
    const a = new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' });
    const run = a.startRun('interrupted');
    for (let i = 0; i < 10; i++) a.send('x', i);
    await a.persisted();
    // Simulate the crash: drop the lock and the handle without ending the run.
    (a as unknown as { store: { close(): void } }).store.close();
    (a as unknown as { releaseLock(): void }).releaseLock();
    const b = new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' });
    const r = b.runs().find((x) => x.id === run.id)!;
    expect(r.endedAt).not.toBeNull();
    expect(r.points).toBe(11);
    await b.close();
  });
});
