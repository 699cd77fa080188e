// Proves that the test gateway (test/support/gateway.ts) enforces the Plexus gateway's rules, with
// raw `ws` clients and fetch against a real loopback server. Every client test trusts this fake,
// so each rule here is checked in a way that would fail if the fake were lenient.

import { describe, it, expect, afterEach } from 'vitest';
import WebSocket from 'ws';
import { gzipSync } from 'node:zlib';
import { TestGateway, encodeVideoFrame, type GatewayOptions } from './support/gateway';
import { GatewayProcess } from './support/gateway-process';

// Frames are free-form JSON; the assertions below are what checks their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Frame = Record<string, any>;

// ------------------------------------------------------------------------------------ helpers

const gateways: Array<{ close(): Promise<void> }> = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const g of gateways.splice(0)) await g.close();
});

async function gateway(opts: GatewayOptions = {}): Promise<TestGateway> {
  const gw = await TestGateway.start(opts);
  gateways.push(gw);
  return gw;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Dev {
  ws: WebSocket;
  frames: Frame[];
  /** Next frame not yet returned by next(). */
  next(timeoutMs?: number): Promise<Frame>;
  closed: Promise<{ code: number; reason: string; at: number }>;
  send(msg: Frame | string | Buffer): void;
  /** WS ping -> pong: resolves once the gateway processed everything sent before. Returns the RTT. */
  sync(): Promise<number>;
  /** Forget the frames received so far. */
  clear(): void;
}

function open(url: string): Promise<Dev> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const frames: Frame[] = [];
  let cursor = 0;
  let wake: (() => void) | null = null;
  ws.on('message', (data, isBinary) => {
    frames.push(isBinary ? { binary: data } : JSON.parse(String(data)));
    wake?.();
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason), at: performance.now() })),
  );
  ws.on('error', () => {});
  const dev: Dev = {
    ws,
    frames,
    closed,
    async next(timeoutMs = 3000) {
      const end = performance.now() + timeoutMs;
      while (cursor >= frames.length) {
        if (performance.now() > end) throw new Error('no frame from gateway');
        await Promise.race([new Promise<void>((r) => (wake = r)), sleep(20)]);
      }
      return frames[cursor++] as Frame;
    },
    send(msg) {
      ws.send(typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg));
    },
    clear() {
      frames.length = 0;
      cursor = 0;
    },
    sync() {
      const t0 = performance.now();
      return new Promise<number>((resolve, reject) => {
        ws.once('pong', () => resolve(performance.now() - t0));
        ws.ping((err?: Error) => err && reject(err));
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(dev));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const auth = (sourceId = 'rig-01', apiKey = 'plx_test'): Frame => ({
  type: 'device_auth',
  api_key: apiKey,
  source_id: sourceId,
  platform: 'plexus-bench',
  agent_version: '0.1.0',
});

async function device(
  gw: { wsUrl: string },
  sourceId = 'rig-01',
  apiKey = 'plx_test',
): Promise<Dev & { authenticated: Frame }> {
  const d = await open(gw.wsUrl);
  d.send(auth(sourceId, apiKey));
  const authenticated = await d.next();
  expect(authenticated['type']).toBe('authenticated');
  d.clear(); // `frames` then holds only what came after auth
  return Object.assign(d, { authenticated });
}

const telemetry = (points: unknown[]): Frame => ({ type: 'telemetry', points });
const pt = (metric: string, value: unknown, extra: Frame = {}): Frame => ({ metric, value, ...extra });

async function post(
  gw: { url: string },
  body: unknown,
  opts: { key?: string | null; gzip?: boolean; raw?: boolean } = {},
): Promise<{ status: number; json: Frame | null; ms: number }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = opts.key === undefined ? 'plx_test' : opts.key;
  if (key !== null) headers['x-api-key'] = key;
  let data: Buffer = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  if (opts.gzip) {
    headers['content-encoding'] = 'gzip';
    if (!opts.raw) data = gzipSync(data);
  }
  const t0 = performance.now();
  const res = await fetch(`${gw.url}/ingest`, { method: 'POST', headers, body: data });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, ms: performance.now() - t0 };
}

