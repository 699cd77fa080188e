// A run exported as XDF and read back by libxdf (compiled against the system's library, see
// test/support/xdf), every sample, marker and event compared with the points: streams per source
// with their channels and units, values (libxdf holds float32; the exact doubles are read from the
// file's bytes), time stamps on the recorder's clock after libxdf applied the clock offsets; a
// large run read back whole with bounded memory while it is written; an unwritable path in words.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeExportFile } from '../../src/main/host/export-sink';
import { writeXdf, type XdfRunInfo } from '../../src/main/host/xdf-export';
import type { LoggedPoint } from '../../src/main/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { heapGrowth } from '../helpers/heap';
import { buildLibxdfReader, readWithLibxdf, type LibxdfStream } from '../support/xdf/libxdf';
import { readRawXdf, type RawStream } from '../support/xdf/raw-xdf';

let reader: ReturnType<typeof buildLibxdfReader> | undefined;
beforeAll(() => {
  reader = buildLibxdfReader();
});
afterAll(() => reader?.remove());
afterEach(() => cleanupTempDirs());

const T0 = 1_700_000_123_000;
const UNITS: Record<string, string> = {
  'psu.supply_v': 'V',
  'psu.current_a': 'A <rms> & "peak"',
  'tc.temp_c': '°C',
  pressure: 'kPa',
};

function runInfo(
  points: number,
  clockOffsets: XdfRunInfo['clockOffsets'],
  name = 'soak <3> & "vibration" — Prüfung',
): XdfRunInfo {
  return {
    run: { id: 'run-0001', name, startedAt: T0, endedAt: T0 + 6000, points },
    device: 'bench-7',
    unit: (m) => UNITS[m],
    clockOffsets,
  };
}

/** Points in recording order: `metric(…)` and `event(…)` append with the next seq. */
function recorder(): {
  points: LoggedPoint[];
  metric: (m: string, v: unknown, t: number) => void;
  event: (m: string, v: unknown, t: number) => void;
} {
  const points: LoggedPoint[] = [];
  const add = (cls: 'metric' | 'event', metric: string, value: unknown, timestamp: number): void => {
    points.push({ seq: points.length + 1, class: cls, metric, value, timestamp, tags: { run_id: 'run-0001' } });
  };
  return { points, metric: (m, v, t) => add('metric', m, v, t), event: (m, v, t) => add('event', m, v, t) };
}

/**
 * Two sources at different rates (the PSU's voltage at 40 Hz, its current at 20 Hz on every other
 * voltage time, a second voltage in one millisecond), a thermocouple sent later with fractional
 * times (the log goes back in time), a pump with booleans beside a number, a metric without a dot
 * (stamped late once), text and JSON values, events, and markers with XML-special, non-ASCII and
 * line-breaking notes, one exactly at a clock sync.
 */
function benchRun(): LoggedPoint[] {
  const { points, metric, event } = recorder();
  event('boot', 'before the first sync', T0 - 65_000.5);
  for (let k = 0; k < 100; k++) {
    metric('psu.supply_v', 12 + Math.sin(k) / 10, T0 + k * 50);
    metric('psu.current_a', -0.5 + k / 1000, T0 + k * 50);
    if (k === 10) metric('psu.supply_v', 99, T0 + k * 50); // a second value in that millisecond
    metric('psu.supply_v', 12 + Math.cos(k) / 7, T0 + k * 50 + 25);
  }
  for (let i = 0; i < 10; i++) {
    metric('rig.pump_on', i % 2 === 0, T0 + 3 + i * 500);
    metric('rig.flow<"in"> & out', i / 3, T0 + 3 + i * 500);
  }
  metric('rig.status', 'ok, running', T0 + 100);
  metric('rig.status', '<b>bold</b> & "quoted"', T0 + 2000);
  metric('rig.status', 'Grüße, 温度 ✓', T0 + 3000);
  metric('rig.cfg', { mode: 'auto', gain: [1, 2.5] }, T0 + 150);
  for (let i = 0; i < 15; i++) {
    metric('tc.temp_c', 20 + i * 0.25, T0 + 7.25 + i * 333);
    if (i % 2 === 0) metric('tc.ok', i % 4 === 0, T0 + 7.25 + i * 333);
  }
  for (let i = 0; i < 5; i++) metric('pressure', 101.325 + i / 1000, T0 + 3000 + i * 100);
  metric('pressure', -0, T0 + 2950.5); // late, and a negative zero
  event('door', 'opened', T0 + 1234);
  event('door', { by: 'ana', why: 'check' }, T0 + 4321);
  event('alarm', null, T0 + 4400);
  event('marker', 'valve <opened> & "closed"', T0 + 1500.125);
  event('marker', { note: 'Ünïcødé ✓ 温度 — «ok»' }, T0 + 2000);
  event('marker', {}, T0 + 2600);
  event('marker', 'line one\nline two\tand a tab', T0 + 3100);
  event('marker', 'at the sync', T0 + 4000.25);
  return points;
}

