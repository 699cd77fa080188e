// The run library on a real host: every point of a run kept after the platform confirmed it and
// the client's log let it go, and after a restart; the run's details (operator, description,
// fields) on its points and editable afterwards; recording a subset of the sources; deleting a
// run; and the quota, which warns first and never deletes the run recording or one not delivered.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tcpConnect } from 'node:net';
import type { Host, HostOptions } from '../../src/main/host';
import { TestGateway } from '../support/gateway';
import { until } from '../helpers/plexus';
import { call, startHost, stopHost, stopHosts } from '../helpers/host';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { freePort } from '../helpers/net';

let gw: TestGateway | null = null;
afterEach(stopHosts);
afterAll(async () => {
  await gw?.close();
  gw = null;
  cleanupTempDirs();
});

/** A host whose client forgets a point as soon as the platform confirmed it. */
const forgetful: Partial<HostOptions> = {
  clientOptions: { reconnect: { baseMs: 100, capMs: 500 }, buffer: { retainPoints: 0, retainBytes: 0 } },
};

async function connect(h: Host): Promise<TestGateway> {
  gw ??= await TestGateway.start();
  await call(h, 'settings.setGateway', { gateway: { mode: 'custom', url: gw.url, wsUrl: gw.wsUrl } });
  await call(h, 'settings.setDeviceName', { name: 'rig-11' });
  await call(h, 'settings.setApiKey', { apiKey: 'plx_test_key_123' });
  await until(() => h.state().status.status === 'connected', 10_000, 'connected');
  return gw;
}

function csvRows(path: string): string[] {
  return readFileSync(path, 'utf8').trim().split('\n').slice(1);
}

async function exportCsv(h: Host, runId: string): Promise<string[]> {
  const r = await call(h, 'run.export', { runId, format: 'csv' });
  if (r.kind !== 'saved') throw new Error(`expected a saved file, got ${r.kind}`);
  return csvRows(r.path);
}

function runOf(h: Host, id: string) {
  const r = h.state().runs.find((x) => x.id === id);
  if (!r) throw new Error(`run ${id} not listed`);
  return r;
}

