// Several WebSocket frames in flight (pump.ts): what the gateway sees, and that no guarantee is
// weakened — a refused frame in mid-window, a rate limit, a cut connection, and the silent 0.5 ms
// spacing drop, which only large frames (parsed for milliseconds by the gateway) may risk.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { KEY, clientFor, closeAll, gateway, sleep, until, waitForStatus } from '../helpers/plexus';
import { MIN_GAP_MS } from '../../src/main/plexus/session-life';
import { PIPELINE_MIN_POINTS } from '../../src/main/plexus/pump';
import type { Plexus } from '../../src/main/plexus';
import { Store } from '../../src/main/plexus/store';
import { Outbox } from '../../src/main/plexus/outbox';
import { DoneRanges } from '../../src/main/plexus/done-ranges';
import type { Batch } from '../../src/main/plexus/block';
import { tempDir } from '../helpers/tmp';
import type { RecordedMessage, TestGateway } from '../support/gateway';

afterEach(async () => {
  await closeAll();
});

const T0 = 1_767_225_600_000;

/** A client with `n` points buffered (explicit timestamps: nothing to restamp at the first sync). */
async function backlog(gw: TestGateway, n: number, dataDir?: string): Promise<Plexus> {
  const c = clientFor(gw, { apiKey: null, ...(dataDir ? { dataDir } : {}) });
  const chunk = 5000;
  for (let k = 0; k < n; k += chunk) {
    c.sendBatch(
      Array.from({ length: Math.min(chunk, n - k) }, (_, i) => ({ metric: 'p', value: k + i, timestamp: T0 + k + i })),
    );
    await c.persisted();
  }
  return c;
}

const telemetry = (gw: TestGateway): RecordedMessage[] => gw.messages.filter((m) => m.type === 'telemetry');

/** How often each value arrived. */
function arrivals(gw: TestGateway): Map<unknown, number> {
  const seen = new Map<unknown, number>();
  for (const p of gw.points) seen.set(p.value, (seen.get(p.value) ?? 0) + 1);
  return seen;
}

function expectExactlyOnce(gw: TestGateway, n: number, except: number[] = []): void {
  const seen = arrivals(gw);
  const missing: number[] = [];
  const twice: number[] = [];
  for (let v = 0; v < n; v++) {
    const k = seen.get(v) ?? 0;
    if (except.includes(v)) expect(k).toBe(0);
    else if (k === 0) missing.push(v);
    else if (k > 1) twice.push(v);
  }
  expect(missing).toEqual([]);
  expect(twice).toEqual([]);
}

