// The MQTT plugin's payload reading and the small pieces around it, on their own: numbers, JSON
// (flattened), text, and every kind of bad payload; the router that turns a message into points;
// the per-tick batch; the reconnect backoff; the status line and the connection errors' words.
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../plugins/mqtt/backoff';
import { describeDisconnect, describeError } from '../../plugins/mqtt/errors';
import { decodePayload, MAX_JSON_DEPTH } from '../../plugins/mqtt/payload';
import { MessageRouter } from '../../plugins/mqtt/router';
import { Tally } from '../../plugins/mqtt/tally';
import { TickBatch } from '../../plugins/mqtt/tick-batch';
import { TopicMap } from '../../plugins/mqtt/topic-map';

const LIMITS = { maxBytes: 1024 };
const read = (text: string | Uint8Array) => decodePayload(typeof text === 'string' ? Buffer.from(text) : text, LIMITS);

describe('MQTT payloads', () => {
  it('numbers', () => {
    expect(read('21.5')).toEqual({ kind: 'number', value: 21.5 });
    expect(read(' -3e2\n')).toEqual({ kind: 'number', value: -300 });
    expect(read('+.5')).toEqual({ kind: 'number', value: 0.5 });
    expect(read('7.')).toEqual({ kind: 'number', value: 7 });
    expect(read('0x1f')).toEqual({ kind: 'text', value: '0x1f' }); // not a decimal reading
    expect(read('1e999')).toEqual({ kind: 'bad', problem: '"1e999" is too large for a number' });
    expect(read('NaN')).toEqual({ kind: 'bad', problem: '"NaN" is not a finite number (a failed reading?)' });
    expect(read('-inf').kind).toBe('bad');
  });

  it('JSON objects and arrays, flattened like JSON lines', () => {
    expect(read('{"a":{"b":1},"s":"on","ok":true,"n":null,"cells":[3.6,3.7],"e":{}}')).toEqual({
      kind: 'fields',
      fields: [
        ['a.b', 1],
        ['s', 'on'],
        ['ok', true],
        ['cells.0', 3.6],
        ['cells.1', 3.7],
      ],
      problem: null,
    });
    expect(read('[1,[2]]')).toEqual({
      kind: 'fields',
      fields: [
        ['0', 1],
        ['1.0', 2],
      ],
      problem: null,
    });
  });

  it('JSON that breaks the rules: bad, or the good members kept and the problem said', () => {
    expect(read('{"a":1,')).toEqual({ kind: 'bad', problem: 'JSON that does not parse: "{\\"a\\":1,"' });
    expect(read('{"a":1e999}')).toEqual({ kind: 'bad', problem: 'a is too large for a number' });
    expect(read('{"a":1,"b":1e999}')).toEqual({
      kind: 'fields',
      fields: [['a', 1]],
      problem: 'b is too large for a number',
    });
    expect(read('{" ":1,"x":2}')).toEqual({ kind: 'fields', fields: [['x', 2]], problem: 'an empty member name' });
    const deep = `${'{"a":'.repeat(MAX_JSON_DEPTH + 2)}1${'}'.repeat(MAX_JSON_DEPTH + 2)}`;
    expect(read(deep)).toMatchObject({
      kind: 'bad',
      problem: expect.stringMatching(/^nested deeper than 16 levels at a\.a/),
    });
    expect(read(`{"t":"${'x'.repeat(300)}","v":1}`)).toEqual({
      kind: 'fields',
      fields: [['v', 1]],
      problem: 't is text longer than 256 bytes',
    });
    const many = JSON.stringify(Array.from({ length: 1500 }, (_, i) => i));
    const r = decodePayload(Buffer.from(many), { maxBytes: 100_000 });
    expect(r.kind === 'fields' && r.fields.length).toBe(1000);
    expect(r.kind === 'fields' && r.problem).toBe('more than 1000 members (the rest skipped)');
  });

  it('text is an event; empty payloads are nothing; oversized and non-UTF-8 are bad', () => {
    expect(read(' door open ')).toEqual({ kind: 'text', value: 'door open' });
    expect(read('"quoted"')).toEqual({ kind: 'text', value: '"quoted"' });
    expect(read('')).toEqual({ kind: 'empty' });
    expect(read(' \n')).toEqual({ kind: 'empty' });
    expect(read('x'.repeat(300))).toMatchObject({
      kind: 'bad',
      problem: expect.stringMatching(/^text longer than 256 bytes/),
    });
    expect(read('x'.repeat(1025))).toEqual({
      kind: 'bad',
      problem: 'payload too large (1,025 bytes, the limit is 1,024)',
    });
    expect(read(new Uint8Array([0xff, 0xfe, 0x41]))).toEqual({
      kind: 'bad',
      problem: 'payload is not UTF-8 text (3 bytes: ff fe 41)',
    });
    expect(read('température 21 °C')).toEqual({ kind: 'text', value: 'température 21 °C' });
  });
});

