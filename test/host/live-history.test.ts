// What a reloaded window is seeded from: each metric's last minute, kept on the host in buckets of
// HISTORY_BUCKET_MS (min, max, last value, points), bounded per metric, the latest value of a text
// metric, and forgotten with the metric's source. The buckets are checked value by value, on the
// history itself and on a real host fed by a real serial line.
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_BUCKETS, MAX_ANSWER_BUCKETS, MetricHistories } from '../../src/main/host/metric-history';
import { RetiredSources } from '../../src/main/host/retired-sources';
import {
  HISTORY_BUCKET_MS,
  LIVE_WINDOW_MS,
  historyBucket,
  type MetricHistory,
  type MetricUpdate,
  type PluginView,
} from '../../src/shared/contract';
import { sleep, until } from '../helpers/plexus';
import { call, startHost, stopHosts } from '../helpers/host';
import { killAllPtyProcesses, ptyPair, writeAtOnce } from '../helpers/pty';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

afterEach(async () => {
  await stopHosts();
  await killAllPtyProcesses();
  cleanupTempDirs();
});

/** A bucket boundary, so the tests know which ticks share a bucket. */
const T0 = 1_700_000_000_000;
const u = (
  name: string,
  value: MetricUpdate[1],
  min: number | null,
  max: number | null,
  count: number,
): MetricUpdate => [name, value, min, max, count];
const of = (h: { metrics: MetricHistory[] }, name: string): MetricHistory | undefined =>
  h.metrics.find((m) => m.name === name);