describe('the run library', () => {
  it('keeps every point of a run after delivery let the log forget them, and after a restart', async () => {
    const dir = tempDir();
    const h = await startHost(dir, forgetful);
    await call(h, 'demo.set', { enabled: false });
    const g = await connect(h);
    const run = await call(h, 'run.start', { name: 'kept', operator: 'Ana', fields: { part: 'PSU-7' } });
    for (let i = 0; i < 5000; i++) h.client.send('rig.v', i / 10, { timestamp: 1_800_000_000_000 + i });
    await call(h, 'marker.add', { note: 'valve open' });
    await call(h, 'run.stop', {});
    await until(() => runOf(h, run.id).storage?.delivered === true, 20_000, 'the run to be delivered');
    // The platform has them with the run's fields as tags.
    const sent = g.points.filter((p) => p.metric === 'rig.v');
    expect(sent.length).toBe(5000);
    expect(sent.every((p) => p.tags?.part === 'PSU-7' && p.tags.run_id === run.id)).toBe(true);
    // The client's log let them go (it keeps nothing after delivery here)...
    // (The log prunes when it commits: a point outside the run keeps it committing.)
    await until(
      () => h.client.send('after.x', 1) > 0 && [...h.client.runPoints(run.id)].length === 0,
      10_000,
      'the log to forget the run',
    );
    // ...and the library still has every one of them, the marker and the run's own events.
    const rows = await exportCsv(h, run.id);
    expect(rows.filter((r) => r.includes(',rig.v,')).length).toBe(5000);
    expect(rows.some((r) => r.includes('valve open'))).toBe(true);
    expect(runOf(h, run.id).storage!.bytes).toBeGreaterThan(5000 * 40);

    await stopHost(h);
    const b = await startHost(dir, forgetful);
    const again = runOf(b, run.id);
    expect(again.meta).toMatchObject({ operator: 'Ana', fields: { part: 'PSU-7' }, sources: [] });
    expect((await exportCsv(b, run.id)).length).toBe(rows.length);
    const detail = await call(b, 'run.open', { runId: run.id });
    expect(detail.metrics).toEqual([{ metric: 'rig.v', points: 5000, min: 0, max: 499.9 }]);
    expect(detail.moments).toEqual([{ t: expect.any(Number), kind: 'marker', name: 'marker', text: 'valve open' }]);
    const [s] = await call(b, 'run.series', {
      runId: run.id,
      metrics: ['rig.v'],
      from: 1_800_000_000_000,
      to: 1_800_000_000_100,
      columns: 400,
    });
    expect(s).toMatchObject({ kind: 'raw', points: 101 });
    expect(s!.lo.slice(0, 3)).toEqual([0, 0.1, 0.2]);
  }, 60_000);

  it('edits a run’s details during and after it: new fields tag the points from then on, and the platform is told', async () => {
    const dir = tempDir();
    const h = await startHost(dir);
    await call(h, 'demo.set', { enabled: false });
    const g = await connect(h);
    const run = await call(h, 'run.start', { name: 'psu soak', fields: { fixture: 'A' } });
    h.client.send('rig.a', 1);
    await until(() => g.points.some((p) => p.metric === 'rig.a'), 10_000, 'the first point');
    await call(h, 'run.update', { runId: run.id, fields: { fixture: 'B', part: 'PSU-7' } });
    h.client.send('rig.a', 2);
    await call(h, 'run.stop', {});
    const after = await call(h, 'run.update', {
      runId: run.id,
      name: 'PSU soak, 40 °C',
      operator: 'Ben',
      description: 'second try\nfan off',
    });
    expect(after).toMatchObject({
      name: 'PSU soak, 40 °C',
      meta: { operator: 'Ben', description: 'second try\nfan off', fields: { fixture: 'B', part: 'PSU-7' } },
    });
    await until(() => g.points.filter((p) => p.metric === 'run.details').length === 2, 10_000, 'the details events');
    await until(() => g.points.filter((p) => p.metric === 'rig.a').length === 2, 10_000, 'both points');
    expect(g.points.filter((p) => p.metric === 'rig.a').map((p) => p.tags)).toEqual([
      { fixture: 'A', run_id: run.id },
      { fixture: 'B', part: 'PSU-7', run_id: run.id },
    ]);
    const last = g.points.filter((p) => p.metric === 'run.details').at(-1)!;
    expect(last.value).toMatchObject({ run_id: run.id, name: 'PSU soak, 40 °C', operator: 'Ben' });

    await stopHost(h);
    const b = await startHost(dir);
    expect(runOf(b, run.id)).toMatchObject({ name: 'PSU soak, 40 °C', meta: { operator: 'Ben' } });
    await expect(call(b, 'run.update', { runId: 'nope', operator: 'x' })).rejects.toThrow('no run with id nope');
  }, 60_000);

  it('records only the chosen sources, and lists them with the run', async () => {
    const h = await startHost();
    await call(h, 'demo.set', { enabled: false });
    const ports = [await freePort(), await freePort()];
    const psu = await call(h, 'network.add', {
      config: { name: 'psu', protocol: 'tcp', port: ports[0], parser: 'jsonl' },
    });
    await call(h, 'network.add', { config: { name: 'thermo', protocol: 'tcp', port: ports[1], parser: 'jsonl' } });
    await until(() => h.state().network.every((n) => n.state === 'listening'), 10_000, 'both to listen');
    const run = await call(h, 'run.start', { name: 'psu only', sources: [`network:${psu.id}`] });
    for (const [port, text] of [
      [ports[0], '{"volts":12.1}\n{"volts":12.2}\n'],
      [ports[1], '{"temp":40.5}\n'],
    ] as const) {
      const s = tcpConnect(port!, '127.0.0.1');
      await new Promise<void>((resolve) => s.once('connect', resolve));
      s.end(text);
    }
    await until(
      () => h.state().network.every((n) => n.points >= (n.config.name === 'psu' ? 2 : 1)),
      10_000,
      'both sources’ lines',
    );
    await call(h, 'run.stop', {});
    const detail = await call(h, 'run.open', { runId: run.id });
    expect(detail.metrics.map((m) => [m.metric, m.points])).toEqual([['psu.volts', 2]]);
    expect(runOf(h, run.id).meta?.sources).toEqual(['psu']);
    expect(runOf(h, run.id).points).toBe(4); // run.start, two volts, run.end
    // thermo was recorded all the same, outside the run (and a source added now stays out).
    const all = [...h.client.runPoints(run.id)].map((p) => p.metric);
    expect(all).not.toContain('thermo.temp');
    const logged = h.client.logBlocksAfter(0).flatMap((b) => b.body.toString('utf8').split('\n'));
    expect(logged.filter((l) => l.includes('"thermo.temp"'))).toHaveLength(1);
    await expect(call(h, 'run.start', { name: 'x', sources: ['serial:gone'] })).rejects.toThrow(
      'a chosen source is no longer set up (removed meanwhile?); choose the sources again',
    );
  }, 60_000);

  it('deletes a past run and refuses the one recording', async () => {
    const h = await startHost();
    await call(h, 'demo.set', { enabled: false });
    const a = await call(h, 'run.start', { name: 'old' });
    h.client.send('x.v', 1);
    await call(h, 'run.stop', {});
    const b = await call(h, 'run.start', { name: 'now' });
    await expect(call(h, 'run.delete', { runId: b.id })).rejects.toThrow('stop it before deleting it');
    const gone = await call(h, 'run.delete', { runId: a.id });
    expect(gone.bytes).toBeGreaterThan(0);
    expect(h.state().runs.map((r) => r.id)).not.toContain(a.id);
    await expect(call(h, 'run.open', { runId: a.id })).rejects.toThrow(`no run with id ${a.id}`);
  }, 30_000);

  it('warns before the quota deletes, then deletes the oldest delivered run only', async () => {
    const h = await startHost(tempDir());
    await call(h, 'demo.set', { enabled: false });
    const g = await connect(h);
    const record = async (name: string, n: number): Promise<string> => {
      const r = await call(h, 'run.start', { name });
      for (let i = 0; i < n; i++) h.client.send('q.v', i);
      await call(h, 'run.stop', {});
      return r.id;
    };
    const oldest = await record('oldest', 3000);
    const older = await record('older', 3000);
    await until(() => runOf(h, older).storage?.delivered === true, 20_000, 'delivery');
    await g.down();
    const undelivered = await record('offline', 3000);
    const active = await call(h, 'run.start', { name: 'recording' });
    for (let i = 0; i < 3000; i++) h.client.send('q.v', i);
    await until(() => h.state().runs.length === 3 && h.library.pointCount(active.id) >= 3000, 10_000, 'copied');
    const size = (id: string): number => runOf(h, id).storage!.bytes;
    const total = size(oldest) + size(older) + size(undelivered) + h.library.viewOf(active.id)!.storage!.bytes;

    // 15 % free of the budget: a warning, nothing deleted.
    h.library.setQuota({ maxBytes: Math.round(total / 0.85), keepFreePercent: 10 });
    expect(h.state().runLibrary?.warning).toMatch(
      /Below 10 % the oldest delivered runs are deleted, starting with "oldest"/,
    );
    expect(h.state().problems.find((p) => p.id === 'run-library-quota')?.message).toBe(h.state().runLibrary?.warning);
    expect(h.state().runs).toHaveLength(3);

    // 3 % free: the oldest delivered go until 10 % is free; the undelivered and the active stay.
    h.library.setQuota({ maxBytes: Math.round(total / 0.97), keepFreePercent: 10 });
    const ids = h.state().runs.map((r) => r.id);
    expect(ids).not.toContain(oldest);
    expect(ids).toContain(undelivered);
    expect(h.state().run?.id).toBe(active.id);
    expect(h.state().runLibrary?.deleted.map((d) => d.name)).toContain('oldest');

    // Nothing deletable is left under a budget of almost nothing: it says so and keeps them.
    h.library.setQuota({ maxBytes: 1024, keepFreePercent: 10 });
    expect(h.state().runs.map((r) => r.id)).toEqual([undelivered]);
    expect(h.state().runLibrary?.warning).toMatch(/no more runs can be deleted \(1 not yet delivered is kept/);
    expect(h.library.pointCount(active.id)).toBeGreaterThanOrEqual(3000);
    await g.up();
  }, 60_000);
});

describe('the run library when it cannot write', () => {
  it('says so, keeps recording, and copies every point once it can write again', async () => {
    const dir = tempDir();
    const h = await startHost(dir, forgetful);
    await call(h, 'demo.set', { enabled: false });
    // A real refusal from SQLite, as a full disk gives: a trigger on the library's own file.
    const db = new Database(join(dir, 'runs.db'));
    db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON lib_lines BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    );
    const run = await call(h, 'run.start', { name: 'refused' });
    for (let i = 0; i < 3000; i++) h.client.send('rig.v', i);
    await until(() => h.state().problems.some((p) => p.id === 'run-library-copy'), 10_000, 'the problem to be listed');
    expect(h.state().problems.find((p) => p.id === 'run-library-copy')?.message).toBe(
      'Runs are not being saved to the run library: database or disk is full.',
    );
    for (let i = 3000; i < 6000; i++) h.client.send('rig.v', i);
    await call(h, 'run.stop', {});
    db.exec('DROP TRIGGER refuse');
    db.close();
    await until(() => !h.state().problems.some((p) => p.id === 'run-library-copy'), 10_000, 'the problem to clear');
    const detail = await call(h, 'run.open', { runId: run.id });
    expect(detail.metrics).toEqual([{ metric: 'rig.v', points: 6000, min: 0, max: 5999 }]);
    expect((await exportCsv(h, run.id)).filter((r) => r.includes(',rig.v,'))).toHaveLength(6000);
  }, 60_000);
});