const KEYS: GatewayOptions['apiKeys'] = {
  good: { org: 'org-a', scopes: ['write'] },
  ro: { org: 'org-a', scopes: ['read'] },
  star: { org: 'org-b', scopes: ['*'] },
  bare: { org: 'org-c', scopes: [] },
};

// -------------------------------------------------------------------------------------- auth

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

// ---------------------------------------------------------------------------- duplicate names

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

// --------------------------------------------------------------------------- message handling

describe('messages after auth', () => {
  it('answers INVALID_JSON for text that is not a JSON object and keeps the connection', async () => {
    const gw = await gateway();
    const d = await device(gw);
    for (const text of ['not json', '[1,2]', '42', '{"type":"telemetry","points":[{"metric":"m","value":1e400}]}']) {
      d.send(text);
      expect(await d.next()).toEqual({ type: 'error', code: 'INVALID_JSON' });
    }
    expect(gw.messages.map((m) => m.outcome)).toEqual(Array(4).fill('invalid_json'));
    expect(gw.counters.dropped['invalid_json']).toBe(4);
    expect(d.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('answers INVALID_MESSAGE for bad or unknown types', async () => {
    const gw = await gateway();
    const d = await device(gw);
    const cases: Array<[string, string]> = [
      ['null', 'type must be a string'],
      ['{"points":[]}', 'type must be a string'],
      ['{"type":""}', 'type must be a string'],
      [JSON.stringify({ type: 't'.repeat(65) }), 'type too long'],
      ['{"type":"reboot"}', 'unknown message type'],
      ['{"type":"telemetry"}', 'points must be an array'],
      ['{"type":"telemetry","points":{}}', 'points must be an array'],
      ['{"type":"video_frame","frame":"AA=="}', 'camera_id must be a string'],
    ];
    for (const [text, detail] of cases) {
      d.send(text);
      expect(await d.next()).toEqual({ type: 'error', code: 'INVALID_MESSAGE', detail });
    }
  });

  it('rejects the whole frame when any point breaks a rule, naming its index', async () => {
    const gw = await gateway();
    const d = await device(gw);
    const tags17 = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    const cases: Array<[unknown, string]> = [
      [5, 'points[3] must be an object'],
      [null, 'points[3] must be an object'],
      [[1], 'points[3] must be an object'],
      [{ class: 'gauge', metric: 'm', value: 1 }, `points[3].class must be 'metric' or 'event', got "gauge"`],
      [{ class: 'metric', metric: '', value: 1 }, 'points[3].metric invalid'],
      [{ class: 'metric', value: 1 }, 'points[3].metric invalid'],
      [{ class: 'metric', metric: 7, value: 1 }, 'points[3].metric invalid'],
      [{ class: 'metric', metric: 'm'.repeat(257), value: 1 }, 'points[3].metric invalid'],
      [{ class: 'metric', metric: '€'.repeat(86), value: 1 }, 'points[3].metric invalid'], // 258 bytes
      [{ class: 'metric', metric: 'm' }, 'points[3].value is required'],
      [{ class: 'metric', metric: 'm', value: null }, 'points[3].value cannot be null'],
      [{ metric: 'm', value: null }, 'points[3].value cannot be null'],
      [{ class: 'metric', metric: 'm', value: '1.5' }, 'points[3].value must be a number for class=metric'],
      [{ class: 'metric', metric: 'm', value: true }, 'points[3].value must be a number for class=metric'],
      [{ class: 'metric', metric: 'state', value: 'RUNNING' }, 'points[3].value must be a number for class=metric'],
      [{ class: 'event', metric: 'e', value: 'x'.repeat(257) }, 'points[3].value string exceeds max length (256)'],
      [{ class: 'event', metric: 'e', value: 'é'.repeat(129) }, 'points[3].value string exceeds max length (256)'],
      [{ class: 'event', metric: 'e', value: { s: 'a'.repeat(4089) } }, 'points[3].value exceeds max bytes (4096)'],
      // Go's encoder writes "<" as \u003c: 700 of them are 4200 bytes although JSON.stringify says 708.
      [{ class: 'event', metric: 'e', value: { s: '<'.repeat(700) } }, 'points[3].value exceeds max bytes (4096)'],
      [{ class: 'event', metric: 'e', value: ['a'.repeat(4093)] }, 'points[3].value exceeds max bytes (4096)'],
      [{ metric: 'm', value: 1, timestamp: '1767225600000' }, 'points[3].timestamp must be a number'],
      [{ metric: 'm', value: 1, timestamp: null }, 'points[3].timestamp must be a number'],
      [{ metric: 'm', value: 1, tags: ['a'] }, 'points[3].tags must be an object'],
      [{ metric: 'm', value: 1, tags: null }, 'points[3].tags must be an object'],
      [{ metric: 'm', value: 1, tags: tags17 }, 'points[3].tags exceeds max entries (16)'],
      [{ metric: 'm', value: 1, tags: { run: 7 } }, 'points[3].tags["run"] must be a string'],
      [{ metric: 'm', value: 1, tags: { run: { id: 'x' } } }, 'points[3].tags["run"] must be a string'],
      [{ metric: 'm', value: 1, tags: { ['k'.repeat(257)]: 'v' } }, 'points[3].tags key too long'],
      [{ metric: 'm', value: 1, tags: { run: 'v'.repeat(257) } }, 'points[3].tags["run"] value too long'],
    ];
    const good = [pt('a', 1), pt('b', 'on'), pt('c', 2, { class: 'metric' })];
    for (const [bad, detail] of cases) {
      d.send(telemetry([...good, bad]));
      expect(await d.next()).toEqual({ type: 'error', code: 'INVALID_MESSAGE', detail });
    }
    await d.sync();
    expect(gw.points).toEqual([]); // the good points of every rejected frame were dropped too
    expect(gw.counters.dropped['invalid_message']).toBe(cases.length);
  });

  it('accepts points right at the limits and infers missing classes', async () => {
    const gw = await gateway();
    const d = await device(gw);
    const tags16 = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`${i}`.padEnd(256, 'k'), 'v'.repeat(256)]));
    const points = [
      pt('m'.repeat(256), 1.5),
      pt('€'.repeat(85), 2), // 255 bytes
      pt('state', 'RUNNING'),
      pt('e', 'x'.repeat(256), { class: 'event' }),
      pt('e', 'é'.repeat(128), { class: 'event' }),
      pt('e', { s: 'a'.repeat(4088) }, { class: 'event' }), // exactly 4096 bytes of JSON
      pt('flag', true),
      pt('gps', { lat: 1, lon: 2 }),
      pt('list', [1, 'two']),
      pt('n', 3, { class: 'event' }),
      pt('t', 1, { timestamp: 1767225600123.5, tags: tags16, run_id: 'r1' }),
      pt('c', 4, { class: 9 }), // a non-string class is replaced by the inferred one
    ];
    d.send(telemetry(points));
    await d.sync();
    expect(d.frames).toEqual([]);
    expect(gw.points.map((p) => p.class)).toEqual([
      'metric',
      'metric',
      'event',
      'event',
      'event',
      'event',
      'event',
      'event',
      'event',
      'event',
      'metric',
      'metric',
    ]);
    const t = gw.points[10];
    expect(t?.timestamp).toBe(1767225600123.5); // WS timestamps are not scaled
    expect(Object.keys(t?.tags ?? {})).toHaveLength(16);
    expect(t?.raw['run_id']).toBe('r1');
    expect(t?.via).toBe('ws');
    expect(t?.org).toBe('dev');
  });

  it('drops a connection whose message exceeds 1 MiB, accepts exactly 1 MiB', async () => {
    const gw = await gateway();
    const d = await device(gw);
    const frameOf = (size: number): string => {
      const head = '{"type":"heartbeat","uptime_s":1,"pad":"';
      return `${head}${'x'.repeat(size - head.length - 2)}"}`;
    };
    const exact = frameOf(1_048_576);
    expect(Buffer.byteLength(exact)).toBe(1_048_576);
    d.send(exact);
    await d.sync();
    expect(gw.heartbeats).toHaveLength(1);
    d.send(frameOf(1_048_577));
    expect((await d.closed).code).toBe(1009);
    await sleep(20);
    expect(gw.heartbeats).toHaveLength(1);
  });

  it('accepts 10,000 points in a message and rejects 10,001', async () => {
    const gw = await gateway();
    const d = await device(gw);
    const many = (n: number): Frame => telemetry(Array.from({ length: n }, (_, i) => pt('m', i)));
    d.send(many(10_000));
    await d.sync();
    expect(gw.points).toHaveLength(10_000);
    d.send(many(10_001));
    expect(await d.next()).toEqual({
      type: 'error',
      code: 'INVALID_MESSAGE',
      detail: 'points array exceeds max size (10000)',
    });
    expect(gw.points).toHaveLength(10_000);
  });

  it('records heartbeats, device errors, pongs and trace ids', async () => {
    const gw = await gateway();
    const d = await device(gw);
    d.send({ type: 'heartbeat', source_id: 'rig-01', agent_version: '0.1.0', uptime_s: 3600 });
    d.send({ type: 'device_error', error: 'port vanished', source: 'serial' });
    d.send({ type: 'pong' });
    d.send({ type: 'telemetry', trace_id: 'tr-1', points: [pt('m', 1)] });
    await d.sync();
    expect(d.frames).toEqual([]);
    expect(gw.heartbeats.map((h) => h.uptime_s)).toEqual([3600]);
    expect(gw.deviceErrors[0]?.msg).toMatchObject({ error: 'port vanished', source: 'serial' });
    expect(gw.messages.map((m) => m.outcome)).toEqual(['control', 'control', 'control', 'accepted']);
    expect(gw.points[0]?.traceId).toBe('tr-1');
  });
});