/** Three syncs, given out of order: the offset grows at the second and shrinks at the third. */
const OFFSETS = [
  { at: T0 + 4000.25, offsetMs: 1231.125 },
  { at: T0 - 60_000, offsetMs: 1234.5 },
  { at: T0 + 2510.5, offsetMs: 1236.25 },
];

async function exportXdf(points: () => Iterable<LoggedPoint>, info: XdfRunInfo): Promise<{ path: string; n: number }> {
  const path = join(tempDir(), 'run.xdf');
  const n = await writeExportFile(path, (sink) => writeXdf(points, info, sink));
  return { path, n };
}

// ── what the file should hold, worked out from the points ────────────────────────────────────

interface Expected {
  streams: string[];
  sources: Map<string, { channels: string[]; samples: { t: number; values: (number | null)[] }[] }>;
  text: Map<string, { t: number; text: string }[]>;
}

const isNumeric = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
const sourceOf = (metric: string): string => metric.split('.')[0]!;

function expected(points: Iterable<LoggedPoint>): Expected {
  const channels = new Map<string, Set<string>>();
  const list = [...points];
  for (const p of list)
    if (p.class === 'metric' && isNumeric(p.value))
      channels.set(sourceOf(p.metric), (channels.get(sourceOf(p.metric)) ?? new Set()).add(p.metric));
  const sources: Expected['sources'] = new Map();
  for (const s of [...channels.keys()].sort()) sources.set(s, { channels: [...channels.get(s)!].sort(), samples: [] });
  const text = new Map<string, { t: number; text: string }[]>([
    ['Markers', []],
    ['Events', []],
  ]);
  const open = new Map<string, { t: number; values: (number | null)[] }>();
  for (const p of list) {
    if (p.class === 'metric' && isNumeric(p.value)) {
      const src = sources.get(sourceOf(p.metric))!;
      const i = src.channels.indexOf(p.metric);
      let cur = open.get(sourceOf(p.metric));
      if (!cur || cur.t !== p.timestamp || cur.values[i] !== null) {
        cur = { t: p.timestamp, values: src.channels.map(() => null) };
        src.samples.push(cur);
        open.set(sourceOf(p.metric), cur);
      }
      cur.values[i] = Number(p.value);
    } else if (p.class === 'event' && p.metric === 'marker') {
      const v = p.value as string | { note?: string };
      text.get('Markers')!.push({ t: p.timestamp, text: typeof v === 'string' ? v : (v.note ?? '') });
    } else {
      const v = typeof p.value === 'string' ? p.value : JSON.stringify(p.value);
      text.get('Events')!.push({ t: p.timestamp, text: `${p.metric}=${v}` });
    }
  }
  const streams = [...sources.keys(), ...[...text].filter(([, l]) => l.length > 0).map(([n]) => n)];
  return { streams, sources, text };
}

/** The offset in force at recorder time t: the last measured before it, else the first. */
function offsetAt(offsets: XdfRunInfo['clockOffsets'], t: number): number {
  const sorted = [...offsets].sort((a, b) => a.at - b.at);
  return sorted.filter((o) => o.at < t).at(-1)?.offsetMs ?? sorted[0]?.offsetMs ?? 0;
}