describe('the run library’s edges', () => {
  it('copies a run again when the first clock sync moves its points, so it keeps gateway time', async () => {
    // Recorded before any gateway (local only): the points carry this machine's clock.
    const h = await startHost(tempDir());
    await call(h, 'demo.set', { enabled: false });
    const run = await call(h, 'run.start', { name: 'offline first' });
    for (let i = 0; i < 100; i++) h.client.send('rig.v', i);
    await call(h, 'marker.add', { note: 'before the sync' });
    const ended = (await call(h, 'run.stop', {}))!;
    await until(() => h.library.pointCount(run.id) === ended.points, 10_000, 'the library to copy the run');
    const before = await call(h, 'run.open', { runId: run.id });
    // The gateway's clock is an hour ahead: the first sync moves the run's points by an hour.
    gw ??= await TestGateway.start();
    const g = gw;
    g.setClockSkew(3_600_000);
    await connect(h);
    await until(() => runOf(h, run.id).storage?.delivered === true, 15_000, 'delivery');
    g.setClockSkew(0);
    const logged = [...h.client.runPoints(run.id)];
    const after = await call(h, 'run.open', { runId: run.id });
    // The host's marker list moved with them (what the window shows).
    expect(h.state().markers.map((m) => m.t)).toEqual(
      logged.filter((p) => p.metric === 'marker').map((p) => p.timestamp),
    );
    expect(after.startedAt - before.startedAt).toBeGreaterThan(3_590_000);
    const v = logged.filter((p) => p.metric === 'rig.v').map((p) => p.timestamp);
    const [s] = await call(h, 'run.series', {
      runId: run.id,
      metrics: ['rig.v'],
      from: after.startedAt,
      to: after.endedAt,
      columns: 1000,
    });
    expect(s!.t).toEqual(v);
    expect(after.moments.map((m) => m.t)).toEqual(logged.filter((p) => p.metric === 'marker').map((p) => p.timestamp));
    expect(h.library.pointCount(run.id)).toBe(logged.length);
  }, 60_000);

  it('ignores a device’s own run_id tag outside any run, and never deletes a run being exported', async () => {
    const h = await startHost();
    await call(h, 'demo.set', { enabled: false });
    h.client.send('dev.x', 1, { tags: { run_id: 'not-a-run' } });
    const run = await call(h, 'run.start', { name: 'held' });
    h.client.send('dev.x', 2);
    await call(h, 'run.stop', {});
    await until(() => h.library.pointCount(run.id) > 0, 10_000, 'the copy');
    expect(h.library.pointCount('not-a-run')).toBe(0);
    const release = h.library.hold(run.id);
    await expect(call(h, 'run.delete', { runId: run.id })).rejects.toThrow(
      'the run is being exported; delete it when the export is done',
    );
    h.library.setQuota({ maxBytes: 200, keepFreePercent: 10 });
    expect(h.state().runs.map((r) => r.id)).toContain(run.id);
    release();
    h.library.setQuota({ maxBytes: 200, keepFreePercent: 10 });
    // Not delivered (no gateway): still kept, and the quota says why.
    expect(h.state().runs.map((r) => r.id)).toContain(run.id);
    expect(h.state().runLibrary?.warning).toMatch(/1 not yet delivered is kept/);
  }, 30_000);

  it('gives a deleted run’s room back to the disk', async () => {
    const dir = tempDir();
    const h = await startHost(dir);
    await call(h, 'demo.set', { enabled: false });
    const run = await call(h, 'run.start', { name: 'big' });
    for (let i = 0; i < 100; i++)
      h.client.sendBatch(Array.from({ length: 1000 }, (_, j) => ({ metric: `big.m${j % 4}`, value: i * 1000 + j })));
    const ended = (await call(h, 'run.stop', {}))!;
    expect(ended.points).toBe(100_002);
    await until(() => h.library.pointCount(run.id) === ended.points, 20_000, 'the copy');
    // The database's own size (what a checkpoint leaves in the file), read through its WAL.
    const size = (): number => {
      const db = new Database(join(dir, 'runs.db'), { readonly: true });
      const bytes =
        Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
      db.close();
      return bytes;
    };
    const full = size();
    await call(h, 'run.delete', { runId: run.id });
    expect(size()).toBeLessThan(full / 4);
  }, 60_000);

  it('sets a damaged runs.db aside and starts with a fresh one', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'runs.db'), Buffer.alloc(8192, 0x5a));
    const h = await startHost(dir);
    const p = h.state().problems.find((x) => x.id === 'run-library-damaged');
    expect(p?.message).toMatch(/The run library's file was damaged\. It was set aside as .*runs\.db\.damaged-/);
    expect(readdirSync(dir).some((f) => f.startsWith('runs.db.damaged-'))).toBe(true);
    await call(h, 'demo.set', { enabled: false });
    const run = await call(h, 'run.start', { name: 'fresh' });
    h.client.send('x.v', 1);
    const ended = (await call(h, 'run.stop', {}))!;
    await until(() => h.library.pointCount(run.id) === ended.points, 10_000, 'the copy');
  }, 30_000);
});
