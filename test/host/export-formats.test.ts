// A past run exported as wide CSV and as MCAP, from a real host with a real run log: the wide CSV
// read back row by row and the MCAP read back with @mcap/core's indexed reader, both compared
// point by point with what the log holds (timestamps out of order across sources included); a
// large run proves the exports stream with bounded memory; a bad format is refused in words.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { Host } from '../../src/main/host';
import type { LoggedPoint } from '../../src/main/plexus';
import type { RunView } from '../../src/shared/contract';
import { call, startHost, stopHosts } from '../helpers/host';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { heapGrowth } from '../helpers/heap';
import { checkMcap, checkWide, parseCsv } from '../helpers/run-files';

afterEach(async () => {
  await stopHosts();
  cleanupTempDirs();
});

/** A host recording nothing on its own, with units for two serial fields (psu.supply_v [V], psu.current_a [A]). */
async function quietHost(): Promise<Host> {
  const h = await startHost(tempDir(), { clientOptions: { apiKey: null } });
  await call(h, 'demo.set', { enabled: false });
  await call(h, 'serial.add', {
    config: {
      name: 'psu',
      prefix: 'psu',
      path: '/dev/plexus-no-such-port',
      baudRate: 9600,
      parser: 'kv',
      fields: { supply_v: { unit: 'V' }, current_a: { unit: 'A' } },
    },
  });
  return h;
}

const UNITS: Record<string, string> = { 'psu.supply_v': 'V', 'psu.current_a': 'A' };

/**
 * A run of several sources at different rates: the PSU at 20 Hz, a thermocouple at 3 Hz sent late
 * (so its timestamps go back in time in the log), a pump as booleans, a text status with a
 * formula, two values of one metric in the same millisecond, events (one with a number) and a marker.
 */
async function recordRun(h: Host): Promise<RunView> {
  await call(h, 'run.start', { name: 'formats-001' });
  const t0 = Math.round(h.client.now()) - 10_000;
  for (let i = 0; i < 100; i++) {
    h.client.sendBatch([
      { metric: 'psu.supply_v', value: 12 + Math.sin(i) / 10, timestamp: t0 + i * 50 },
      { metric: 'psu.current_a', value: -0.5 + i / 1000, timestamp: t0 + i * 50 },
    ]);
  }
  for (let i = 0; i < 15; i++) h.client.send('tc.temp_c', 20 + i * 0.25, { timestamp: t0 + 7 + i * 333 });
  for (let i = 0; i < 10; i++) h.client.send('rig.pump_on', i % 2 === 0, { timestamp: t0 + 3 + i * 500 });
  h.client.send('rig.status', 'ok, running', { timestamp: t0 + 100 });
  h.client.send('rig.status', '=cmd|calc', { timestamp: t0 + 2000 });
  h.client.send('rig.status', 'said "hi"\nthen left', { timestamp: t0 + 3000 });
  h.client.send('psu.supply_v', 99, { timestamp: t0 + 50 }); // a second value in that millisecond
  h.client.send('psu.supply_v', 1.5, { timestamp: t0 + 25.25, tags: { probe: 'b' } }); // a fraction of a ms
  h.client.send('psu.supply_v', 1.75, { timestamp: t0 + 26, tags: { probe: 'Prüfstand °C' } }); // a tag beyond ASCII
  h.client.event('door', 'opened', { timestamp: t0 + 1234 });
  h.client.event('door', { by: 'ana', why: 'check' }, { timestamp: t0 + 4321 });
  h.client.event('door.cycles', 3, { timestamp: t0 + 4400 }); // an event with a number: on /events only
  await call(h, 'marker.add', { note: 'valve opened' });
  const ended = (await call(h, 'run.stop', {}))!;
  await h.client.flush();
  return ended;
}

// ── reading back ──────────────────────────────────────────────────────────────────────────────

async function exportAs(
  h: Host,
  runId: string,
  format: 'csv' | 'csv-wide' | 'mcap',
): Promise<{ path: string; points: number }> {
  const r = await call(h, 'run.export', { runId, format });
  if (r.kind !== 'saved') throw new Error(`expected a saved export, got ${r.kind}`);
  return r;
}

function logged(h: Host, runId: string): LoggedPoint[] {
  return [...h.client.runPoints(runId)];
}

