// uPlot's columns assembled from the live rings (src/renderer/src/charts/chartData.ts): one sorted
// time column shared by all metrics, `undefined` where a metric has no sample (drawn across),
// one `null` where a metric paused (a gap), text skipped, columns reused between calls.
import { describe, expect, it } from 'vitest';
import { GAP_MS, assemble, emptyColumns, lastTime, latestIn } from '../../src/renderer/src/charts/chartData';
import { Series } from '../../src/renderer/src/live/series';
import type { MetricUpdate } from '../../src/shared/contract';

const u = (value: MetricUpdate[1]): MetricUpdate => ['m', value, null, null, 1];

function series(samples: Array<[number, MetricUpdate[1]]>): Series {
  const s = new Series('m');
  for (const [t, v] of samples) s.push(t, u(v));
  return s;
}

describe('assemble', () => {
  it('merges metrics on time: shared ticks share a row, a missing sample is undefined', () => {
    const a = series([
      [1000, 1],
      [1050, 2],
      [1100, 3],
    ]);
    const b = series([
      [1050, 20],
      [1150, 40],
    ]);
    const c = assemble([a, b], 0, emptyColumns(2));
    expect(c.x).toEqual([1000, 1050, 1100, 1150]);
    expect(c.ys[0]).toEqual([1, 2, 3, undefined]);
    expect(c.ys[1]).toEqual([undefined, 20, undefined, 40]);
  });

  it('starts at `from`: older samples are left out', () => {
    const a = series([
      [1000, 1],
      [2000, 2],
      [3000, 3],
    ]);
    const c = assemble([a], 2000, emptyColumns(1));
    expect(c.x).toEqual([2000, 3000]);
    expect(c.ys[0]).toEqual([2, 3]);
  });

  it('breaks a line with one null row 1 ms after the last sample before a pause longer than GAP_MS', () => {
    const t2 = 1000 + GAP_MS + 1;
    const a = series([
      [1000, 5],
      [t2, 6],
      [t2 + 100, 7],
    ]);
    const c = assemble([a], 0, emptyColumns(1));
    expect(c.x).toEqual([1000, 1001, t2, t2 + 100]);
    expect(c.ys[0]).toEqual([5, null, 6, 7]);
    // Exactly GAP_MS apart is still one line.
    const d = assemble(
      [
        series([
          [0, 1],
          [GAP_MS, 2],
        ]),
      ],
      -1,
      emptyColumns(1),
    );
    expect(d.ys[0]).toEqual([1, 2]);
  });

  it('plots booleans as 0/1, leaves text out, and gives a missing metric an empty column of cells', () => {
    const a = series([
      [1000, true],
      [1050, false],
    ]);
    const text = series([
      [1000, 'RUNNING'],
      [1050, 'IDLE'],
    ]);
    const c = assemble([a, text, undefined], 0, emptyColumns(3));
    expect(c.ys[0]).toEqual([1, 0]);
    expect(c.ys[1]).toEqual([undefined, undefined]);
    expect(c.ys[2]).toEqual([undefined, undefined]);
  });

  it('keeps time order across the ring wrapping, and skips samples that go back in time', () => {
    const s = new Series('m');
    for (let i = 0; i < 3000; i++) s.push(1000 + i * 50, u(i)); // wraps the 1536-slot ring
    s.push(1000, u(-1)); // the host's clock stepped back: not drawn backwards
    const c = assemble([s], 0, emptyColumns(1));
    expect(c.x.length).toBe(s.size - 1);
    for (let i = 1; i < c.x.length; i++) expect(c.x[i]!).toBeGreaterThan(c.x[i - 1]!);
    expect(c.ys[0]![c.ys[0]!.length - 1]).toBe(2999);
  });

  it('reuses the columns it is given (no new arrays per redraw)', () => {
    const out = emptyColumns(1);
    const { x } = out;
    const col = out.ys[0];
    assemble(
      [
        series([
          [1, 1],
          [2, 2],
        ]),
      ],
      0,
      out,
    );
    assemble([series([[3, 3]])], 0, out);
    expect(out.x).toBe(x);
    expect(out.ys[0]).toBe(col);
    expect(out.x).toEqual([3]);
  });
});

describe('latestIn / lastTime', () => {
  it('finds the newest number of a column, skipping gaps and missing cells', () => {
    const c = assemble(
      [
        series([
          [1000, 1],
          [1050, 2],
        ]),
        series([[1000, 9]]),
      ],
      0,
      emptyColumns(2),
    );
    expect(latestIn(c, 0)).toBe(1050);
    expect(latestIn(c, 1)).toBe(2);
    expect(latestIn(c, 2)).toBe(9); // its last row is undefined
    expect(latestIn(c, 5)).toBeNull();
    expect(lastTime(c)).toBe(1050);
    expect(lastTime(emptyColumns(1))).toBeNaN();
  });
});
