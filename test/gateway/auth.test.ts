// The test gateway (test/support/gateway.ts) against raw clients; every client test trusts this fake,
// so each rule is checked in a way that would fail were it lenient.
// Device auth (first frame, keys and scopes, auth window, clock) and duplicate source names.

import { describe, it, expect, afterEach } from 'vitest';
import WebSocket from 'ws';
import { closeAll, gateway, sleep, open, auth, device, telemetry, pt, KEYS, type Frame } from './harness';

afterEach(closeAll);

describe('device auth', () => {
  it('answers authenticated with the name and the gateway clock, read just before writing', async () => {
    const gw = await gateway();
    const before = Date.now();
    const d = await device(gw, 'rig-01');
    const f = d.authenticated;
    expect(Object.keys(f).sort()).toEqual(['server_time_ms', 'source_id', 'type']);
    expect(f['source_id']).toBe('rig-01');
    expect(Number.isInteger(f['server_time_ms'])).toBe(true);
    expect(f['server_time_ms']).toBeGreaterThanOrEqual(before - 1);
    expect(f['server_time_ms']).toBeLessThanOrEqual(Date.now());
    expect(gw.auths.map((a) => a.outcome)).toEqual(['ok']);
    expect(gw.connectedSources()).toEqual(['rig-01']);
  });

  it('closes 1008 when no first message arrives within the auth window, not before', async () => {
    const gw = await gateway({ authTimeoutMs: 300 });
    const late = await open(gw.wsUrl);
    const t0 = performance.now();
    const { code } = await late.closed;
    const waited = performance.now() - t0;
    expect(code).toBe(1008);
    expect(waited).toBeGreaterThan(250);
    expect(waited).toBeLessThan(2000);
    expect(late.frames).toEqual([]);
    expect(gw.auths.at(-1)?.outcome).toBe('timeout');

    // Auth inside the window cancels the timer: the connection outlives it.
    const ok = await open(gw.wsUrl);
    await sleep(150);
    ok.send(auth('rig-02'));
    expect((await ok.next())['type']).toBe('authenticated');
    await sleep(400);
    expect(ok.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('rejects a first frame that is not a valid device_auth with the error frame and 1008', async () => {
    const gw = await gateway();
    const bad: Frame[] = [
      telemetry([pt('a', 1)]),
      { ...auth(), source_id: 'Rig-01' },
      { ...auth(), source_id: '' },
      { ...auth(), source_id: '-rig' },
      { ...auth(), source_id: 'r'.repeat(257) },
      { ...auth(), source_id: 5 },
      { type: 'device_auth', source_id: 'rig-01' },
      { ...auth(), api_key: 12 },
      { type: 'DEVICE_AUTH', api_key: 'k', source_id: 'rig-01' },
    ];
    for (const msg of bad) {
      const d = await open(gw.wsUrl);
      d.send(msg);
      expect(await d.next()).toEqual({ type: 'error', message: 'first message must be device_auth' });
      expect((await d.closed).code).toBe(1008);
    }
    expect(gw.auths.map((a) => a.outcome)).toEqual(bad.map(() => 'bad_first'));
    expect(gw.connectedSources()).toEqual([]);
    // The longest legal name is fine.
    const d = await device(gw, 'r'.repeat(256));
    expect(d.authenticated['source_id']).toHaveLength(256);
  });

  it('closes 1008 without a reply when the first frame is not a JSON object (Go Unmarshal fails)', async () => {
    const gw = await gateway();
    for (const text of ['hello', '[1,2]', '"device_auth"']) {
      const d = await open(gw.wsUrl);
      d.send(text);
      expect((await d.closed).code).toBe(1008);
      expect(d.frames).toEqual([]);
    }
  });

  it('checks keys and the write scope', async () => {
    const gw = await gateway({ apiKeys: KEYS });
    const bad = await open(gw.wsUrl);
    bad.send(auth('rig-01', 'nope'));
    expect(await bad.next()).toEqual({ type: 'error', message: 'Invalid API key' });
    expect((await bad.closed).code).toBe(1008);

    const ro = await open(gw.wsUrl);
    ro.send(auth('rig-01', 'ro'));
    expect(await ro.next()).toEqual({ type: 'error', message: 'API key lacks write scope' });
    expect((await ro.closed).code).toBe(1008);

    await device(gw, 'rig-01', 'star'); // "*" grants write
    await device(gw, 'rig-01', 'bare'); // no scopes recorded = full access
    await device(gw, 'rig-01', 'good');
    expect(gw.auths.map((a) => a.outcome)).toEqual(['bad_key', 'no_scope', 'ok', 'ok', 'ok']);
    // Same name in three orgs: three live connections, nobody evicted.
    expect(gw.connectedSources()).toEqual(['rig-01', 'rig-01', 'rig-01']);
    expect(gw.connections.every((c) => !c.evicted)).toBe(true);
  });

  it('reflects the clock skew in server_time_ms and now()', async () => {
    const gw = await gateway();
    gw.setClockSkew(3_600_000);
    const d = await device(gw);
    expect(d.authenticated['server_time_ms'] - Date.now()).toBeGreaterThan(3_600_000 - 1000);
    expect(d.authenticated['server_time_ms'] - Date.now()).toBeLessThanOrEqual(3_600_000);
    gw.setClockSkew(-5000);
    expect(gw.now() - Date.now()).toBeGreaterThanOrEqual(-5001);
    expect(gw.now() - Date.now()).toBeLessThanOrEqual(-4999);
  });
});

describe('duplicate names', () => {
  it('evicts the older connection by cutting its socket (1006, no close frame)', async () => {
    const gw = await gateway();
    const a = await device(gw, 'drone-01');
    const b = await device(gw, 'drone-01');
    expect(b.authenticated['source_id']).toBe('drone-01');
    expect((await a.closed).code).toBe(1006);
    expect(b.ws.readyState).toBe(WebSocket.OPEN);
    expect(gw.connections.map((c) => c.evicted)).toEqual([true, false]);
    await gw.waitFor(() => gw.connections[0]?.closeCode === 1006, 2000, 'close of the evicted connection');
    expect(gw.connectedSources()).toEqual(['drone-01']);
    // The survivor still delivers.
    b.send(telemetry([pt('x', 1)]));
    await b.sync();
    expect(gw.points.map((p) => p.sourceId)).toEqual(['drone-01']);
  });

  it('in legacy suffix mode assigns name_2, name_3 and keeps both', async () => {
    const gw = await gateway({ suffixDuplicates: true });
    const a = await device(gw, 'drone-01');
    const b = await device(gw, 'drone-01');
    const c = await device(gw, 'drone-01');
    expect([a, b, c].map((d) => d.authenticated['source_id'])).toEqual(['drone-01', 'drone-01_2', 'drone-01_3']);
    await sleep(50);
    expect(a.ws.readyState).toBe(WebSocket.OPEN);
    b.send(telemetry([pt('x', 1)]));
    await b.sync();
    expect(gw.points[0]?.sourceId).toBe('drone-01_2');
  });

  it('evict() cuts a device on demand', async () => {
    const gw = await gateway();
    const d = await device(gw);
    gw.evict('rig-01');
    expect((await d.closed).code).toBe(1006);
    expect(() => gw.evict('rig-01')).toThrow(/not connected/);
  });
});