describe('run export formats', () => {
  it('wide CSV: a row per time, a column per metric with its unit, guarded text, events as columns', async () => {
    const h = await quietHost();
    const run = await recordRun(h);
    const points = logged(h, run.id);
    expect(points.length).toBe(run.points);
    // The log is not in time order (the thermocouple was sent after the PSU).
    expect(points.some((p, i) => i > 0 && p.timestamp < points[i - 1]!.timestamp)).toBe(true);

    const exp = await exportAs(h, run.id, 'csv-wide');
    expect(exp.path).toMatch(/\.wide\.csv$/);
    expect(exp.points).toBe(points.length);
    const text = readFileSync(exp.path, 'utf8');
    checkWide(text, points, UNITS);
    // Spot checks in the file's own bytes: a formula is neutralised, a comma or break is quoted.
    expect(text).toContain(`,'=cmd|calc,`);
    expect(text).toContain('"ok, running"');
    expect(text).toContain('"said ""hi""\nthen left"');
    expect(text).toContain(',valve opened');
    // The same millisecond twice: two rows with that time, each value kept.
    const t50 = points.find((p) => p.metric === 'psu.supply_v' && p.value === 99)!.timestamp;
    expect(parseCsv(text).filter((r) => r[1] === String(t50))).toHaveLength(2);
    // The scratch file is gone.
    expect(readdirSync(`${h.state().settings.dataDir}/exports`).filter((f) => f.endsWith('.sqlite'))).toEqual([]);
  });

  it('MCAP: metadata, a channel per metric with a JSON schema, every point as a message at its time', async () => {
    const h = await quietHost();
    const run = await recordRun(h);
    const points = logged(h, run.id);
    const exp = await exportAs(h, run.id, 'mcap');
    expect(exp.path).toMatch(/\.mcap$/);
    expect(exp.points).toBe(points.length);
    await checkMcap(exp.path, points, run, UNITS);
  });

  it('the long CSV is still the default, and each format has its own file name', async () => {
    const h = await quietHost();
    const run = await recordRun(h);
    const plain = await call(h, 'run.export', { runId: run.id });
    if (plain.kind !== 'saved') throw new Error('not saved');
    expect(plain.path).toMatch(/formats-001_.*Z\.csv$/);
    expect(plain.path).not.toMatch(/\.wide\.csv$/);
    expect(readFileSync(plain.path, 'utf8').split('\r\n')[0]).toBe('time_utc,epoch_ms,metric,value,tags');
    expect(plain.points).toBe(run.points);
  });

  it('a format the recorder does not know is refused in words', async () => {
    const h = await quietHost();
    const r = await h.handle('run.export', { runId: 'x', format: 'xlsx' });
    expect(r).toEqual({
      ok: false,
      error: {
        message: 'Could not export the run. Export format: choose CSV, wide CSV, MCAP or XDF.',
        code: 'bad-request',
      },
    });
  });

  it('an export that cannot be written says why and leaves no half file', async () => {
    const h = await quietHost();
    const run = await recordRun(h);
    const dir = `${h.state().settings.dataDir}/exports`;
    // A folder stands where the file would go.
    const first = await exportAs(h, run.id, 'csv-wide');
    rmSync(first.path);
    mkdirSync(first.path);
    const r = await h.handle('run.export', { runId: run.id, format: 'csv-wide' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.message).toMatch(
        /^Could not export the run: cannot write .*\.wide\.csv: a folder of that name is in the way \(EISDIR\)$/,
      );
    expect(statSync(first.path).isDirectory()).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.sqlite'))).toEqual([]); // the scratch file too
  });

  it('a large run (240,000 points) exports in every format with bounded memory', { timeout: 180_000 }, async () => {
    const h = await quietHost();
    const run0 = await call(h, 'run.start', { name: 'long-soak' });
    const t0 = Math.round(h.client.now()) - 3_600_000;
    const N = 40_000; // per source: 6 sources, 240,000 points
    for (let i = 0; i < N; i += 1000) {
      const batch = [];
      for (let j = i; j < i + 1000; j++) {
        batch.push({ metric: 'psu.supply_v', value: 12 + (j % 100) / 100, timestamp: t0 + j * 10 });
        batch.push({ metric: 'psu.current_a', value: (j % 37) / 10, timestamp: t0 + j * 10 });
        // Another source, stamped back in time by ten seconds: the log is far from time order.
        batch.push({ metric: 'tc.temp_c', value: 20 + (j % 13), timestamp: t0 + j * 10 + 3 - 10_000 });
        batch.push({ metric: 'rig.pump_on', value: j % 3 === 0, timestamp: t0 + j * 10 + 5 });
        batch.push({ metric: 'rig.status', value: `step ${j % 50}`, timestamp: t0 + j * 10 + 7 });
        batch.push({ metric: 'rig.flow_lpm', value: j / 7, timestamp: t0 + j * 10 + 1 });
      }
      h.client.sendBatch(batch);
      await h.client.flush().catch(() => {});
    }
    await call(h, 'marker.add', { note: 'half way' });
    const run = (await call(h, 'run.stop', {}))!;
    expect(run.id).toBe(run0.id);
    expect(run.points).toBeGreaterThanOrEqual(6 * N);

    // The library copies the run as it is recorded; what is measured is the export alone.
    await h.library.caughtUp();
    for (const format of ['csv-wide', 'mcap'] as const) {
      const { result: exp, grew } = await heapGrowth(() => exportAs(h, run.id, format), 200);
      expect(exp.points).toBe(run.points);
      const size = statSync(exp.path).size;
      // Holding the run (or the file) would cost more than the bound: the file alone is larger.
      expect(size).toBeGreaterThan(10 * 1024 * 1024);
      expect(grew, `${format}: live heap grew by ${(grew / 1e6).toFixed(1)} MB`).toBeLessThan(10 * 1024 * 1024);
    }
    // The wide file read back: times in order, every point accounted for. Only the run.start
    // event's JSON is quoted here, so plain lines are split as they are (a full parse is slow).
    const wide = readFileSync((await exportAs(h, run.id, 'csv-wide')).path, 'utf8');
    const rows = wide
      .trimEnd()
      .split('\r\n')
      .map((l) => (l.includes('"') ? parseCsv(`${l}\r\n`)[0]! : l.split(',')));
    let cells = 0;
    let prev = -Infinity;
    for (const r of rows.slice(1)) {
      const t = Number(r[1]);
      expect(t >= prev).toBe(true);
      prev = t;
      cells += r.slice(2).filter((c) => c !== '').length;
    }
    expect(cells).toBe(run.points);
  });
});
