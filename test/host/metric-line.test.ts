// Reading a numeric point's line without JSON.parse must give exactly what JSON.parse gives, for
// every line the client writes, and decline (null) whatever it cannot read for certain.
import { describe, expect, it } from 'vitest';
import { readMetricLine } from '../../src/main/host/run-library/metric-line';
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