function xmlValue(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>(.*?)</${tag}>`).exec(xml);
  const ent: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return m?.[1]!.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ent[e]!);
}

/**
 * Compares the file, as libxdf and as its bytes read it, with the points; returns the problems
 * found (at most a few per kind, so a broken export does not print a million lines).
 */
function compare(path: string, points: Iterable<LoggedPoint>, info: XdfRunInfo): string[] {
  const exp = expected(points);
  const lib = readWithLibxdf(reader!.program, path);
  const raw = [...readRawXdf(path).streams.values()];
  const problems: string[] = [];
  const problem = (s: string): void => {
    if (problems.length < 40) problems.push(s);
  };
  expect(lib.map((s) => s.name)).toEqual(exp.streams);
  expect(raw.map((s) => s.id)).toEqual(exp.streams.map((_, i) => i + 1));
  const near = (got: number, t: number): boolean => Math.abs(got - t / 1000) <= 1e-6;
  const stored = (t: number): number => (t - offsetAt(info.clockOffsets, t)) / 1000;
  const measured = [...info.clockOffsets]
    .sort((a, b) => a.at - b.at)
    .map((o) => ({ time: (o.at - o.offsetMs) / 1000, value: o.offsetMs / 1000 }));

  lib.forEach((s: LibxdfStream, k) => {
    const r: RawStream = raw[k]!;
    expect(s.offsets).toEqual(measured);
    expect(r.offsets).toEqual(measured);
    expect(s.srate).toBe(0);
    expect(xmlValue(s.header, 'source_id')).toBe(`${info.device}/${s.name}`);
    expect(xmlValue(s.header, 'run_name')).toBe(info.run.name);
    expect(xmlValue(s.header, 'run_id')).toBe(info.run.id);
    expect(xmlValue(r.footer!, 'sample_count')).toBe(String(r.samples.length));
    const src = exp.sources.get(s.name);
    if (src) {
      expect([s.type, s.format, s.channelCount]).toEqual([s.name, 'double64', src.channels.length]);
      expect(s.channels).toEqual(src.channels.map((m) => ({ label: m, unit: UNITS[m] ?? '', type: s.name })));
      expect(s.samples.length, `${s.name}: samples`).toBe(src.samples.length);
      expect(r.samples.length, `${s.name}: samples in the bytes`).toBe(src.samples.length);
      src.samples.forEach((e, i) => {
        const got = s.samples[i]!;
        const bytes = r.samples[i]!;
        if (!near(got.t, e.t)) problem(`${s.name}[${i}]: libxdf time ${got.t}, recorded ${e.t / 1000}`);
        if (bytes.t !== stored(e.t)) problem(`${s.name}[${i}]: stored time ${bytes.t}, want ${stored(e.t)}`);
        e.values.forEach((v, c) => {
          const g = got.values[c]!;
          if (v === null ? !Number.isNaN(g) : g !== Math.fround(v))
            problem(`${s.name}[${i}][${c}]: libxdf ${g}, recorded ${v}`);
          const d = (bytes.values as number[])[c]!;
          if (!Object.is(d, v ?? NaN)) problem(`${s.name}[${i}][${c}]: stored ${d}, recorded ${v}`);
        });
      });
    } else {
      expect([s.type, s.format, s.channelCount]).toEqual([s.name, 'string', 1]);
      const want = exp.text.get(s.name)!;
      expect(s.events.map((e) => e.text)).toEqual(want.map((e) => e.text));
      expect(r.samples.map((e) => e.values)).toEqual(want.map((e) => e.text));
      want.forEach((e, i) => {
        if (!near(s.events[i]!.t, e.t))
          problem(`${s.name}[${i}]: libxdf time ${s.events[i]!.t}, recorded ${e.t / 1000}`);
        if (r.samples[i]!.t !== stored(e.t)) problem(`${s.name}[${i}]: stored time ${r.samples[i]!.t}`);
      });
    }
  });
  return problems;
}

describe('XDF export', () => {
  it('streams per source, every sample, event and marker as libxdf reads them, on the recorder clock', async () => {
    const points = benchRun();
    // The log is not in time order (the thermocouple came later).
    expect(points.some((p, i) => i > 0 && p.timestamp < points[i - 1]!.timestamp)).toBe(true);
    const info = runInfo(points.length, OFFSETS);
    const { path, n } = await exportXdf(() => points, info);
    expect(n).toBe(points.length);
    expect(compare(path, points, info)).toEqual([]);

    // Spot checks of the layout, by name.
    const lib = readWithLibxdf(reader!.program, path);
    expect(lib.map((s) => s.name)).toEqual(['pressure', 'psu', 'rig', 'tc', 'Markers', 'Events']);
    const psu = lib.find((s) => s.name === 'psu')!;
    expect(psu.channels.map((c) => [c.label, c.unit])).toEqual([
      ['psu.current_a', 'A <rms> & "peak"'],
      ['psu.supply_v', 'V'],
    ]);
    // Shared times make one sample; a time only the voltage has leaves the current NaN.
    expect(psu.samples[0]!.values).toEqual([Math.fround(-0.5), Math.fround(12)]);
    expect(Number.isNaN(psu.samples[1]!.values[0])).toBe(true);
    expect(psu.samples.length).toBe(201); // 100 shared, 100 voltage only, 1 second value in one ms
    const rig = lib.find((s) => s.name === 'rig')!;
    expect(rig.channels.map((c) => c.label)).toEqual(['rig.flow<"in"> & out', 'rig.pump_on']);
    expect(rig.samples.slice(0, 2).map((s) => s.values[1])).toEqual([1, 0]); // booleans as 1/0
    const markers = lib.find((s) => s.name === 'Markers')!.events.map((e) => e.text);
    expect(markers).toEqual([
      'valve <opened> & "closed"',
      'Ünïcødé ✓ 温度 — «ok»',
      '',
      'line one\nline two\tand a tab',
      'at the sync',
    ]);
    const events = lib.find((s) => s.name === 'Events')!.events.map((e) => e.text);
    expect(events).toContain('rig.status=<b>bold</b> & "quoted"');
    expect(events).toContain('rig.cfg={"mode":"auto","gain":[1,2.5]}');
    expect(events).toContain('door={"by":"ana","why":"check"}');
    expect(events).toContain('alarm=null');
    // The stored times are this machine's clock: the recorder time minus the offset in force.
    const raw = readRawXdf(path);
    const stored = [...raw.streams.values()].find((s) => s.header.includes('<name>psu</name>'))!.samples[0]!.t;
    expect(stored).toBe((T0 - 1234.5) / 1000);
    expect(xmlValue(raw.fileHeader, 'version')).toBe('1.0');
    expect(xmlValue(raw.fileHeader, 'run_name')).toBe(info.run.name);
  });

  it('without clock offsets the time stamps are the recorded ones, exactly', async () => {
    const points = benchRun();
    const info = runInfo(points.length, []);
    const { path } = await exportXdf(() => points, info);
    expect(compare(path, points, info)).toEqual([]);
    const lib = readWithLibxdf(reader!.program, path);
    const exp = expected(points);
    for (const s of lib) {
      expect(s.offsets).toEqual([]);
      const times = exp.sources.get(s.name)?.samples.map((e) => e.t) ?? exp.text.get(s.name)!.map((e) => e.t);
      expect(s.samples.length > 0 ? s.samples.map((x) => x.t) : s.events.map((x) => x.t)).toEqual(
        times.map((t) => t / 1000),
      );
    }
    expect([...readRawXdf(path).streams.values()].every((s) => !s.footer!.includes('clock_offsets'))).toBe(true);
  });

  it(
    'a large run (200,000 points) is written with bounded memory and read back whole',
    { timeout: 120_000 },
    async () => {
      const N = 40_000; // five points each: 200,000, and four markers
      function* soak(): Generator<LoggedPoint> {
        let seq = 0;
        const p = (cls: 'metric' | 'event', metric: string, value: unknown, timestamp: number): LoggedPoint => ({
          seq: ++seq,
          class: cls,
          metric,
          value,
          timestamp,
        });
        for (let j = 0; j < N; j++) {
          const t = T0 + j * 10;
          yield p('metric', 'psu.supply_v', 12 + (j % 100) / 100, t);
          yield p('metric', 'psu.current_a', (j % 37) / 10, t);
          yield p('metric', 'tc.temp_c', 20 + (j % 13) + j / 1e5, t + 3 - 10_000); // stamped 10 s back
          yield p('metric', 'rig.pump_on', j % 3 === 0, t + 5);
          yield p('metric', 'rig.status', `step ${j % 50}`, t + 7);
          if (j % 10_000 === 5_000) yield p('event', 'marker', `mark ${j}`, t + 1);
        }
      }
      const info = runInfo(5 * N + 4, [{ at: T0 - 1000, offsetMs: -250.75 }]);

      const {
        result: { path, n },
        grew,
      } = await heapGrowth(() => exportXdf(soak, info), 100);
      expect(n).toBe(5 * N + 4);
      // Holding the points would cost far more, and holding the file's bytes (larger than the bound) too.
      expect(statSync(path).size).toBeGreaterThan(3 * 1024 * 1024);
      expect(grew, `live heap grew by ${(grew / 1e6).toFixed(1)} MB`).toBeLessThan(2 * 1024 * 1024);

      expect(compare(path, soak(), info)).toEqual([]);
      // Written a chunk at a time (a thousand samples each), not as one.
      const chunks = [...readRawXdf(path).streams.values()].map((r) => r.chunks);
      expect(chunks).toEqual([N / 1000, N / 1000, N / 1000, 1, N / 1000]);
      const lib = readWithLibxdf(reader!.program, path);
      expect(lib.map((s) => [s.name, s.samples.length + s.events.length])).toEqual([
        ['psu', N],
        ['rig', N],
        ['tc', N],
        ['Markers', 4],
        ['Events', N],
      ]);
    },
  );

  it('an export that cannot be written says why and leaves nothing behind', async () => {
    const dir = tempDir();
    const path = join(dir, 'run.xdf');
    mkdirSync(path); // a folder stands where the file would go
    const points = benchRun();
    await expect(
      writeExportFile(path, (sink) => writeXdf(() => points, runInfo(points.length, OFFSETS), sink)),
    ).rejects.toThrow(/^cannot write .*run\.xdf: a folder of that name is in the way \(EISDIR\)$/);
    expect(statSync(path).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual(['run.xdf']);
    expect(existsSync(join(path, 'run.xdf'))).toBe(false);
  });
});