describe('frames in flight', () => {
  it('drains a backlog with 3 full frames in flight, none dropped for spacing', async () => {
    const gw = await gateway();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    // A frozen link: the gateway reads nothing and writes nothing (no pong), so every frame the
    // client writes now stays in flight until the thaw.
    gw.freeze('rig-01');
    const N = 80_000;
    c.sendBatch(Array.from({ length: N }, (_, v) => ({ metric: 'p', value: v, timestamp: T0 + v })));
    await c.persisted();
    await sleep(500);
    // Thawing hands the gateway what it held, in order, at once (no latency): the frames it reads
    // in this call are those the client wrote with no pong back.
    const before = telemetry(gw).length;
    gw.thaw('rig-01');
    const held = telemetry(gw).slice(before);
    expect(held.map((m) => [m.outcome, m.points])).toEqual([
      ['accepted', 10_000],
      ['accepted', 10_000],
      ['accepted', 10_000],
    ]);
    expect((await c.flush({ timeoutMs: 30_000 })).delivered).toBe(true);
    expect(telemetry(gw).filter((m) => m.outcome !== 'accepted')).toEqual([]);
    expect(gw.counters.dropped).toEqual({});
    expectExactlyOnce(gw, N);
    expect(gw.points.map((p) => p.value)).toEqual([...Array(N).keys()]); // in order, too
    expect(c.stats().resent).toBe(0);
  }, 60_000);

  it('a bad point in the 2nd of 3 frames in flight: only that frame is split, the point quarantined', async () => {
    const gw = await gateway({ latencyMs: 20 });
    const N = 30_000;
    const BAD = 15_000;
    const first = await backlog(gw, N);
    const dir = first.dataDir;
    await first.close();
    // A point our checks let through but this gateway refuses (a rule added later, say): a text
    // value as a metric rejects the whole frame.
    const db = new Database(join(dir, 'buffer.db'));
    const rows = db.prepare('SELECT first_seq AS f, n, body FROM blocks ORDER BY first_seq').all() as Array<{
      f: number;
      n: number;
      body: Buffer;
    }>;
    const row = rows.find((r) => BAD + 1 >= r.f && BAD + 1 < r.f + r.n)!;
    const lines = row.body.toString('utf8').split('\n');
    lines[BAD + 1 - row.f] = `{"class":"metric","metric":"p","value":"bad","timestamp":${T0 + BAD}}`;
    const body = Buffer.from(lines.join('\n'));
    db.prepare('UPDATE blocks SET body = ?, bytes = ? WHERE first_seq = ?').run(body, body.length - row.n + 1, row.f);
    db.close();

    const c = clientFor(gw, { dataDir: dir });
    const quarantined: number[] = [];
    c.on('quarantined', (q) => quarantined.push(q.seq));
    expect((await c.flush({ timeoutMs: 30_000 })).delivered).toBe(true);
    expect(quarantined).toEqual([BAD + 1]);
    expect(c.stats().quarantined).toBe(1);
    const tm = telemetry(gw);
    // Frames 1 and 3 went whole and were taken; only frame 2 (and its halves) was refused.
    expect(tm.slice(0, 3).map((m) => [m.outcome, m.points])).toEqual([
      ['accepted', 10_000],
      ['invalid_message', 0],
      ['accepted', 10_000],
    ]);
    expect(tm.filter((m) => m.outcome === 'accepted' && m.points === 10_000)).toHaveLength(2);
    expect(tm.filter((m) => m.outcome === 'source_limited' || m.outcome === 'rate_limited')).toEqual([]);
    expectExactlyOnce(gw, N, [BAD]);
  }, 60_000);

  it('RATE_LIMITED in mid-window: the refused frames go again, nothing lost or doubled', async () => {
    const gw = await gateway({ latencyMs: 10, telemetryBucket: { capacity: 2, perSec: 4 } });
    const N = 70_000;
    const c = await backlog(gw, N);
    c.setApiKey(KEY);
    expect((await c.flush({ timeoutMs: 30_000 })).delivered).toBe(true);
    expect(telemetry(gw).some((m) => m.outcome === 'rate_limited')).toBe(true);
    expect(telemetry(gw).filter((m) => m.outcome === 'source_limited')).toEqual([]);
    expectExactlyOnce(gw, N);
    expect(c.bufferSize()).toBe(0);
  }, 60_000);

  it('the connection cut with 3 frames in flight: all of them go again, everything arrives', async () => {
    const gw = await gateway({ latencyMs: 100 });
    const N = 50_000;
    const c = await backlog(gw, N);
    // Cut while the gateway handles the first frame: its pong never leaves, and the frames queued
    // behind it are never read.
    let cutDone = false;
    const off = gw.on('point', () => {
      if (cutDone) return;
      cutDone = true;
      gw.cut('rig-01');
    });
    c.setApiKey(KEY);
    await until(() => cutDone, 10_000, 'the first frame at the gateway');
    off();
    expect((await c.flush({ timeoutMs: 30_000 })).delivered).toBe(true);
    const seen = arrivals(gw);
    for (let v = 0; v < N; v++) expect(seen.get(v) ?? 0).toBeGreaterThanOrEqual(1);
    const doubled = [...seen.values()].filter((k) => k > 1).length;
    // The first frame was taken before the cut but never confirmed: sent again (at-least-once).
    expect(doubled).toBe(10_000);
    // All three frames written before the cut were written again: three were in flight at once.
    expect(c.stats().resent).toBe(30_000);
    expect(telemetry(gw).filter((m) => m.outcome === 'source_limited')).toEqual([]);
  }, 60_000);

  it('small frames are never pipelined: each waits for the previous pong, then ≥ MIN_GAP_MS', async () => {
    for (const oneWay of [0, 10]) {
      const gw = await gateway({ latencyMs: oneWay });
      const c = clientFor(gw, { buffer: { commitIntervalMs: 1 } });
      await waitForStatus(c, 'connected');
      let i = 0;
      const producer = setInterval(() => {
        for (let k = 0; k < 40; k++) c.send('s', i++);
      }, 2);
      await until(() => i >= 20_000, 20_000, '20,000 points produced');
      clearInterval(producer);
      expect((await c.flush({ timeoutMs: 20_000 })).delivered).toBe(true);
      const tm = telemetry(gw);
      expect(tm.filter((m) => m.outcome !== 'accepted')).toEqual([]);
      expect(tm.length).toBeGreaterThan(20);
      // A small frame leaves ≥ MIN_GAP_MS after the previous pong, which left the gateway after
      // the previous frame: so ≥ a round trip + MIN_GAP_MS between the two at the gateway.
      const tooClose = tm
        .slice(1)
        .filter((m, k) => m.points < PIPELINE_MIN_POINTS && m.at - tm[k]!.at < 2 * oneWay + MIN_GAP_MS * 0.95);
      expect(tooClose).toEqual([]);
      expect(new Set(gw.points.map((p) => p.value)).size).toBe(i);
    }
  }, 90_000);

  it('the test gateway does drop a frame < 0.5 ms after the previous one, silently (a broken client)', async () => {
    const gw = await gateway();
    const ws = new WebSocket(gw.wsUrl, { perMessageDeflate: false });
    const received: string[] = [];
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(JSON.stringify({ type: 'device_auth', api_key: KEY, source_id: 'raw-01', platform: 'test' }));
      await new Promise((resolve) => ws.once('message', resolve));
      ws.on('message', (d: Buffer) => received.push(d.toString()));
      const frame = (v: number): string =>
        JSON.stringify({ type: 'telemetry', points: [{ class: 'metric', metric: 'x', value: v, timestamp: T0 }] });
      // Back to back, with no gap: the second one is processed well within 0.5 ms of the first.
      ws.send(frame(1));
      ws.send(frame(2));
      ws.ping(Buffer.from([0, 0, 0, 1]));
      await new Promise((resolve) => ws.once('pong', resolve));
    } finally {
      ws.close();
    }
    expect(telemetry(gw).map((m) => m.outcome)).toEqual(['accepted', 'source_limited']);
    expect(gw.points.map((p) => p.value)).toEqual([1]);
    expect(received).toEqual([]); // no error frame: the pong alone would have "confirmed" it
  });
});