describe('MetricHistories', () => {
  it('merges the ticks of one bucket: min of the mins, max of the maxes, the last value, the points', () => {
    const h = new MetricHistories();
    // Three ticks in the first bucket, two in the next, one in the fourth (the third carried nothing).
    h.add(T0 + 10, [u('psu.v', 12.1, 11.9, 12.3, 4)]);
    h.add(T0 + 77, [u('psu.v', 12.0, 11.5, 12.2, 3)]);
    h.add(T0 + 144, [u('psu.v', 12.6, 12.0, 12.8, 5)]);
    h.add(T0 + 510, [u('psu.v', 13.0, 12.9, 13.4, 2)]);
    h.add(T0 + 577, [u('psu.v', 12.7, 12.7, 12.7, 1)]);
    h.add(T0 + 1600, [u('psu.v', 9.5, 9.5, 9.5, 1)]);
    expect(h.view(T0 + 1650).bucketMs).toBe(HISTORY_BUCKET_MS);
    expect(of(h.view(T0 + 1650), 'psu.v')).toEqual({
      name: 'psu.v',
      value: 9.5,
      lastT: T0 + 1600,
      t: [T0 + 144, T0 + 577, T0 + 1600],
      min: [11.5, 12.7, 9.5],
      max: [12.8, 13.4, 9.5],
      last: [12.6, 12.7, 9.5],
      count: [12, 3, 1],
    });
  });

  it('keeps a text metric’s latest value and no buckets; a boolean is 0/1, as the window draws it', () => {
    const h = new MetricHistories();
    h.add(T0, [u('plc.state', 'heating', null, null, 3), u('door.open', true, null, null, 1)]);
    h.add(T0 + 600, [u('plc.state', 'holding', null, null, 1), u('door.open', false, null, null, 2)]);
    const v = h.view(T0 + 700);
    expect(of(v, 'plc.state')).toEqual({
      name: 'plc.state',
      value: 'holding',
      lastT: T0 + 600,
      t: [],
      min: [],
      max: [],
      last: [],
      count: [],
    });
    expect(of(v, 'door.open')).toMatchObject({ value: false, min: [1, 0], max: [1, 0], last: [1, 0], count: [1, 2] });
    // Long after its last tick a text metric still has its latest value (a state sent on change).
    expect(of(h.view(T0 + 10 * LIVE_WINDOW_MS), 'plc.state')?.value).toBe('holding');
  });

  it('serves only the live window, and keeps at most HISTORY_BUCKETS buckets a metric', () => {
    const h = new MetricHistories();
    // 100 s of ticks at 15 a second, one metric counting up by one per tick.
    let n = 0;
    let t = T0;
    for (; t < T0 + 100_000; t += 1000 / 15, n++) h.add(t, [u('c', n, n, n, 1)]);
    const now = t;
    const c = of(h.view(now), 'c')!;
    expect(HISTORY_BUCKETS).toBe(LIVE_WINDOW_MS / HISTORY_BUCKET_MS + 1);
    expect(c.t.length).toBeLessThanOrEqual(HISTORY_BUCKETS);
    expect(c.t.length).toBeGreaterThanOrEqual(HISTORY_BUCKETS - 2);
    expect(c.t[0]!).toBeGreaterThanOrEqual(now - LIVE_WINDOW_MS);
    expect(c.t.at(-1)!).toBe(Math.round(now - 1000 / 15));
    // One bucket per slot, in order; the counter's values split into contiguous runs.
    for (let i = 1; i < c.t.length; i++) {
      expect(historyBucket(c.t[i]!)).toBe(historyBucket(c.t[i - 1]!) + 1);
      expect(c.min[i]).toBe(c.max[i - 1]! + 1);
    }
    for (let i = 0; i < c.t.length; i++) {
      expect(c.max[i]! - c.min[i]! + 1).toBe(c.count[i]);
      expect(c.last[i]).toBe(c.max[i]);
    }
    expect(c.value).toBe(n - 1);
    expect(h.sizes()).toEqual({ metrics: 1, buckets: HISTORY_BUCKETS, bytes: HISTORY_BUCKETS * 5 * 8 });
  });

  // What it costs in time is not asserted here (a wall-clock bound flakes on a busy machine); the
  // ui bench runs the same 500 metrics at 50,000 points/s against its frame-rate targets.
  it('500 metrics at 15 ticks a second for 75 s: about 2.4 MB, a full minute each, an answer under 6 MB', () => {
    const h = new MetricHistories();
    const names = Array.from({ length: 500 }, (_, i) => `demo.load.m${String(i).padStart(3, '0')}`);
    const ticks = 75 * 15;
    for (let k = 0; k < ticks; k++) {
      // What 50,000 points/s over 500 metrics makes of a tick: every metric, about 7 points each.
      const updates = names.map((name, i): MetricUpdate => [name, Math.sin(k + i), -1, 1, 7]);
      h.add(T0 + (k * 1000) / 15, updates);
    }
    const sizes = h.sizes();
    expect(sizes.metrics).toBe(500);
    expect(sizes.buckets).toBe(500 * HISTORY_BUCKETS);
    expect(sizes.bytes).toBe(500 * HISTORY_BUCKETS * 40); // 2.42 MB
    const view = h.view(T0 + (ticks * 1000) / 15);
    expect(view.bucketMs).toBe(HISTORY_BUCKET_MS);
    expect(view.metrics.every((m) => m.t.length >= HISTORY_BUCKETS - 2 && m.t.length <= HISTORY_BUCKETS)).toBe(true);
    // Values with all 17 digits: what a reloaded window receives stays well under the 8 MB the
    // headless link lets a window fall behind.
    expect(JSON.stringify(view).length).toBeLessThan(6_000_000);
  });

  it('more metrics than an answer holds at full resolution: buckets merged into wider ones, values kept', () => {
    const h = new MetricHistories();
    // 1,000 metrics over 61 s: more than an answer holds in 500 ms buckets.
    for (let k = 0; k < 61 * 15; k++) {
      const t = T0 + (k * 1000) / 15;
      h.add(
        t,
        Array.from({ length: 1000 }, (_, i): MetricUpdate => [`m${i}`, k, k, k, 1]),
      );
    }
    const now = T0 + 61_000;
    const v = h.view(now);
    expect(v.bucketMs).toBe(2 * HISTORY_BUCKET_MS);
    const buckets = v.metrics.reduce((a, m) => a + m.t.length, 0);
    expect(buckets).toBeLessThanOrEqual(MAX_ANSWER_BUCKETS);
    const m = of(v, 'm7')!;
    // One bucket per 1 s slot; each the contiguous run of ticks in it, as the fine buckets had them.
    for (let i = 0; i < m.t.length; i++) {
      if (i > 0) expect(historyBucket(m.t[i]!, v.bucketMs)).toBe(historyBucket(m.t[i - 1]!, v.bucketMs) + 1);
      expect(m.max[i]! - m.min[i]! + 1).toBe(m.count[i]);
      expect(m.last[i]).toBe(m.max[i]);
      if (i > 0) expect(m.min[i]).toBe(m.max[i - 1]! + 1);
    }
    expect(m.count.slice(1, -1).every((c) => c === 15)).toBe(true); // 15 ticks a second
    expect(m.max.at(-1)).toBe(61 * 15 - 1);
    // The answer stays a few MB whatever the number of metrics.
    expect(JSON.stringify(v).length).toBeLessThan(4_000_000);
  });

  it('keeps every bucket, each with its own values, through the ring’s growth (8 → 16 → 32)', () => {
    const h = new MetricHistories();
    const n = 20;
    for (let i = 0; i < n; i++)
      h.add(T0 + i * HISTORY_BUCKET_MS + 100, [u('g', i * 10, i * 10 - 1, i * 10 + 1, i + 1)]);
    const g = of(h.view(T0 + n * HISTORY_BUCKET_MS), 'g')!;
    const idx = Array.from({ length: n }, (_, i) => i);
    expect(g.t).toEqual(idx.map((i) => T0 + i * HISTORY_BUCKET_MS + 100));
    expect(g.last).toEqual(idx.map((i) => i * 10));
    expect(g.min).toEqual(idx.map((i) => i * 10 - 1));
    expect(g.max).toEqual(idx.map((i) => i * 10 + 1));
    expect(g.count).toEqual(idx.map((i) => i + 1));
    expect(h.sizes()).toEqual({ metrics: 1, buckets: n, bytes: 32 * 5 * 8 });
  });

  it('a metric seen once costs a small ring, not a full one', () => {
    const h = new MetricHistories();
    for (let i = 0; i < 1000; i++) h.add(T0, [u(`once.${i}`, i, i, i, 1)]);
    expect(h.sizes()).toEqual({ metrics: 1000, buckets: 1000, bytes: 1000 * 8 * 5 * 8 });
  });

  it('forgets a name, and the metrics of a retired prefix last seen before a time', () => {
    const h = new MetricHistories();
    h.add(T0, [u('psu.v', 1, 1, 1, 1), u('psu.i', 2, 2, 2, 1), u('psux.v', 3, 3, 3, 1)]);
    h.add(T0 + 2000, [u('psu.i', 2, 2, 2, 1)]);
    h.forget('psux.v');
    expect(h.retire('psu.', T0 + 1000)).toBe(1);
    expect(h.view(T0 + 2000).metrics.map((m) => m.name)).toEqual(['psu.i']);
    expect(h.retire('psu.', Infinity)).toBe(1);
    expect(h.view(T0 + 2000).metrics).toEqual([]);
  });

  it('a clock that jumps back starts the buckets again; one nudged back a little joins the newest', () => {
    const h = new MetricHistories();
    h.add(T0 + 5000, [u('m', 1, 1, 1, 1)]);
    h.add(T0 + 5600, [u('m', 2, 2, 2, 1)]);
    h.add(T0 + 5450, [u('m', 3, 3, 3, 1)]); // the previous bucket's slot: joins the newest
    expect(of(h.view(T0 + 6000), 'm')).toMatchObject({ t: [T0 + 5000, T0 + 5600], last: [1, 3], count: [1, 2] });
    h.add(T0 - 3_600_000, [u('m', 4, 4, 4, 1)]); // an hour back: the first clock sync
    expect(of(h.view(T0 - 3_599_000), 'm')).toMatchObject({ t: [T0 - 3_600_000], last: [4] });
  });
});

