// The live preview's aggregator must not keep every metric name it ever saw: a source that makes up
// a new name per point (a counter in the name, a timestamp) used to leave 2,000,000 names — 146 MB —
// in its `names` set. What it keeps across ticks is bounded (the 10,000 most recent names), one
// tick's window is bounded too, and the window's numbers stay what they were.
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MAX_METRICS_PER_TICK, MAX_PREVIEW_NAMES, PreviewAggregator } from '../../src/main/host/preview';

/** A full garbage collection (exposes V8's gc() to this test without a command-line flag). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('PreviewAggregator', () => {
  it('keeps the window numbers: last, min, max, count per metric; events; points', () => {
    const p = new PreviewAggregator();
    p.record('psu.v', 12.1, 1000, null);
    p.record('psu.v', 11.9, 1001, null);
    p.record('psu.v', 12.4, 1002, null);
    p.record('state', 'charging', 1003, 'run-1');
    const out = p.take(2000);
    expect(out.metrics).toEqual([
      ['psu.v', 12.4, 11.9, 12.4, 3],
      ['state', 'charging', null, null, 1],
    ]);
    expect(out.events).toEqual([{ metric: 'state', value: 'charging', t: 1003, runId: 'run-1' }]);
    expect(out.points).toBe(4);
    expect(p.take(2100).metrics).toEqual([]);
    expect([...p.names]).toEqual(['psu.v', 'state']);
  });

  it('2,000,000 distinct names across ticks: at most 10,000 kept, the most recent; heap growth well under 30 MB', () => {
    const p = new PreviewAggregator();
    collect();
    const before = process.memoryUsage().heapUsed;
    const perTick = 5_000;
    let maxNames = 0;
    let shown = 0;
    for (let tick = 0; tick < 2_000_000 / perTick; tick++) {
      for (let i = 0; i < perTick; i++) p.record(`sensor.${tick}.${i}`, i, tick * 100 + i / perTick, null);
      const out = p.take(tick * 100);
      shown += out.metrics.length;
      maxNames = Math.max(maxNames, p.names.size);
    }
    collect();
    const grownMb = (process.memoryUsage().heapUsed - before) / 1e6;
    expect(shown).toBe(2_000_000); // every metric still reached the window in its tick
    expect(maxNames).toBeLessThanOrEqual(10_000);
    expect(grownMb).toBeLessThan(30);
    expect(MAX_PREVIEW_NAMES).toBe(10_000);
    expect(p.sizes()).toEqual({ names: MAX_PREVIEW_NAMES, window: 0 });
    // The most recent names are the ones kept, oldest first.
    expect(p.names.has('sensor.399.4999')).toBe(true);
    expect(p.names.has('sensor.398.0')).toBe(true);
    expect(p.names.has('sensor.397.4999')).toBe(false);
    expect(p.names.has('sensor.0.0')).toBe(false);
    expect(p.names.values().next().value).toBe('sensor.398.0');
  });

  it('a name seen again is kept as recent, whatever came in between', () => {
    const p = new PreviewAggregator();
    for (let tick = 0; tick < 30; tick++) {
      p.record('psu.v', 12, tick, null); // every tick
      for (let i = 0; i < 1_000; i++) p.record(`burst.${tick}.${i}`, i, tick, null);
      p.take(tick);
    }
    expect(p.names.size).toBe(10_000);
    expect(p.names.has('psu.v')).toBe(true);
    expect(p.names.has('burst.0.0')).toBe(false);
  });

  it('one tick with more distinct names than the window holds: the window is capped, every point counted', () => {
    const p = new PreviewAggregator();
    const n = 50_000; // 40,000 more than the window holds
    for (let i = 0; i < n; i++) p.record(`m.${i}`, i, 1000, null);
    p.record('m.0', -1, 1000, null); // a metric already in the window is still updated
    p.record(`late.text`, 'hello', 1000, null); // an event of a metric left out still reaches the list
    const out = p.take(2000);
    expect(out.metrics).toHaveLength(10_000);
    expect(MAX_METRICS_PER_TICK).toBe(10_000);
    expect(out.metrics[0]).toEqual(['m.0', -1, -1, 0, 2]);
    expect(out.metricsDropped).toBe(40_001);
    expect(out.points).toBe(n + 2);
    expect(out.events).toEqual([{ metric: 'late.text', value: 'hello', t: 1000, runId: null }]);
    // The next tick starts empty and takes new names again.
    p.record('m.49000', 1, 3000, null);
    expect(p.take(4000).metrics).toEqual([['m.49000', 1, 1, 1, 1]]);
  });
});
