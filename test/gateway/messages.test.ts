// The test gateway (test/support/gateway.ts) against raw clients; every client test trusts this fake,
// so each rule is checked in a way that would fail were it lenient.
// Messages after auth: JSON and type checks, the point rules, size limits, control messages.

import { describe, it, expect, afterEach } from 'vitest';
import WebSocket from 'ws';
import { closeAll, gateway, sleep, device, telemetry, pt, type Frame } from './harness';

afterEach(closeAll);

describe('messages after auth', () => {
  it('answers INVALID_JSON for text that is not a JSON object and keeps the connection', async () => {
    const gw = await gateway();
    const d = await device(gw);
    const tooBig = [
      '{"type":"telemetry","points":[{"metric":"m","value":1e400}]}',
      // a float64 overflows from 309 integer digits on, written out without an exponent
      `{"type":"telemetry","points":[{"metric":"m","value":-${'9'.repeat(400)}.5}]}`,
    ];
    for (const text of ['not json', '[1,2]', '42', ...tooBig]) {
      d.send(text);
      expect(await d.next()).toEqual({ type: 'error', code: 'INVALID_JSON' });
    }
    expect(gw.messages.map((m) => m.outcome)).toEqual(Array(5).fill('invalid_json'));
    expect(gw.counters.dropped['invalid_json']).toBe(5);
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
