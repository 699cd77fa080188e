// Every gateway rule (docs/protocol.md §3) refused at the API boundary with an error naming the rule and
// the value — and nothing invalid reaches the buffer.
import { afterEach, describe, expect, it } from 'vitest';
import { Plexus, ValidationError, ConfigError } from '../../src/main/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

let clients: Plexus[] = [];
function localClient(): Plexus {
  const c = new Plexus({ apiKey: null, dataDir: tempDir(), sourceId: 'rig-01' });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  cleanupTempDirs();
});

function expectRule(fn: () => unknown, rule: string, mention?: string | RegExp): ValidationError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected a ValidationError for rule ${rule}`).toBeInstanceOf(ValidationError);
  const v = err as ValidationError;
  expect(v.rule).toBe(rule);
  expect(v.message).toContain(rule);
  if (mention) expect(v.message).toMatch(mention);
  return v;
}

describe('validation at the API boundary', () => {
  const long = 'x'.repeat(257);
  const cases: Array<[string, (c: Plexus) => unknown, string, (string | RegExp)?]> = [
    ['empty metric name', (c) => c.send('', 1), 'metric.required'],
    ['non-string metric name', (c) => c.send(42 as unknown as string, 1), 'metric.required', '42'],
    ['metric name over 256 bytes', (c) => c.send(long, 1), 'metric.length', /257/],
    [
      'metric name over 256 bytes in UTF-8 (129 × "é" = 258 bytes)',
      (c) => c.send('é'.repeat(129), 1),
      'metric.length',
      /258/,
    ],
    ['NaN value', (c) => c.send('t', NaN), 'value.finite', 'NaN'],
    ['Infinity value', (c) => c.send('t', Infinity), 'value.finite', 'Infinity'],
    ['-Infinity value', (c) => c.send('t', -Infinity), 'value.finite'],
    ['null value', (c) => c.send('t', null), 'value.required'],
    ['undefined value', (c) => c.send('t', undefined), 'value.required'],
    ['bigint value', (c) => c.send('t', 10n), 'value.type', '10n'],
    ['function value', (c) => c.send('t', () => 1), 'value.type'],
    ['symbol value', (c) => c.send('t', Symbol('s')), 'value.type'],
    ['string event over 256 bytes', (c) => c.send('state', long), 'value.string_length', /257/],
    [
      'object event over 4096 bytes of JSON',
      (c) => c.send('blob', { s: 'x'.repeat(4100) }),
      'value.json_length',
      /4096/,
    ],
    ['array event over 4096 bytes', (c) => c.event('blob', new Array(1000).fill(12345)), 'value.json_length'],
    ['NaN inside an event object', (c) => c.event('fix', { lat: NaN }), 'value.finite'],
    ['bigint inside an event object', (c) => c.event('fix', { n: 1n }), 'value.type'],
    [
      'circular event object',
      (c) => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return c.event('loop', o);
      },
      'value.json',
    ],
    ['tags not an object', (c) => c.send('t', 1, { tags: 'a=b' as unknown as Record<string, string> }), 'tags.type'],
    ['tags as an array', (c) => c.send('t', 1, { tags: ['a'] as unknown as Record<string, string> }), 'tags.type'],
    [
      '17 tags',
      (c) => c.send('t', 1, { tags: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }),
      'tags.count',
      /16/,
    ],
    [
      'tag value not a string',
      (c) => c.send('t', 1, { tags: { ch: 3 as unknown as string } }),
      'tags.value_type',
      /"ch"/,
    ],
    ['nested tag object', (c) => c.send('t', 1, { tags: { a: { b: 'c' } as unknown as string } }), 'tags.value_type'],
    ['tag key over 256 bytes', (c) => c.send('t', 1, { tags: { [long]: 'v' } }), 'tags.key_length'],
    ['tag value over 256 bytes', (c) => c.send('t', 1, { tags: { k: long } }), 'tags.value_length'],
    ['NaN timestamp', (c) => c.send('t', 1, { timestamp: NaN }), 'timestamp.finite'],
    ['Infinity timestamp', (c) => c.send('t', 1, { timestamp: Infinity }), 'timestamp.finite'],
    ['string timestamp', (c) => c.send('t', 1, { timestamp: '2026-01-01' as unknown as number }), 'timestamp.type'],
    ['invalid Date timestamp', (c) => c.send('t', 1, { timestamp: new Date('nope') }), 'timestamp.finite'],
    ['batch that is not a list', (c) => c.sendBatch(5 as unknown as []), 'batch.type'],
    [
      'batch point that is not an object',
      (c) => c.sendBatch(JSON.parse('[null]') as Parameters<typeof c.sendBatch>[0]),
      'batch.point',
      'null',
    ],
  ];

  for (const [name, call, rule, mention] of cases) {
    it(`refuses ${name} (${rule}) and buffers nothing`, async () => {
      const c = localClient();
      c.send('good', 1);
      expectRule(() => call(c), rule, mention);
      await c.persisted();
      expect(c.bufferSize()).toBe(1);
    });
  }

  it('a batch with one bad point records none of it and names the index', async () => {
    const c = localClient();
    const err = expectRule(
      () =>
        c.sendBatch([
          { metric: 'a', value: 1 },
          { metric: 'b', value: 2 },
          { metric: 'c', value: NaN },
        ]),
      'value.finite',
    );
    expect(err.message).toContain('points[2]');
    await c.persisted();
    expect(c.bufferSize()).toBe(0);
  });

  it('a run id tag counts towards the 16-tag limit, and the error says so', () => {
    const c = localClient();
    const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v']));
    c.send('t', 1, { tags: sixteen }); // fine without a run
    c.startRun('limits');
    const err = expectRule(() => c.send('t', 1, { tags: sixteen }), 'tags.count');
    expect(err.message).toContain('run_id');
  });

  it('accepts every valid kind of value, at the limits', async () => {
    const c = localClient();
    c.send('m'.repeat(256), 1.5);
    c.send('state', 's'.repeat(256));
    c.send('flag', true);
    c.event('obj', { s: 'x'.repeat(4000) });
    c.event('arr', [1, 'two', { three: 3 }]);
    c.send('tagged', 2, { tags: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v'.repeat(256)])) });
    c.sendBatch({ a: 1, b: 'two', c: false });
    await c.persisted();
    expect(c.bufferSize()).toBe(9);
  });

  it('refuses a source id that breaks the product rule, naming it', () => {
    for (const bad of ['A-rig', '-rig', 'r', 'rig 01', 'x'.repeat(64), 'rig.01']) {
      expect(() => new Plexus({ apiKey: null, dataDir: tempDir(), sourceId: bad })).toThrow(ConfigError);
    }
    expect(() => new Plexus({ apiKey: null, dataDir: tempDir(), sourceId: 'RIG' })).toThrow(/lowercase/);
  });

  it('refuses a malformed gateway URL or transport with a ConfigError', () => {
    expect(() => new Plexus({ apiKey: 'k', dataDir: tempDir(), gatewayUrl: 'not a url' })).toThrow(
      /gatewayUrl is not a valid URL/,
    );
    expect(() => new Plexus({ apiKey: 'k', dataDir: tempDir(), gatewayWsUrl: 'http://x' })).toThrow(
      /ws:\/\/ or wss:\/\//,
    );
    expect(() => new Plexus({ apiKey: 'k', dataDir: tempDir(), transport: 'udp' as 'ws' })).toThrow(/transport/);
    expect(() => new Plexus({ apiKey: 'k', dataDir: tempDir(), buffer: { maxPoints: -1 } })).toThrow(/maxPoints/);
  });
});