describe('the cursor with confirmations out of order', () => {
  const values = (b: Batch): unknown[] =>
    (JSON.parse(`[${b.toJson('', '').toString()}]`) as Array<{ value: unknown }>).map((p) => p.value);
  const limits = { maxPoints: 1e9, maxBytes: 1e12, retainPoints: 0, retainBytes: 0, memBytes: 1e9 };

  it('moves over a contiguous prefix only; what was confirmed above it is not sent again, except after a crash', () => {
    const dir = tempDir();
    const store = new Store(join(dir, 'buffer.db'));
    const o = new Outbox(store, limits);
    for (let i = 0; i < 30; i++) o.append(`{"class":"metric","metric":"m","value":${i},"timestamp":1}`);
    o.commit();
    const a = o.takeBatch(10, 1e6)!;
    o.takeBatch(10, 1e6); // the second frame: refused, or lost
    const c = o.takeBatch(10, 1e6)!;
    o.confirm(c); // the third frame's pong, while the first two are still unsettled
    expect(o.confirmedSeq).toBe(0);
    expect(o.size).toBe(20);
    o.confirm(a);
    expect(o.confirmedSeq).toBe(10);
    o.commit(); // cursor persisted at 10
    // b was refused (or lost): only b goes again, c stays confirmed.
    o.rewind();
    const again = o.takeBatch(100, 1e6)!;
    expect(values(again)).toEqual([...Array(10).keys()].map((i) => i + 10));
    expect(o.takeBatch(100, 1e6)).toBeNull();
    expect(o.counts.delivered).toBe(20);
    // The process dies before b is confirmed: c was confirmed in RAM only, so it goes again too.
    store.close();
    const store2 = new Store(join(dir, 'buffer.db'));
    try {
      const o2 = new Outbox(store2, limits);
      expect(o2.size).toBe(20);
      expect(values(o2.takeBatch(100, 1e6)!)).toEqual([...Array(20).keys()].map((i) => i + 10));
    } finally {
      store2.close();
    }
  });

  it('a point quarantined above a gap does not move the cursor past the gap', () => {
    const store = new Store(join(tempDir(), 'buffer.db'));
    try {
      const o = new Outbox(store, limits);
      for (let i = 0; i < 10; i++) o.append(`{"class":"metric","metric":"m","value":${i},"timestamp":1}`);
      o.commit();
      const a = o.takeBatch(5, 1e6)!;
      const b = o.takeBatch(5, 1e6)!;
      const bad = b.slice(2, 3).only();
      o.quarantine(bad.seq, bad.line, 'rejected'); // a (seqs 1–5) is not settled yet
      expect(o.confirmedSeq).toBe(0);
      o.confirm(b.slice(0, 2));
      o.confirm(b.slice(3, 5));
      expect(o.confirmedSeq).toBe(0);
      o.confirm(a);
      expect(o.confirmedSeq).toBe(10);
      expect(o.size).toBe(0);
      expect(o.counts.delivered).toBe(9);
    } finally {
      store.close();
    }
  });

  it('DoneRanges merges neighbours and hands the cursor a contiguous prefix', () => {
    const d = new DoneRanges();
    d.add(11, 20);
    d.add(31, 40);
    d.add(21, 25); // touches 11–20
    expect(d.count(1, 100)).toBe(25);
    expect(d.at(26)).toEqual([31, 40]);
    expect(d.advance(5)).toBe(5); // 6–10 still open
    expect(d.advance(10)).toBe(25);
    d.add(26, 30);
    expect(d.advance(25)).toBe(40);
    expect(d.empty).toBe(true);
  });
});