describe('RetiredSources', () => {
  const plugin = (name: string, config: Record<string, unknown>) =>
    ({ id: `id-${name}`, name, config }) as unknown as PluginView;
  const lists = (...plugins: PluginView[]) => ({ plugins, network: [], serial: [], cameras: [] });

  it('a removed source retires its prefix at once, and again after the grace for late ticks', () => {
    const calls: Array<[string, number]> = [];
    const r = new RetiredSources((prefix, before) => calls.push([prefix, before]));
    r.changed(lists(plugin('psu', {}), plugin('demo', {})), T0);
    r.changed(lists(plugin('demo', {})), T0 + 100);
    expect(calls).toEqual([['psu.', Infinity]]);
    r.due(T0 + 100 + 4999);
    expect(calls).toHaveLength(1);
    r.due(T0 + 100 + 5000);
    expect(calls).toEqual([
      ['psu.', Infinity],
      ['psu.', T0 + 100 + 1000],
    ]);
  });

  it('a reconfigured source retires what it did not write again within the grace', () => {
    const calls: Array<[string, number]> = [];
    const r = new RetiredSources((prefix, before) => calls.push([prefix, before]));
    r.changed(lists(plugin('demo', { metrics: 0 })), T0);
    r.changed(lists(plugin('demo', { metrics: 0 })), T0 + 50); // only its state changed
    r.changed(lists(plugin('demo', { metrics: 500 })), T0 + 100);
    r.due(T0 + 2000);
    expect(calls).toEqual([]);
    r.due(T0 + 5100);
    expect(calls).toEqual([['demo.', T0 + 100]]);
  });
});

