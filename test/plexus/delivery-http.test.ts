// HTTP delivery (POST /ingest): fallback when the socket is unavailable, forced HTTP, and every
// status the gateway can answer — against the test gateway on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { clientFor, closeAll, gateway, sleep, until, waitForStatus } from '../helpers/plexus';
import type { PlexusError } from '../../src/main/plexus';

afterEach(async () => {
  await closeAll();
});

/** A WS URL nothing listens on: the socket is unavailable, HTTP works. */
const DEAD_WS = 'ws://127.0.0.1:9/ws/device';

describe('HTTP delivery', () => {
  it('falls back to HTTP when the WebSocket is unavailable, gzipping bodies over 1 KiB', async () => {
    const gw = await gateway();
    const c = clientFor(gw, { gatewayWsUrl: DEAD_WS });
    c.send('small', 1);
    await waitForStatus(c, 'http-fallback');
    expect(c.status().message).toMatch(/HTTP fallback/);
    expect(c.status().transport).toBe('http');
    for (let i = 0; i < 200; i++) c.send('bulk', i, { tags: { i: String(i) } });
    expect((await c.flush()).delivered).toBe(true);
    expect(gw.points.filter((p) => p.metric === 'bulk').map((p) => p.value)).toEqual([...Array(200).keys()]);
    expect(gw.points.every((p) => p.via === 'http')).toBe(true);
    const reqs = gw.httpRequests.filter((r) => r.status === 200);
    expect(reqs.some((r) => r.gzip && r.points >= 100)).toBe(true);
    expect(reqs.some((r) => !r.gzip && r.points === 1)).toBe(true); // a tiny body goes uncompressed
  });

  it("transport 'http' never opens a WebSocket", async () => {
    const gw = await gateway();
    const c = clientFor(gw, { transport: 'http' });
    for (let i = 0; i < 10; i++) c.send('h', i);
    expect((await c.flush()).delivered).toBe(true);
    expect(c.status()).toMatchObject({ status: 'connected', transport: 'http' });
    expect(gw.connections).toHaveLength(0);
    expect(gw.auths).toHaveLength(0);
    expect(gw.points.map((p) => p.value)).toEqual([...Array(10).keys()]);
  });

  it('chunks requests to ≤ 10,000 points', async () => {
    const gw = await gateway();
    const c = clientFor(gw, { transport: 'http' });
    c.sendBatch(Array.from({ length: 23_456 }, (_, k) => ({ metric: 'c', value: k })));
    expect((await c.flush({ timeoutMs: 20_000 })).delivered).toBe(true);
    expect(Math.max(...gw.httpRequests.map((r) => r.points))).toBeLessThanOrEqual(10_000);
    expect(gw.points).toHaveLength(23_456);
  });

  it('401/403 stop sending without losing the buffer; a new key ships it', async () => {
    const gw = await gateway({
      apiKeys: { good: { org: 'o', scopes: ['write'] }, readonly: { org: 'o', scopes: ['read'] } },
    });
    for (const [key, status] of [
      ['bad', 401],
      ['readonly', 403],
    ] as const) {
      const c = clientFor(gw, { transport: 'http', apiKey: key });
      const errors: PlexusError[] = [];
      c.on('error', (e) => errors.push(e));
      for (let i = 0; i < 20; i++) c.send('k', i);
      await waitForStatus(c, 'auth-failed');
      expect(c.status().message).toMatch(/API key rejected/);
      expect(errors.some((e) => e.name === 'AuthError' && e.message.includes(String(status)))).toBe(true);
      const requests = gw.httpRequests.length;
      await sleep(500);
      expect(gw.httpRequests.length).toBe(requests); // stopped, not looping
      expect(c.bufferSize()).toBe(20);
      c.setApiKey('good');
      expect((await c.flush()).delivered).toBe(true);
      expect(c.bufferSize()).toBe(0);
    }
    expect(gw.points.filter((p) => p.metric === 'k')).toHaveLength(40);
  });

  it('a key refused on the WebSocket gives auth-failed and keeps everything', async () => {
    const gw = await gateway({
      apiKeys: { good: { org: 'o', scopes: ['write'] }, readonly: { org: 'o', scopes: ['read'] } },
    });
    const c = clientFor(gw, { apiKey: 'readonly' });
    for (let i = 0; i < 5; i++) c.send('w', i);
    await waitForStatus(c, 'auth-failed');
    expect(c.status().detail).toMatch(/lacks write scope/);
    await c.persisted();
    expect(c.bufferSize()).toBe(5);
    const auths = gw.auths.length;
    await sleep(400);
    expect(gw.auths.length).toBe(auths);
    c.setApiKey('good');
    await waitForStatus(c, 'connected');
    expect((await c.flush()).delivered).toBe(true);
    expect(gw.points.map((p) => p.value)).toEqual([0, 1, 2, 3, 4]);
  });

  it('a 400 quarantines the rejected points (kept on disk, reported) and never loops', async () => {
    const gw = await gateway();
    const c = clientFor(gw, { transport: 'http' });
    const quarantined: string[] = [];
    c.on('quarantined', (q) => quarantined.push(q.line));
    await c.flush();
    gw.forceHttpStatus(400, { error: 'points[0].value must be a number for class=metric' });
    for (let i = 0; i < 4; i++) c.send('q', i);
    await until(() => quarantined.length === 4, 5000, '4 quarantined points');
    // The batch was split in halves until each point stood alone: 1 + 2 + 4 requests, then quiet.
    await sleep(300);
    expect(gw.httpRequests.filter((r) => r.forced)).toHaveLength(7);
    expect(c.bufferSize()).toBe(0);
    expect(c.stats().quarantined).toBe(4);
    gw.forceHttpStatus(null);
    c.send('after', 1);
    expect((await c.flush()).delivered).toBe(true);
    expect(gw.points.map((p) => p.metric)).toEqual(['after']);
    const db = new Database(join(c.dataDir, 'buffer.db'), { readonly: true });
    const rows = db.prepare('SELECT line, reason FROM quarantine ORDER BY seq').all() as Array<{
      line: string;
      reason: string;
    }>;
    db.close();
    expect(rows.map((r) => JSON.parse(r.line).value)).toEqual([0, 1, 2, 3]);
    expect(rows[0]!.reason).toContain('400');
  });

  it('a 413 splits the request', async () => {
    const gw = await gateway();
    const c = clientFor(gw, { transport: 'http' });
    await c.flush();
    gw.forceHttpStatus(413, { error: 'payload too large' });
    for (let i = 0; i < 8; i++) c.send('big', i);
    await until(
      () => gw.httpRequests.filter((r) => r.forced && r.requestedPoints === 1).length > 0,
      5000,
      'a 1-point request',
    );
    const sizes = gw.httpRequests.filter((r) => r.forced).map((r) => r.requestedPoints);
    expect(sizes.slice(0, 3)).toEqual([8, 4, 2]);
  });

  it('5xx and network errors are retried with backoff until delivered', async () => {
    const gw = await gateway();
    const c = clientFor(gw, { transport: 'http', httpRetry: { baseMs: 50, capMs: 400, jitter: 0 } });
    await c.flush();
    gw.forceHttpStatus(503, { error: 'gateway degraded: redis unavailable' });
    for (let i = 0; i < 30; i++) c.send('r', i);
    await waitForStatus(c, 'offline');
    expect(c.status().message).toMatch(/Offline — 30 points kept/);
    // Seven tries, however long a loaded machine takes: their gaps are 50, 100, 200, 400, 400, 400 ms
    // (no jitter). A machine can only lengthen a gap, so each is at least its nominal wait (less
    // 5 ms for timer rounding); and once capped, the waits stop growing: of the two after the cap
    // was reached, at least one is well under the next doubling (800 ms).
    const forced = () => gw.httpRequests.filter((r) => r.forced);
    await until(() => forced().length >= 7, 15_000, 'seven tries');
    const at = forced().map((r) => r.at);
    const gaps = at.slice(1, 7).map((t, i) => t - at[i]!);
    [50, 100, 200, 400, 400, 400].forEach((nominal, i) =>
      expect(gaps[i], `gap ${i + 1}`).toBeGreaterThanOrEqual(nominal - 5),
    );
    expect(Math.min(gaps[4]!, gaps[5]!)).toBeLessThan(800); // capped, not growing
    gw.forceHttpStatus(null);
    expect((await c.flush({ timeoutMs: 5000 })).delivered).toBe(true);
    expect(gw.points.map((p) => p.value)).toEqual([...Array(30).keys()]);
    await gw.down();
    c.send('net', 1);
    await waitForStatus(c, 'offline');
    await gw.up();
    expect((await c.flush({ timeoutMs: 5000 })).delivered).toBe(true);
  });

  it("a short count (the gateway's per-source ceiling) is sent again, not taken as delivered", async () => {
    // A 20 ms ceiling makes the gateway drop back-to-back requests silently with a 200 and count 0.
    const gw = await gateway({ sourceMinIntervalMs: 20 });
    const c = clientFor(gw, { transport: 'http' });
    for (let i = 0; i < 40; i++) {
      c.send('s', i);
      await c.persisted();
      await sleep(2);
    }
    expect((await c.flush({ timeoutMs: 10_000 })).delivered).toBe(true);
    expect(gw.httpRequests.some((r) => r.status === 200 && r.points < r.requestedPoints)).toBe(true);
    expect(gw.points.map((p) => p.value)).toEqual([...Array(40).keys()]);
  });
});
