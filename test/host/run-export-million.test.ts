// A run of 1,000,000 points exported in every format and read back point by point: the long CSV
// and the wide CSV parsed as RFC 4180, MCAP through the official indexed reader, XDF through
// libxdf (compiled from C++ in the test). The points come from the run library, which is where
// exports read them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Host } from '../../src/main/host';
import type { LoggedPoint } from '../../src/main/plexus';
import type { ExportFormat, RunView } from '../../src/shared/contract';
import { call, startHost, stopHosts } from '../helpers/host';
import { checkMcap, checkWide, parseCsv, shown } from '../helpers/run-files';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { buildLibxdfReader, readWithLibxdf } from '../support/xdf/libxdf';

const UNITS: Record<string, string> = {};
let h: Host;
let run: RunView;
let points: LoggedPoint[];
let reader: { program: string; remove: () => void };

beforeAll(async () => {
  reader = buildLibxdfReader();
  h = await startHost(tempDir(), { clientOptions: { apiKey: null } });
  await call(h, 'demo.set', { enabled: false });
  await call(h, 'run.start', { name: 'million' });
  const t0 = Math.round(h.client.now()) - 3_600_000;
  // 1,000,000 points: the PSU's two values at 1 kHz (one sample of both), a thermocouple at
  // 100 Hz sent late (the log is not in time order), a status text and a marker now and then.
  const batch: Array<{ metric: string; value: unknown; timestamp: number }> = [];
  let n = 2; // run.start and run.end
  for (let i = 0; n < 1_000_000; i++) {
    const t = t0 + i;
    batch.push({ metric: 'psu.supply_v', value: 12 + (i % 1000) / 1000, timestamp: t });
    batch.push({ metric: 'psu.current_a', value: -(i % 37) / 10, timestamp: t });
    n += 2;
    if (i % 10 === 0) {
      batch.push({ metric: 'tc.temp_c', value: 20 + (i % 13) / 4, timestamp: t - 500 });
      n++;
    }
    if (i % 5000 === 0) {
      batch.push({ metric: 'rig.status', value: i % 10000 === 0 ? `=step ${i}` : `step, ${i}`, timestamp: t });
      n++;
    }
    if (i % 100_000 === 50_000) {
      h.client.sendBatch(batch);
      batch.length = 0;
      await call(h, 'marker.add', { note: `half-step ${i}` });
      n++;
    }
    if (batch.length >= 10_000 || n >= 1_000_000) {
      h.client.sendBatch(batch);
      batch.length = 0;
      await h.client.persisted();
    }
  }
  run = (await call(h, 'run.stop', {}))!;
  await h.library.caughtUp();
  points = [...h.library.points(run.id)];
}, 180_000);

afterAll(async () => {
  reader?.remove();
  await stopHosts();
  cleanupTempDirs();
});

async function exportAs(format: ExportFormat): Promise<string> {
  const r = await call(h, 'run.export', { runId: run.id, format });
  if (r.kind !== 'saved') throw new Error(`expected a saved export, got ${r.kind}`);
  expect(r.points).toBe(points.length);
  return r.path;
}

describe('a run of 1,000,000 points', () => {
  it('is whole in the run library', () => {
    expect(run.points).toBeGreaterThanOrEqual(1_000_000);
    expect(points.length).toBe(run.points);
    expect(new Set(points.map((p) => p.seq)).size).toBe(run.points);
  });

  it('long CSV: every point, in recording order', async () => {
    const text = readFileSync(await exportAs('csv'), 'utf8');
    const rows = text.includes('"')
      ? parseCsv(text)
      : text
          .trimEnd()
          .split('\r\n')
          .map((l) => l.split(','));
    expect(rows[0]).toEqual(['time_utc', 'epoch_ms', 'metric', 'value', 'tags']);
    expect(rows.length - 1).toBe(points.length);
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      const r = rows[i + 1]!;
      if (r[1] !== String(p.timestamp) || r[2] !== p.metric || r[3] !== shown(p.value))
        expect(r, `row ${i + 1}`).toEqual([
          new Date(p.timestamp).toISOString(),
          String(p.timestamp),
          p.metric,
          shown(p.value),
          `run_id=${run.id}`,
        ]);
    }
  }, 120_000);

  it('wide CSV: every point in its column at its time', async () => {
    checkWide(readFileSync(await exportAs('csv-wide'), 'utf8'), points, UNITS);
  }, 180_000);

  it('MCAP: every point as a message, read with the official reader', async () => {
    await checkMcap(await exportAs('mcap'), points, run, UNITS);
  }, 180_000);

  it('XDF: every sample and marker, read with libxdf', async () => {
    const streams = readWithLibxdf(reader.program, await exportAs('xdf'));
    // libxdf holds values as float32: compare with the recorded value rounded the same way.
    const want: string[] = [];
    const wantText: string[] = [];
    for (const p of points) {
      if (typeof p.value === 'number') want.push(`${p.timestamp}|${p.metric}|${Math.fround(p.value)}`);
      else if (p.metric === 'marker') wantText.push(`Markers|${p.timestamp}|${String(p.value)}`);
      else if (p.metric !== 'run.start' && p.metric !== 'run.end')
        wantText.push(`Events|${p.timestamp}|${p.metric}=${String(p.value)}`);
    }
    const got: string[] = [];
    const gotText: string[] = [];
    for (const s of streams) {
      for (const e of s.events)
        if (!/^run\.(start|end)=/.test(e.text)) gotText.push(`${s.name}|${Math.round(e.t * 1000)}|${e.text}`);
      for (const smp of s.samples)
        smp.values.forEach((v, c) => {
          if (!Number.isNaN(v)) got.push(`${Math.round(smp.t * 1000)}|${s.channels[c]!.label}|${v}`);
        });
    }
    expect(streams.map((s) => s.name).filter((n) => n === 'psu' || n === 'tc')).toEqual(['psu', 'tc']);
    expect(got.length).toBe(want.length);
    expect(got.sort()).toEqual(want.sort());
    expect(gotText.sort()).toEqual(wantText.sort());
  }, 180_000);
});