// ------------------------------------------------------------------------------- rate limits

describe('rate limits', () => {
  it('telemetry token bucket: RATE_LIMITED when empty, refills over time, video shares it silently', async () => {
    const gw = await gateway({ telemetryBucket: { capacity: 3, perSec: 2 } });
    const d = await device(gw);
    for (let i = 0; i < 5; i++) {
      d.send(telemetry([pt('m', i)]));
      await d.sync();
      await sleep(2); // a loopback ping round trip can take < 0.5 ms: space frames explicitly
    }
    expect(gw.points.map((p) => p.value)).toEqual([0, 1, 2]);
    expect(d.frames).toEqual([
      { type: 'error', code: 'RATE_LIMITED' },
      { type: 'error', code: 'RATE_LIMITED' },
    ]);

    // Validation comes before the bucket: an invalid frame is INVALID_MESSAGE even when empty.
    d.send(telemetry([pt('m', null)]));
    expect((await d.next(), await d.next(), await d.next())['code']).toBe('INVALID_MESSAGE');

    // A binary video frame on an empty bucket is dropped without any reply.
    d.send(
      encodeVideoFrame({
        sourceId: 'rig-01',
        cameraId: 'c',
        width: 1,
        height: 1,
        timestamp: 1,
        jpeg: Buffer.from([1]),
      }),
    );
    await d.sync();
    expect(gw.videoFrames).toEqual([]);
    expect(gw.messages.at(-1)?.outcome).toBe('rate_limited');
    expect(d.frames).toHaveLength(3);

    await sleep(600); // 2 tokens/s -> at least one token back
    d.send(telemetry([pt('m', 9)]));
    await d.sync();
    expect(gw.points.map((p) => p.value)).toEqual([0, 1, 2, 9]);
  });

  it('control token bucket is separate: heartbeats beyond it are RATE_LIMITED', async () => {
    const gw = await gateway({
      controlBucket: { capacity: 2, perSec: 1 },
      telemetryBucket: { capacity: 1, perSec: 1 },
    });
    const d = await device(gw);
    for (let i = 0; i < 3; i++) d.send({ type: 'heartbeat', uptime_s: i });
    d.send(telemetry([pt('m', 1)]));
    await d.sync();
    expect(gw.heartbeats.map((h) => h.uptime_s)).toEqual([0, 1]);
    expect(d.frames).toEqual([{ type: 'error', code: 'RATE_LIMITED' }]);
    expect(gw.points).toHaveLength(1);
  });

  it('drops a telemetry frame silently when it comes < 0.5 ms after the previous one of the source', async () => {
    const gw = await gateway();
    const d = await device(gw);
    d.send(telemetry([pt('m', 1)]));
    d.send(telemetry([pt('m', 2)])); // same tick: processed microseconds after the first
    await d.sync();
    expect(gw.points.map((p) => p.value)).toEqual([1]);
    expect(gw.messages.map((m) => m.outcome)).toEqual(['accepted', 'source_limited']);
    expect(d.frames).toEqual([]); // silent
    await sleep(2);
    d.send(telemetry([pt('m', 3)]));
    await d.sync();
    expect(gw.points.map((p) => p.value)).toEqual([1, 3]);
  });

  it('keys the per-source interval by org:source across connections and HTTP, forgets it on disconnect', async () => {
    const gw = await gateway({ sourceMinIntervalMs: 300 });
    const a = await device(gw, 'a');
    const b = await device(gw, 'b');
    a.send(telemetry([pt('m', 1)]));
    b.send(telemetry([pt('m', 2)]));
    await Promise.all([a.sync(), b.sync()]);
    expect(gw.points).toHaveLength(2); // different sources do not interfere

    // HTTP for source a right after its WS frame: that group is dropped, count says so.
    const r = await post(gw, { points: [pt('m', 3, { source_id: 'a' }), pt('m', 4, { source_id: 'c' })] });
    expect(r).toMatchObject({ status: 200, json: { success: true, count: 1 } });
    expect(gw.points.map((p) => p.sourceId)).toEqual(['a', 'b', 'c']);

    // Closing the registered connection forgets its entry (hub.UnregisterDevice).
    a.ws.close();
    await a.closed;
    await gw.waitFor(() => !gw.connectedSources().includes('a'), 2000, 'a unregistered');
    const a2 = await device(gw, 'a');
    a2.send(telemetry([pt('m', 5)]));
    await a2.sync();
    expect(gw.points.map((p) => p.value)).toContain(5);
  });
});

