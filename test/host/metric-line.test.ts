// Reading a numeric point's line without JSON.parse must give exactly what JSON.parse gives, for
// every line the client writes, and decline (null) whatever it cannot read for certain.
import { describe, expect, it } from 'vitest';
import { PointLineReader, readMetricLine } from '../../src/main/host/run-library/metric-line';
import type { LoggedPoint } from '../../src/main/plexus';
import { PointEncoder, encodeTags } from '../../src/main/plexus/validate';

const enc = new PointEncoder();
const line = (metric: string, value: string, ts: number, tags: Record<string, string> | undefined, run?: string) =>
  enc.encode('metric', enc.metricJson(metric), value, ts, encodeTags(tags, run ? { run_id: run } : undefined));

describe('readMetricLine', () => {
  it('reads what JSON.parse reads from the client’s metric lines', () => {
    const cases: Array<[string, string, number, Record<string, string> | undefined]> = [
      ['psu.volts', '12.5', 1_790_000_000_000, undefined],
      ['a', '-0', 1, { probe: 'b' }],
      ['rig.x', '1e+21', 1_790_000_000_000.25, { note: '"run_id":"fake"', 'k,"x"': 'v}' }],
      ['temp_°C.é', '-3.0000000000000004', 0, { part: 'PSU-7' }],
      ['m', '5e-324', 1_790_000_000_123, undefined],
    ];
    for (const [metric, value, ts, tags] of cases) {
      const l = line(metric, value, ts, tags, 'run-abc-1');
      const p = JSON.parse(l) as { metric: string; value: number; timestamp: number; tags: Record<string, string> };
      expect(readMetricLine(l), l).toEqual({
        metric: p.metric,
        value: p.value,
        timestamp: p.timestamp,
        runId: 'run-abc-1',
      });
    }
  });

  it('declines lines it cannot read for certain: JSON.parse reads those', () => {
    expect(readMetricLine(line('we"ird\\name', '1', 1, undefined, 'r1'))).toBeNull(); // escaped name
    expect(readMetricLine(line('plain', '1', 1, undefined))).toBeNull(); // no run
    expect(readMetricLine(enc.encode('event', enc.metricJson('e'), '"text"', 1, '{"run_id":"r"}'))).toBeNull();
    expect(readMetricLine(line('plain', '1', 1, { run_id: 'a\\"b' }))).toBeNull(); // a run id with escapes
  });
});

describe('PointLineReader.visit', () => {
  it('hands numbers over as the text JSON.parse reads, and parses every other line, with its seq', () => {
    const lines = [
      line('psu.volts', '12.5', 1_790_000_000_000.25, { probe: 'Prüfstand °C' }, 'run-1'),
      line('a', '-0', 1_790_000_000_001, undefined),
      enc.encode(
        'metric',
        enc.metricJson('rig.status'),
        '"ok, running"',
        1_790_000_000_002,
        encodeTags(undefined, { run_id: 'run-1' }),
      ),
      enc.encode('metric', enc.metricJson('rig.pump'), 'true', 1_790_000_000_003, encodeTags(undefined, undefined)),
      enc.encode('metric', enc.metricJson('rig.obj'), '{"a":1}', 1_790_000_000_004, encodeTags(undefined, undefined)),
      enc.encode('event', enc.metricJson('door'), '"opened"', 1_790_000_000_005, encodeTags(undefined, undefined)),
      line('we"ird\\name', '7', 1_790_000_000_006, undefined),
      line('m', '1e+21', 1_790_000_000_007, { k: 'v' }),
    ];
    const seqs = new Float64Array([10, 11, 15, 16, 20, 21, 22, 40]);
    const seen: Array<[number, unknown]> = [];
    const n = new PointLineReader().visit(
      { body: lines.join('\n'), firstSeq: 0, seqs },
      {
        number(seq, metric, valueText, timeText, tagsJson) {
          seen.push([
            seq,
            {
              metric,
              value: Number(valueText),
              timestamp: Number(timeText),
              tags: tagsJson ? JSON.parse(tagsJson) : undefined,
            },
          ]);
        },
        other(p: LoggedPoint) {
          seen.push([p.seq, { other: p.metric, value: p.value }]);
        },
      },
    );
    expect(n).toBe(lines.length);
    const want = lines.map((l, i): [number, unknown] => {
      const p = JSON.parse(l) as { class: string; metric: string; value: unknown; timestamp: number; tags?: object };
      const number = p.class === 'metric' && typeof p.value === 'number' && !p.metric.includes('"');
      return [
        seqs[i]!,
        number
          ? { metric: p.metric, value: p.value, timestamp: p.timestamp, tags: p.tags }
          : { other: p.metric, value: p.value },
      ];
    });
    expect(seen).toEqual(want);
    // Consecutive seqs from the first when the piece has none of its own.
    const firsts: number[] = [];
    new PointLineReader().visit(
      { body: lines.slice(0, 3).join('\n'), firstSeq: 100, seqs: null },
      { number: (seq) => firsts.push(seq), other: (p) => firsts.push(p.seq) },
    );
    expect(firsts).toEqual([100, 101, 102]);
  });
});
