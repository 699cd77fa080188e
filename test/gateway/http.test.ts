// The test gateway (test/support/gateway.ts) against raw clients; every client test trusts this fake,
// so each rule is checked in a way that would fail were it lenient.
// HTTP /ingest: counts, validation, keys, gzip, size limits, per-source interval, forced status.

import { describe, it, expect, afterEach } from 'vitest';
import { gzipSync } from 'node:zlib';
import { closeAll, gateway, pt, post, KEYS } from './harness';

afterEach(closeAll);

describe('HTTP /ingest', () => {
  it('accepts points: count, source_id echo, class inference, seconds scaled to ms', async () => {
    const gw = await gateway();
    const r = await post(gw, {
      source_id: 'rig-01',
      points: [
        pt('t', 1.5, { timestamp: 1767225600000 }),
        pt('state', 'RUNNING', { timestamp: 1767225600.5 }),
        pt('z', 0, { timestamp: 0 }),
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ success: true, count: 3, source_id: 'rig-01' });
    expect(gw.points.map((p) => [p.via, p.class, p.timestamp])).toEqual([
      ['http', 'metric', 1767225600000],
      ['http', 'event', 1767225600500],
      ['http', 'metric', 0],
    ]);
    expect(gw.httpRequests.at(-1)).toMatchObject({ status: 200, points: 3, gzip: false });
  });

  it('lets a per-point source_id override the top-level one (no echo for several sources)', async () => {
    const gw = await gateway();
    const r = await post(gw, {
      source_id: 'a',
      points: [pt('m', 1), pt('m', 2, { source_id: 'b' }), pt('m', 3, { source_id: 7 })],
    });
    expect(r.json).toEqual({ success: true, count: 3 });
    expect(gw.points.map((p) => p.sourceId)).toEqual(['a', 'a', 'b']);
    expect(gw.points.every((p) => !('source_id' in p.raw))).toBe(true);
  });

  it('answers empty points with 200 count 0', async () => {
    const gw = await gateway();
    const r = await post(gw, { source_id: 'rig-01', points: [] });
    expect(r).toMatchObject({ status: 200, json: { success: true, count: 0 } });
  });

  it('rejects bad requests with 400 and the gateway text', async () => {
    const gw = await gateway();
    const many = Array.from({ length: 10_001 }, () => pt('m', 1));
    const cases: Array<[unknown, string]> = [
      ['not json', 'invalid JSON body'],
      ['', 'invalid JSON body'],
      ['[]', 'invalid JSON body'],
      [{ points: [1] }, 'invalid JSON body'],
      [{ points: 'x' }, 'invalid JSON body'],
      [{ source_id: 5, points: [] }, 'invalid JSON body'],
      [{}, "'points' array is required"],
      [{ points: null }, "'points' array is required"],
      [{ source_id: 'a', points: many }, 'too many points: 10001 (max 10000)'],
      [
        { source_id: 'a', points: [pt('m', 1), pt('m', 2), pt('m', 'x', { class: 'metric' })] },
        'points[2].value must be a number for class=metric',
      ],
      [{ points: [pt('m', 1)] }, 'points[0] missing source_id (set top-level source_id or per-point source_id)'],
      [{ source_id: 'Bad', points: [pt('m', 1)] }, 'points[0] source_id must match ^[a-z0-9][a-z0-9._-]*$'],
      [{ source_id: 'a', points: [pt('m', 1), null] }, 'points[1] is null'],
      [{ source_id: 'a', points: [pt('m', 1, { timestamp: 'now' })] }, 'points[0].timestamp must be a number'],
    ];
    for (const [body, error] of cases) {
      const r = await post(gw, body);
      expect([r.status, r.json]).toEqual([400, { error }]);
    }
    expect(gw.points).toEqual([]);
    // Go's json.Decoder reads only the first value: trailing bytes are ignored.
    expect((await post(gw, '{"source_id":"a","points":[{"metric":"m","value":1}]} trailing')).status).toBe(200);
  });

  it('answers 401 without or with an unknown key, 403 without write scope', async () => {
    const gw = await gateway({ apiKeys: KEYS });
    const body = { source_id: 'a', points: [pt('m', 1)] };
    expect(await post(gw, body, { key: null })).toMatchObject({ status: 401, json: { error: 'missing x-api-key' } });
    expect(await post(gw, body, { key: 'nope' })).toMatchObject({ status: 401, json: { error: 'invalid API key' } });
    expect(await post(gw, body, { key: 'ro' })).toMatchObject({
      status: 403,
      json: { error: 'API key lacks write scope' },
    });
    expect(await post(gw, body, { key: 'good' })).toMatchObject({ status: 200 });
    expect(gw.points.map((p) => p.org)).toEqual(['org-a']);
  });

  it('accepts gzip, rejects a bad gzip body with 400', async () => {
    const gw = await gateway();
    const r = await post(gw, { source_id: 'a', points: [pt('m', 1), pt('n', 2)] }, { gzip: true });
    expect(r).toMatchObject({ status: 200, json: { count: 2 } });
    expect(gw.httpRequests.at(-1)?.gzip).toBe(true);
    const bad = await post(gw, { source_id: 'a', points: [pt('m', 1)] }, { gzip: true, raw: true });
    expect(bad).toMatchObject({ status: 400, json: { error: 'invalid gzip body' } });
  });

  it('answers 413 over 5 MiB: raw, compressed, and decompressed', async () => {
    const gw = await gateway();
    const MiB5 = 5 * 1024 * 1024;
    const bodyOf = (size: number): Buffer => {
      const head = '{"source_id":"a","points":[{"metric":"m","value":1}],"pad":"';
      return Buffer.from(`${head}${'x'.repeat(size - head.length - 2)}"}`);
    };
    const tooLarge = { status: 413, json: { error: `payload too large (max ${MiB5} bytes)` } };
    expect(await post(gw, bodyOf(MiB5))).toMatchObject({ status: 200 });
    expect(await post(gw, bodyOf(MiB5 + 1))).toMatchObject(tooLarge);

    // Stored (level 0) gzip: the compressed body is over 5 MiB although it inflates to less.
    const inner = bodyOf(MiB5 - 200);
    const stored = gzipSync(inner, { level: 0 });
    expect(stored.length).toBeGreaterThan(MiB5);
    expect(await post(gw, stored, { gzip: true, raw: true })).toMatchObject(tooLarge);

    // A small gzip body that inflates past 5 MiB.
    const bomb = gzipSync(bodyOf(MiB5 + 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(100_000);
    expect(await post(gw, bomb, { gzip: true, raw: true })).toMatchObject(tooLarge);
    expect(gw.points).toHaveLength(1);
  });

  it('drops the group of a source that sent < min interval ago, with a smaller count', async () => {
    const gw = await gateway({ sourceMinIntervalMs: 1000 });
    expect((await post(gw, { points: [pt('m', 1, { source_id: 'a' }), pt('m', 2, { source_id: 'b' })] })).json).toEqual(
      {
        success: true,
        count: 2,
      },
    );
    const r = await post(gw, {
      points: [pt('m', 3, { source_id: 'a' }), pt('m', 4, { source_id: 'a' }), pt('m', 5, { source_id: 'c' })],
    });
    expect(r).toMatchObject({ status: 200, json: { success: true, count: 1 } });
    expect(gw.points.map((p) => p.value)).toEqual([1, 2, 5]);
    expect(gw.counters.dropped['http_source_limited']).toBe(2);
    // Single source dropped entirely: 200, count 0, source_id still echoed.
    expect((await post(gw, { source_id: 'c', points: [pt('m', 6)] })).json).toEqual({
      success: true,
      count: 0,
      source_id: 'c',
    });
  });

  it('answers a forced status without recording, until cleared', async () => {
    const gw = await gateway();
    gw.forceHttpStatus(502, { error: 'bad gateway' });
    const r = await post(gw, { source_id: 'a', points: [pt('m', 1)] });
    expect(r).toMatchObject({ status: 502, json: { error: 'bad gateway' } });
    gw.forceHttpStatus(500);
    expect((await post(gw, { source_id: 'a', points: [pt('m', 1)] })).status).toBe(500);
    expect(gw.points).toEqual([]);
    expect(gw.httpRequests.map((h) => h.forced)).toEqual([true, true]);
    gw.forceHttpStatus(null);
    expect((await post(gw, { source_id: 'a', points: [pt('m', 1)] })).status).toBe(200);
    expect(gw.points).toHaveLength(1);
  });
});