describe('live.history from a real host', () => {
  it('serves the metrics the ticks carried: a counter’s buckets split it into contiguous runs; text keeps its latest', async () => {
    const h = await startHost();
    await call(h, 'demo.set', { enabled: false });
    const pty = await ptyPair(tempDir());
    await call(h, 'serial.add', { config: { name: 'plc', path: pty.host, baudRate: 115200, parser: 'jsonl' } });
    await until(() => h.state().serial[0]?.state === 'open', 10_000, 'the port to open');
    // 600 lines over about 3 s: n counts up, state says which write it came in.
    const writes = 30;
    const perWrite = 20;
    for (let w = 0; w < writes; w++) {
      let chunk = '';
      for (let i = 0; i < perWrite; i++) chunk += `{"n":${w * perWrite + i},"state":"batch-${w}"}\n`;
      writeAtOnce(pty.device, chunk);
      await sleep(100);
    }
    const total = writes * perWrite;
    await until(() => (h.state().serial[0]?.points ?? 0) >= total * 2, 10_000, 'every line recorded');
    await sleep(300); // the tick after the last point
    const history = await call(h, 'live.history', {});
    expect(history.t).toBeGreaterThan(0);
    expect(history.metrics.map((m) => m.name).sort()).toEqual(['plc.n', 'plc.state']);

    const n = of(history, 'plc.n')!;
    expect(n.value).toBe(total - 1);
    // About 3 s of data: 6 or more buckets, one per 500 ms slot, in order.
    expect(n.t.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < n.t.length; i++) expect(historyBucket(n.t[i]!)).toBeGreaterThan(historyBucket(n.t[i - 1]!));
    // The points arrive in order, so each bucket holds a contiguous run of n, and the runs follow
    // each other from 0 to the last: every point counted once.
    expect(n.min[0]).toBe(0);
    expect(n.max.at(-1)).toBe(total - 1);
    for (let i = 0; i < n.t.length; i++) {
      expect(n.max[i]! - n.min[i]! + 1).toBe(n.count[i]);
      expect(n.last[i]).toBe(n.max[i]);
      if (i > 0) expect(n.min[i]).toBe(n.max[i - 1]! + 1);
    }
    expect(n.count.reduce((a, b) => a + b, 0)).toBe(total);
    expect(n.lastT).toBe(n.t.at(-1));

    expect(of(history, 'plc.state')).toMatchObject({ value: `batch-${writes - 1}`, t: [], min: [], count: [] });

    // A payload of the wrong shape is refused in words, and the host goes on answering.
    const bad = await h.handle('live.history', { since: 5 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect((await h.handle('live.history', {})).ok).toBe(true);

    // The source goes: so does its history (a reload must not bring its tiles back).
    await call(h, 'serial.remove', { id: h.state().serial[0]!.id });
    expect((await call(h, 'live.history', {})).metrics.filter((m) => m.name.startsWith('plc.'))).toEqual([]);
  }, 60_000);

  it('500 metrics at 50,000 points/s: every one has its buckets, with the points the ticks carried', async () => {
    const h = await startHost(tempDir(), { demo: { metrics: 500, rate: 50_000 }, clientOptions: { apiKey: null } });
    await until(() => h.state().status.pointsPerSec > 20_000, 20_000, 'the load generator to run');
    // Until every metric has 3 buckets (1.5 s of ticks at least), however slow the machine.
    const isLoad = (m: { name: string }): boolean => m.name.startsWith('demo.load.');
    let history: Awaited<ReturnType<typeof call<'live.history'>>>;
    for (const t0 = Date.now(); ; await sleep(250)) {
      history = await call(h, 'live.history', {});
      const full = history.metrics.filter((m) => isLoad(m) && m.t.length >= 3).length;
      if (full === 500) break;
      if (Date.now() - t0 > 30_000) throw new Error(`after 30 s only ${full} of 500 metrics have 3 buckets`);
    }
    expect(history.bucketMs).toBe(HISTORY_BUCKET_MS);
    const load = history.metrics.filter(isLoad);
    expect(load.length).toBe(500);
    for (const m of load) {
      expect(m.t.length).toBeGreaterThanOrEqual(3);
      expect(m.t.length).toBeLessThanOrEqual(HISTORY_BUCKETS);
      expect(typeof m.value).toBe('number');
      for (let i = 0; i < m.t.length; i++) {
        expect(m.min[i]!).toBeLessThanOrEqual(m.last[i]!);
        expect(m.last[i]!).toBeLessThanOrEqual(m.max[i]!);
        expect(m.count[i]!).toBeGreaterThan(0);
      }
    }
    // What 500 metrics of a few seconds weigh on the wire (a reload asks once).
    expect(JSON.stringify(history).length).toBeLessThan(2_000_000);
  }, 60_000);
});