// ---------------------------------------------------------------------- ordering and latency

describe('ordering and latency', () => {
  it('answers a ping only after every message before it was processed, latency included', async () => {
    const gw = await gateway();
    const d = await device(gw);
    gw.setLatency(80);
    d.send(telemetry(Array.from({ length: 500 }, (_, i) => pt('m', i))));
    const seen = await new Promise<number>((resolve) => {
      d.ws.once('pong', () => resolve(gw.points.length)); // read synchronously on the pong
      d.ws.ping();
    });
    expect(seen).toBe(500);
    const rtt = await d.sync();
    expect(rtt).toBeGreaterThanOrEqual(155);
  });

  it('adds the latency to auth, replies and HTTP, and stamps server_time_ms mid-way', async () => {
    const gw = await gateway();
    gw.setLatency(100);
    gw.setClockSkew(10_000);
    const d = await open(gw.wsUrl);
    const tSend = Date.now();
    d.send(auth());
    const f = await d.next();
    const tRecv = Date.now();
    expect(tRecv - tSend).toBeGreaterThanOrEqual(195);
    // The client's round-trip compensation lands on the skew within a few ms.
    expect(Math.abs(f['server_time_ms'] - (tSend + tRecv) / 2 - 10_000)).toBeLessThan(40);
    const r = await post(gw, { source_id: 'rig-01', points: [pt('m', 1)] });
    expect(r.status).toBe(200);
    expect(r.ms).toBeGreaterThanOrEqual(195);
    d.send('oops');
    const t0 = performance.now();
    await d.next();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195);
  });

  it('still processes messages that arrived before the device closed', async () => {
    const gw = await gateway();
    const d = await device(gw);
    gw.setLatency(100);
    d.send(telemetry([pt('m', 1)]));
    d.ws.close(1000);
    await d.closed;
    await gw.waitFor(() => gw.points.length === 1, 2000, 'the in-flight point');
    await gw.waitFor(() => gw.connectedSources().length === 0, 2000, 'unregister');
    expect(gw.connections[0]?.closeCode).toBe(1000);
  });

  it('pings the device every pingIntervalMs and counts its pongs', async () => {
    const gw = await gateway({ pingIntervalMs: 100 });
    const d = await device(gw);
    let pings = 0;
    d.ws.on('ping', () => pings++);
    await sleep(360);
    expect(pings).toBeGreaterThanOrEqual(2);
    await gw.waitFor(() => (gw.connections[0]?.pongsReceived ?? 0) >= 2, 1000, 'pongs');
  });
});

