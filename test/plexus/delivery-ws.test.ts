// Delivery over the WebSocket against the test gateway on loopback: what arrives, how it is
// framed, and that nothing is lost when the gateway goes away.
import { afterAll, describe, expect, it } from 'vitest';
import { clientFor, closeAll, gateway, sleep, until, waitForStatus } from '../helpers/plexus';
import type { Status } from '../../src/main/plexus';

// Every case has a gateway and a client of its own: they run side by side (the 10 s outage would
// otherwise be waited for alone), and everything is closed once at the end.
afterAll(async () => {
  await closeAll();
});

describe.concurrent('WebSocket delivery', () => {
  it('connects, and points arrive with the right class, tags and timestamps', async () => {
    const gw = await gateway();
    const c = clientFor(gw);
    const statuses: Status[] = [];
    c.on('status', (s) => statuses.push(s.status));
    await waitForStatus(c, 'connected');
    c.send('battery.v', 12.41, { tags: { pack: 'A' } });
    c.send('state', 'RUNNING');
    c.send('armed', false);
    c.event('fault', { code: 7, text: 'E-stop' });
    c.send('t', 1.5, { timestamp: 1767225600123 });
    const r = await c.flush();
    expect(r).toEqual({ delivered: true, pending: 0 });
    expect(statuses).toEqual(['connecting', 'connected']);
    const byMetric = Object.fromEntries(gw.points.map((p) => [p.metric, p]));
    expect(byMetric['battery.v']).toMatchObject({
      class: 'metric',
      value: 12.41,
      tags: { pack: 'A' },
      via: 'ws',
      sourceId: 'rig-01',
    });
    // The Python SDK sends strings as metrics and the gateway drops the whole frame; we send events.
    expect(byMetric.state).toMatchObject({ class: 'event', value: 'RUNNING' });
    expect(byMetric.armed).toMatchObject({ class: 'event', value: false });
    expect(byMetric.fault).toMatchObject({ class: 'event', value: { code: 7, text: 'E-stop' } });
    expect(byMetric.t!.timestamp).toBe(1767225600123);
    const ts = byMetric['battery.v']!.timestamp!;
    expect(Number.isInteger(ts)).toBe(true);
    expect(Math.abs(ts - gw.now())).toBeLessThan(2000);
    expect(c.bufferSize()).toBe(0);
    expect(gw.counters.dropped).toEqual({});
  });

  it('keeps points until the gateway confirms them, and sends them when it comes back', async () => {
    const gw = await gateway();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    await gw.down();
    await waitForStatus(c, 'offline');
    for (let i = 0; i < 100; i++) c.send('kept', i);
    await c.persisted();
    expect(c.bufferSize()).toBe(100);
    expect(c.status().message).toMatch(/Offline — 100 points kept/);
    await gw.up();
    await waitForStatus(c, 'connected', 10_000);
    expect((await c.flush()).delivered).toBe(true);
    expect(gw.points.filter((p) => p.metric === 'kept').map((p) => p.value)).toEqual([...Array(100).keys()]);
  });

  it('loses nothing when the gateway goes down for 10 s mid-stream', async () => {
    const gw = await gateway();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    let i = 0;
    // A steady producer (2,000 points/s nominal; a loaded machine runs it slower). Each phase
    // ends on a count, not on a time: streaming before the outage, 10 s down, streaming after.
    const producer = setInterval(() => {
      for (let k = 0; k < 20; k++) c.send('stream', i++);
    }, 10);
    const delivered = (): number => gw.points.filter((p) => p.metric === 'stream').length;
    await until(() => delivered() >= 2000, 15_000, '2,000 points delivered before the outage');
    await gw.down();
    const downAt = i;
    await sleep(10_000);
    expect(c.status().status).toBe('offline');
    const producedWhileDown = i - downAt;
    expect(producedWhileDown).toBeGreaterThan(1000); // the outage was mid-stream
    expect(c.bufferSize()).toBeGreaterThan(producedWhileDown - 200);
    await gw.up();
    const upAt = i;
    // Streaming goes on after the return, and the gateway receives points sent after it.
    await until(
      () => gw.points.some((p) => p.metric === 'stream' && (p.value as number) >= upAt + 2000),
      20_000,
      'points produced after the return to arrive',
    );
    clearInterval(producer);
    const total = i;
    const r = await c.flush({ timeoutMs: 10_000 });
    expect(r.delivered).toBe(true);
    const seen = new Set<number>();
    let dup = 0;
    for (const p of gw.points) {
      if (p.metric !== 'stream') continue;
      if (seen.has(p.value as number)) dup++;
      seen.add(p.value as number);
    }
    expect(seen.size).toBe(total); // zero lost
    // A frame in flight when the gateway died may come twice; the client counts what it re-sent.
    expect(dup).toBeLessThanOrEqual(c.stats().resent);
  }, 60_000);

  it('never exceeds 10,000 points or 1 MiB in one frame', async () => {
    const gw = await gateway();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    c.sendBatch(Array.from({ length: 25_000 }, (_, k) => ({ metric: 'n', value: k })));
    for (let k = 0; k < 600; k++) c.event('big', { k, pad: 'x'.repeat(4000) });
    expect((await c.flush({ timeoutMs: 20_000 })).delivered).toBe(true);
    const tele = gw.messages.filter((m) => m.type === 'telemetry');
    expect(tele.every((m) => m.outcome === 'accepted')).toBe(true);
    expect(Math.max(...tele.map((m) => m.points))).toBeLessThanOrEqual(10_000);
    expect(Math.max(...tele.map((m) => m.bytes))).toBeLessThan(1_048_576);
    expect(tele.filter((m) => m.bytes > 900_000).length).toBeGreaterThan(0); // the big events did fill frames
    expect(gw.connections.filter((x) => x.closeCode !== undefined)).toEqual([]); // no frame was too big
    expect(gw.points.every((p) => p.via === 'ws')).toBe(true);
    expect(gw.points.filter((p) => p.metric === 'n')).toHaveLength(25_000);
    expect(gw.points.filter((p) => p.metric === 'big')).toHaveLength(600);
  });

  it('coalesces: a 20,000 points/s stream goes out in few frames, never closer than 0.5 ms', async () => {
    const gw = await gateway();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    let i = 0;
    const t0 = performance.now();
    const t = setInterval(() => {
      for (let k = 0; k < 20; k++) c.send('fast', i++);
    }, 1);
    await sleep(2000);
    clearInterval(t);
    await c.flush();
    const seconds = (performance.now() - t0) / 1000; // the sleep may have run long on a loaded machine
    const tele = gw.messages.filter((m) => m.type === 'telemetry');
    expect(gw.points.filter((p) => p.metric === 'fast')).toHaveLength(i);
    expect(tele.every((m) => m.outcome === 'accepted')).toBe(true); // no rate limit, no silent spacing drop
    expect(tele.length / seconds).toBeLessThan(400); // frames per second, far below the 500/s bucket
  });

  it('an INVALID_MESSAGE frame is split until the gateway takes it, without losing points', async () => {
    // A gateway configured for 100 points per message rejects our 10,000-point frames whole.
    const gw = await gateway({ maxPointsPerMessage: 100 });
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    c.sendBatch(Array.from({ length: 1000 }, (_, k) => ({ metric: 'split', value: k })));
    expect((await c.flush({ timeoutMs: 10_000 })).delivered).toBe(true);
    expect(gw.messages.some((m) => m.outcome === 'invalid_message')).toBe(true);
    expect(gw.points.map((p) => p.value)).toEqual([...Array(1000).keys()]);
    expect(c.stats().quarantined).toBe(0);
  });

  it('RATE_LIMITED frames are sent again, not lost', async () => {
    const gw = await gateway({ telemetryBucket: { capacity: 3, perSec: 5 } });
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    for (let k = 0; k < 10; k++) {
      c.send('rl', k);
      await c.persisted();
      await sleep(8);
    }
    expect((await c.flush({ timeoutMs: 15_000 })).delivered).toBe(true);
    expect(gw.messages.some((m) => m.outcome === 'rate_limited')).toBe(true);
    expect([...new Set(gw.points.map((p) => p.value))].sort((a, b) => (a as number) - (b as number))).toEqual([
      ...Array(10).keys(),
    ]);
  });

  it('REDIS_UNAVAILABLE (close 1013, then 503 on upgrade) loses nothing', async () => {
    const gw = await gateway();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    gw.setRedisDown(true);
    for (let k = 0; k < 50; k++) c.send('r', k);
    await until(() => gw.messages.some((m) => m.outcome === 'redis_unavailable'), 3000, 'REDIS_UNAVAILABLE');
    await waitForStatus(c, 'offline');
    expect(c.bufferSize()).toBe(50);
    gw.setRedisDown(false);
    expect((await c.flush({ timeoutMs: 10_000 })).delivered).toBe(true);
    expect(gw.points.map((p) => p.value)).toEqual([...Array(50).keys()]);
  });

  it('sends a heartbeat with uptime_s', async () => {
    const gw = await gateway();
    const c = clientFor(gw, { heartbeatIntervalMs: 200 });
    await waitForStatus(c, 'connected');
    await until(() => gw.heartbeats.length >= 3, 3000, '3 heartbeats');
    const hb = gw.heartbeats.at(-1)!;
    expect(typeof hb.uptime_s).toBe('number');
    expect(gw.heartbeats.every((h) => h.sourceId === 'rig-01')).toBe(true);
  });

  it('tags every point of a run with run_id and marks its start and end', async () => {
    const gw = await gateway();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    c.send('before', 1);
    const run = c.startRun('thermal-cycle-003');
    c.send('during', 2);
    c.event('marker', 'valve opened');
    c.sendBatch({ a: 1, b: 2 }, { tags: { zone: 'z1' } });
    c.endRun();
    c.send('after', 3);
    await c.withRun('scoped', async () => {
      c.send('inside', 4);
    });
    expect((await c.flush()).delivered).toBe(true);
    const by = (m: string) => gw.points.find((p) => p.metric === m)!;
    expect(by('before').tags).toBeUndefined();
    expect(by('during').tags).toEqual({ run_id: run.id });
    expect(by('marker').tags).toEqual({ run_id: run.id });
    expect(by('a').tags).toEqual({ zone: 'z1', run_id: run.id });
    expect(by('after').tags).toBeUndefined();
    expect(by('inside').tags!.run_id).toMatch(/^scoped-/);
    expect(by('run.start')).toMatchObject({
      class: 'event',
      value: { name: 'thermal-cycle-003' },
      tags: { run_id: run.id },
    });
    const end = gw.points.find((p) => p.metric === 'run.end' && p.tags?.run_id === run.id)!;
    expect(end.value).toMatchObject({ name: 'thermal-cycle-003', points: 6 });
    const runs = c.runs();
    expect(runs.map((r) => r.name)).toEqual(['scoped', 'thermal-cycle-003']);
    expect(runs[1]).toMatchObject({ id: run.id, points: 6 });
  });

  it('close() flushes first', async () => {
    const gw = await gateway();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    for (let k = 0; k < 500; k++) c.send('last', k);
    await c.close();
    expect(gw.points.filter((p) => p.metric === 'last')).toHaveLength(500);
    expect(() => c.send('x', 1)).toThrow(/closed/);
  });
});
