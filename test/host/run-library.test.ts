// The run library on a real host: every point of a run kept after the platform confirmed it and
// the client's log let it go, and after a restart; the run's details (operator, description,
// fields) on its points and editable afterwards; recording a subset of the sources; deleting a
// run; and the quota, which warns first and never deletes the run recording or one not delivered.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
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
    // run.start, two volts and a temperature
    await until(() => h.client.stats().lastSeq >= 4, 10_000, 'the lines');
    await call(h, 'run.stop', {});
    const detail = await call(h, 'run.open', { runId: run.id });
    expect(detail.metrics.map((m) => [m.metric, m.points])).toEqual([['psu.volts', 2]]);
    expect(runOf(h, run.id).meta?.sources).toEqual(['psu']);
    expect(runOf(h, run.id).points).toBe(4); // run.start, two volts, run.end
    // thermo was recorded all the same, outside the run.
    const all = [...h.client.runPoints(run.id)].map((p) => p.metric);
    expect(all).not.toContain('thermo.temp');
    await expect(call(h, 'run.start', { name: 'x', sources: ['serial:gone'] })).rejects.toThrow(
      'no source serial:gone',
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
    const total =
      size(oldest) + size(older) + size(undelivered) + h.library.decorate([{ ...active }])[0]!.storage!.bytes;

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