// ----------------------------------------------------------------------------------- redis

describe('Redis unavailable', () => {
  it('refuses upgrades and HTTP with 503, closes a sending device with REDIS_UNAVAILABLE + 1013', async () => {
    const gw = await gateway();
    const d = await device(gw);
    gw.setRedisDown(true);

    d.send({ type: 'heartbeat', uptime_s: 1 }); // only logged by the gateway
    d.send(telemetry([])); // nothing to queue: no error
    await d.sync();
    expect(d.frames).toEqual([]);
    expect(gw.heartbeats).toEqual([]);

    await sleep(2);
    d.send(telemetry([pt('m', 1)]));
    const err = await d.next();
    expect(err).toMatchObject({ type: 'error', code: 'REDIS_UNAVAILABLE' });
    expect(typeof err['detail']).toBe('string');
    expect((await d.closed).code).toBe(1013);
    expect(gw.points).toEqual([]);

    await expect(open(gw.wsUrl)).rejects.toThrow('HTTP 503');
    expect((await post(gw, { source_id: 'rig-01', points: [pt('m', 1)] })).status).toBe(503);
    const health = await fetch(`${gw.url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as Frame)['status']).toBe('degraded');

    gw.setRedisDown(false);
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    await device(gw);
  });
});

// ---------------------------------------------------------------------------------- /ingest

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

// ----------------------------------------------------------------------- down / up, commands

describe('gateway lifecycle and commands', () => {
  it('down() cuts everything and refuses connections; up() listens on the same port', async () => {
    const gw = await gateway();
    const port = gw.port;
    const d = await device(gw);
    await gw.down();
    expect((await d.closed).code).toBe(1006);
    await expect(fetch(`${gw.url}/health`)).rejects.toThrow();
    await expect(open(gw.wsUrl)).rejects.toThrow();
    expect(gw.connectedSources()).toEqual([]);
    await gw.up();
    expect(gw.port).toBe(port);
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    const again = await device(gw);
    again.send(telemetry([pt('m', 1)]));
    await again.sync();
    expect(gw.points).toHaveLength(1);
  });

  it('relays typed commands and records command results', async () => {
    const gw = await gateway();
    const d = await device(gw);
    const seen: unknown[] = [];
    const off = gw.on('command_result', (x) => seen.push(x));
    const id = gw.sendCommand('rig-01', { command: 'start_camera', params: { camera_id: 'front', frame_rate: 15 } });
    const cmd = await d.next();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(cmd).toEqual({
      type: 'typed_command',
      id,
      command: 'start_camera',
      params: { camera_id: 'front', frame_rate: 15 },
    });
    gw.sendCommand('rig-01', { id: 'fixed-id', command: 'stop_camera' });
    expect(await d.next()).toEqual({ type: 'typed_command', id: 'fixed-id', command: 'stop_camera', params: {} });

    d.send({ type: 'command_result', id, command: 'start_camera', event: 'ack' });
    d.send({ type: 'command_result', id, command: 'start_camera', event: 'result', result: { ok: true } });
    await d.sync();
    expect(gw.commandResults.map((c) => c.msg['event'])).toEqual(['ack', 'result']);
    expect(gw.commandResults.every((c) => c.msg['id'] === id && c.sourceId === 'rig-01')).toBe(true);
    expect(seen).toHaveLength(2);
    off();
    gw.sendRaw('rig-01', '{"type":"whatever"}');
    expect(await d.next()).toEqual({ type: 'whatever' });
    expect(() => gw.sendCommand('ghost', { command: 'x' })).toThrow(/not connected/);
  });

  it('parses binary video frames and drops malformed ones silently', async () => {
    const gw = await gateway();
    const d = await device(gw);
    const jpeg = Buffer.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    const frame = encodeVideoFrame({
      sourceId: 'someone-else',
      cameraId: 'front',
      width: 640,
      height: 480,
      timestamp: 1767225600123,
      jpeg,
    });
    d.send(frame);
    d.send(Buffer.from([0x02, 0, 0])); // unknown version
    d.send(frame.subarray(0, 10)); // truncated header
    d.send({ type: 'video_frame', camera_id: 'legacy', frame: jpeg.toString('base64') });
    await d.sync();
    expect(d.frames).toEqual([]);
    expect(gw.videoFrames).toHaveLength(2);
    expect(gw.videoFrames[0]).toMatchObject({
      sourceId: 'rig-01',
      cameraId: 'front',
      width: 640,
      height: 480,
      timestamp: 1767225600123,
      jpegBytes: 7,
      binary: true,
    });
    expect(gw.videoFrames[0]?.jpeg?.equals(jpeg)).toBe(true);
    expect(gw.videoFrames[1]).toMatchObject({ cameraId: 'legacy', binary: false, jpegBytes: 7 });
    expect(gw.messages.map((m) => m.outcome)).toEqual(['video', 'invalid_video', 'invalid_video', 'video']);
  });
});

// ------------------------------------------------------------------------------- bench modes

describe('bench support', () => {
  it("'count' mode keeps counters, sampled points and a compact receipt log", async () => {
    let hooked = 0;
    const gw = await gateway({ record: 'count', sampleMetrics: ['lat'], onPoint: () => hooked++ });
    const d = await device(gw);
    const now = Date.now();
    d.send(
      telemetry([
        ...Array.from({ length: 1000 }, (_, i) => pt('x', i)),
        pt('lat', 1, { timestamp: now }),
        pt('lat', 2, { timestamp: now + 1 }),
      ]),
    );
    await d.sync();
    expect(gw.counters).toMatchObject({ acceptedPoints: 1002, acceptedMessages: 1 });
    expect(gw.points.map((p) => p.metric)).toEqual(['lat', 'lat']);
    expect(gw.points[0]?.receivedAt).toBeGreaterThanOrEqual(now - 5);
    expect(gw.messages).toEqual([]);
    expect(hooked).toBe(1002);
    const log = gw.receipts;
    expect(log?.length).toBe(1002);
    expect(log?.get(1001)).toMatchObject({ metric: 'lat', timestamp: now + 1, value: 2 });
    const batch = log?.slice(995);
    expect(batch?.values.length).toBe(7);
    expect(batch && [...batch.values]).toEqual([995, 996, 997, 998, 999, 1, 2]);
  });

  it('GatewayProcess runs the gateway in a child process controlled over IPC', async () => {
    const gp = await GatewayProcess.start({ record: 'count', sampleMetrics: ['lat'] });
    gateways.push({ close: () => gp.stop() });
    const d = await device(gp);
    d.send(telemetry([...Array.from({ length: 99 }, (_, i) => pt('x', i)), pt('lat', 7, { timestamp: Date.now() })]));
    await d.sync();
    const s = await gp.stats();
    expect(s.counters.acceptedPoints).toBe(100);
    expect(s.connectedSources).toEqual(['rig-01']);
    expect((await gp.pointsSince(0)).map((p) => p.value)).toEqual([7]);
    const batch = await gp.receiptsSince(90);
    expect(batch.values).toBeInstanceOf(Float64Array);
    expect([...batch.values]).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 7]);

    const id = await gp.sendCommand('rig-01', { command: 'start_stream' });
    expect((await d.next())['id']).toBe(id);
    await gp.setRedisDown(true);
    expect((await fetch(`${gp.url}/health`)).status).toBe(503);
    await gp.setRedisDown(false);
    await gp.down();
    expect((await d.closed).code).toBe(1006);
    await gp.up();
    await gp.setClockSkew(60_000);
    const again = await device(gp);
    expect(again.authenticated['server_time_ms'] - Date.now()).toBeGreaterThan(59_000);
    await gp.stop();
    await expect(gp.stats()).rejects.toThrow(/exited/);
  });
});