describe('MQTT message router', () => {
  it('maps, decodes, describes units once and reports bad payloads with their topic', () => {
    const { map } = TopicMap.compile([{ filter: 'lab/+/temp', metric: '{1}.temp', unit: '°C' }, { filter: 'lab/#' }]);
    const out: string[] = [];
    const r = new MessageRouter(map, LIMITS, {
      point: (m, v) => out.push(`${m}=${JSON.stringify(v)}`),
      describe: (m, u) => out.push(`describe ${m} ${u}`),
      bad: (t, p) => out.push(`bad ${t}: ${p}`),
      unmatched: (t) => out.push(`unmatched ${t}`),
    });
    r.handle('lab/rig1/temp', Buffer.from('21.5'));
    r.handle('lab/rig1/temp', Buffer.from('21.6'));
    r.handle('lab/rig1/state', Buffer.from('{"door":"open","psu":{"v":12}}'));
    r.handle('lab/rig1/temp', Buffer.from([0xc3, 0x28]));
    r.handle('other/x', Buffer.from('1'));
    r.handle('lab/rig1/log', Buffer.from(''));
    expect(out).toEqual([
      'describe rig1.temp °C',
      'rig1.temp=21.5',
      'rig1.temp=21.6',
      'rig1.state.door="open"',
      'rig1.state.psu.v=12',
      'bad lab/rig1/temp: payload is not UTF-8 text (2 bytes: c3 28)',
      'unmatched other/x',
    ]);
  });
});

describe('MQTT tick batch', () => {
  it('collects one turn of the event loop into one batch, stamped when the first point came', async () => {
    const batches: Array<{ n: number; t: number }> = [];
    let clock = 1000;
    const b = new TickBatch(
      (points, t) => batches.push({ n: points.length, t }),
      () => clock++,
    );
    for (let i = 0; i < 100; i++) process.nextTick(() => b.add('m', i)); // like MQTT.js hands them over
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([{ n: 100, t: 1000 }]);
    b.add('m', 1);
    b.flush(); // on stop: nothing left behind
    expect(batches[1]).toMatchObject({ n: 1 });
    for (let i = 0; i < 12_000; i++) b.add('m', i); // a long burst goes out in bounded batches
    expect(batches.slice(2).map((x) => x.n)).toEqual([5000, 5000]);
    await new Promise((r) => setImmediate(r));
    expect(batches.slice(2).map((x) => x.n)).toEqual([5000, 5000, 2000]);
  });
});

describe('MQTT reconnect backoff', () => {
  it('doubles from the minimum up to the maximum, with bounded jitter, and resets', () => {
    const b = new Backoff({ minMs: 500, maxMs: 5000, jitter: 0, random: () => 0.5 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    b.reset();
    expect(b.next()).toBe(500);
    const low = new Backoff({ minMs: 1000, maxMs: 8000, jitter: 0.2, random: () => 0 });
    const high = new Backoff({ minMs: 1000, maxMs: 8000, jitter: 0.2, random: () => 1 });
    expect(low.next()).toBe(800);
    expect(high.next()).toBe(1200);
  });
});

describe('MQTT status line and connection errors', () => {
  it('says the link, the count and the last bad payload', () => {
    const t = new Tally('127.0.0.1:1883');
    expect(t.line()).toBe('connecting to 127.0.0.1:1883… · 0 messages');
    t.link = { state: 'connected' };
    t.messages = 12_345;
    t.badPayload('lab/x', 'payload is not UTF-8 text (1 bytes: ff)');
    t.badPayload('lab/y', 'JSON that does not parse: "{"');
    expect(t.line()).toBe(
      'connected to 127.0.0.1:1883 · 12,345 messages · 2 bad payloads (last: lab/y: JSON that does not parse: "{")',
    );
    t.link = { state: 'down', reason: 'the broker at 127.0.0.1:1883 is shutting down', retryMs: 1500 };
    expect(t.line()).toMatch(/^the broker at 127\.0\.0\.1:1883 is shutting down; retrying in 1\.5 s · 12,345 messages/);
  });

  it('puts codes into words', () => {
    const w = { broker: '127.0.0.1:1884', host: '127.0.0.1', caFile: '/x/ca.pem' };
    const err = (code: string | number, message = 'x') => Object.assign(new Error(message), { code });
    expect(describeError(err('ECONNREFUSED'), w)).toBe(
      'cannot reach the broker at 127.0.0.1:1884 (connection refused: is it running, on this port?)',
    );
    expect(describeError(err(4), w)).toBe('the broker at 127.0.0.1:1884 refused the login: bad user name or password');
    expect(describeError(err(0x86), w)).toBe(
      'the broker at 127.0.0.1:1884 refused the login: bad user name or password',
    );
    expect(describeError(err('SELF_SIGNED_CERT_IN_CHAIN'), w)).toBe(
      'the broker at 127.0.0.1:1884 has a certificate not signed by the CA in /x/ca.pem (SELF_SIGNED_CERT_IN_CHAIN)',
    );
    expect(describeError(new Error('connack timeout'), w)).toMatch(/did not answer the connection request/);
    expect(describeError(err('EWHATEVER', 'odd'), w)).toBe(
      'connection to the broker at 127.0.0.1:1884 failed: odd (EWHATEVER)',
    );
    expect(describeDisconnect(0x8b, w)).toBe('the broker at 127.0.0.1:1884 is shutting down');
    expect(describeDisconnect(0x8e, w)).toMatch(/another client connected with the same client id/);
    expect(describeDisconnect(0xf0, w)).toBe('the broker at 127.0.0.1:1884 ended the connection (reason code 240)');
  });
});
