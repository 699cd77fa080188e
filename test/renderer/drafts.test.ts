// The settings and source forms' drafts (src/renderer/src/settings/gatewayDraft.ts,
// sources/serialDraft.ts, sources/configDraft.ts): text as typed ↔ the contract's values, and the
// problem shown for each field.
import { describe, expect, it } from 'vitest';
import {
  draftFrom,
  draftProblem,
  sameGateway,
  settingFrom,
  urlProblem,
} from '../../src/renderer/src/settings/gatewayDraft';
import {
  configFromDraft as serialConfigFromDraft,
  draftFromConfig as serialDraftFromConfig,
  draftProblems,
  exampleMetric,
  nameForPort,
} from '../../src/renderer/src/sources/serialDraft';
import { configFromDraft, draftFromConfig, rangeWords } from '../../src/renderer/src/sources/configDraft';
import type { ConfigSchema } from '../../src/shared/plugin-config';
import type { PortView } from '../../src/shared/contract';

describe('gateway draft', () => {
  it('round-trips a custom gateway, trimming the URLs and leaving out an empty WS URL', () => {
    const d = draftFrom({ mode: 'custom', url: 'http://plexus.lab:8080' });
    expect(d).toEqual({ mode: 'custom', url: 'http://plexus.lab:8080', wsUrl: '' });
    expect(settingFrom({ ...d, url: '  http://a:1 ', wsUrl: '   ' })).toEqual({ mode: 'custom', url: 'http://a:1' });
    expect(settingFrom({ ...d, wsUrl: ' ws://a:2/ws ' })).toEqual({
      mode: 'custom',
      url: 'http://plexus.lab:8080',
      wsUrl: 'ws://a:2/ws',
    });
  });

  it('cloud and local carry no URLs, whatever the form still holds', () => {
    expect(draftFrom({ mode: 'cloud' })).toEqual({ mode: 'cloud', url: '', wsUrl: '' });
    expect(settingFrom({ mode: 'local', url: 'http://left-over', wsUrl: 'ws://x' })).toEqual({ mode: 'local' });
    expect(draftProblem({ mode: 'cloud', url: 'not a url', wsUrl: '' })).toEqual({ url: null, wsUrl: null });
  });

  it('checks URLs as typed: required http(s), optional ws(s), each with its own scheme', () => {
    expect(urlProblem('', 'http')).toMatch(/enter the gateway address/);
    expect(urlProblem('   ', 'ws', true)).toBeNull();
    expect(urlProblem('http://plexus.lab:8080', 'http')).toBeNull();
    expect(urlProblem(' https://plexus.lab ', 'http')).toBeNull();
    expect(urlProblem('ws://plexus.lab', 'http')).toMatch(/http:\/\/ or https:\/\//);
    expect(urlProblem('http://plexus.lab', 'ws')).toMatch(/ws:\/\/ or wss:\/\//);
    expect(urlProblem('plexus.lab:8080', 'http')).toMatch(/http:\/\//);
    expect(urlProblem('http://exa mple', 'http')).not.toBeNull();
    expect(draftProblem({ mode: 'custom', url: '', wsUrl: 'http://x' })).toEqual({
      url: expect.stringMatching(/enter the gateway address/),
      wsUrl: expect.stringMatching(/ws:\/\//),
    });
  });

  it('sameGateway compares what matters: the mode, and for custom the URLs (absent WS = empty)', () => {
    expect(sameGateway({ mode: 'cloud' }, { mode: 'cloud' })).toBe(true);
    expect(sameGateway({ mode: 'cloud' }, { mode: 'local' })).toBe(false);
    expect(sameGateway({ mode: 'custom', url: 'http://a' }, { mode: 'custom', url: 'http://a', wsUrl: '' })).toBe(true);
    expect(sameGateway({ mode: 'custom', url: 'http://a' }, { mode: 'custom', url: 'http://b' })).toBe(false);
    expect(sameGateway({ mode: 'custom', url: 'http://a', wsUrl: 'ws://a' }, { mode: 'custom', url: 'http://a' })).toBe(
      false,
    );
  });
});

describe('serial draft', () => {
  const port = (path: string, manufacturer?: string): PortView => ({ path, manufacturer }) as PortView;

  it('a new form starts at 115200 baud, automatic parser, the port settings at their defaults', () => {
    expect(serialDraftFromConfig(null)).toMatchObject({
      name: '',
      baudRate: '115200',
      parser: 'auto',
      noPrefix: false,
      useSerialNumber: false,
      dataBits: '',
      parity: '',
      stopBits: '',
    });
  });

  it('round-trips a full config through the form unchanged', () => {
    const c = {
      name: 'psu',
      path: '/dev/ttyUSB0',
      serialNumber: 'A1B2',
      baudRate: 9600,
      parser: 'kv' as const,
      prefix: 'bench',
      dataBits: 7 as const,
      parity: 'even' as const,
      stopBits: 1.5 as const,
    };
    expect(serialConfigFromDraft(serialDraftFromConfig(c))).toEqual(c);
  });

  it('an empty prefix means "no prefix", not "the default prefix"', () => {
    const d = serialDraftFromConfig({ name: 'psu', path: '/dev/x', baudRate: 9600, parser: 'auto', prefix: '' });
    expect(d.noPrefix).toBe(true);
    expect(serialConfigFromDraft(d).prefix).toBe('');
    expect(exampleMetric(d)).toBe('temp');
    const def = { ...d, noPrefix: false, prefix: '  ' };
    expect('prefix' in serialConfigFromDraft(def)).toBe(false); // the host's default (the name) applies
    expect(exampleMetric(def)).toBe('psu.temp');
    expect(exampleMetric({ ...def, name: '' })).toBe('<name>.temp');
  });

  it('leaves out a serial number that is not in use, and an empty path', () => {
    const d = { ...serialDraftFromConfig(null), name: ' psu ', serialNumber: 'X9', useSerialNumber: false };
    const c = serialConfigFromDraft(d);
    expect(c).toEqual({ name: 'psu', baudRate: 115200, parser: 'auto' });
  });

  it('names each problem: no name, no port, a baud rate out of range or fractional, a prefix with spaces', () => {
    const d = serialDraftFromConfig(null);
    expect(draftProblems(d)).toEqual({ name: expect.any(String), path: expect.any(String) });
    const ok = { ...d, name: 'psu', path: '/dev/ttyS0' };
    expect(draftProblems(ok)).toEqual({});
    // A serial number instead of a path is enough.
    expect(draftProblems({ ...ok, path: '', useSerialNumber: true, serialNumber: 'A1' })).toEqual({});
    for (const baud of ['49', '4000001', '9600.5', '', 'fast'])
      expect(draftProblems({ ...ok, baudRate: baud }).baudRate, baud).toMatch(/50 to 4,000,000/);
    for (const baud of ['50', '4000000']) expect(draftProblems({ ...ok, baudRate: baud }), baud).toEqual({});
    expect(draftProblems({ ...ok, prefix: 'a b' }).prefix).toMatch(/no spaces/);
    expect(draftProblems({ ...ok, prefix: 'a b', noPrefix: true })).toEqual({}); // not used
  });

  it('names a port after its manufacturer and device file, safe as a source name', () => {
    expect(nameForPort(port('/dev/ttyUSB0', 'FTDI Ltd'))).toBe('ftdi-ttyusb0');
    expect(nameForPort(port('COM3'))).toBe('com3');
    expect(nameForPort(port('\\\\.\\COM12', 'Silicon Labs'))).toBe('silicon-com12');
    expect(nameForPort(port('/dev/serial/by-id/usb-Ardu ino (x)'))).toBe('usb-ardu-ino-x-');
  });
});

describe('plugin config draft', () => {
  const schema: ConfigSchema = {
    type: 'object',
    properties: {
      rate: { type: 'number', minimum: 0.1, maximum: 1000, default: 10, unit: 'Hz' },
      count: { type: 'integer', minimum: 1 },
      label: { type: 'string' },
      mode: { type: 'string', enum: ['fast', 'slow'], default: 'slow' },
      on: { type: 'boolean', default: true },
    },
    required: ['count'],
  };

  it('starts from the effective config: numbers as text, enums and booleans with their defaults', () => {
    expect(draftFromConfig(schema, { rate: 2.5, label: 'a' })).toEqual({
      rate: '2.5',
      count: '',
      label: 'a',
      mode: 'slow',
      on: true,
    });
  });

  it('turns the draft into values, leaving blank fields to their defaults', () => {
    const r = configFromDraft(schema, { rate: ' 12.5 ', count: '3', label: '', mode: 'fast', on: false });
    expect(r.problems).toEqual({});
    expect(r.config).toEqual({ rate: 12.5, count: 3, mode: 'fast', on: false });
  });

  it('a text field keeps its spaces; a blank number is unset, not 0', () => {
    const r = configFromDraft(schema, { rate: '   ', count: '1', label: '  x ' });
    expect(r.config).toEqual({ count: 1, label: '  x ', on: false });
  });

  it('reports each field’s problem with the host’s rule, and sends none of the bad values', () => {
    const r = configFromDraft(schema, { rate: '5000', count: '2.5', label: '', mode: 'medium' });
    expect(r.problems).toEqual({
      rate: 'must be at most 1000',
      count: 'must be a whole number',
      mode: expect.stringMatching(/must be one of "fast", "slow"/),
    });
    expect(r.config).toEqual({ on: false });
    expect(configFromDraft(schema, { count: '' }).problems).toEqual({ count: 'is required' });
    expect(configFromDraft(schema, { count: 'abc' }).problems).toEqual({ count: 'must be a number' });
    expect(configFromDraft(schema, { count: 'NaN' }).problems).toEqual({ count: 'must be a number' });
    expect(configFromDraft(schema, { count: 'Infinity' }).problems).toEqual({ count: 'must be a number' });
  });

  it('describes a range in words, with the unit and "whole number" for integers', () => {
    expect(rangeWords(schema.properties.rate!)).toBe('from 0.1 to 1000 Hz');
    expect(rangeWords(schema.properties.count!)).toBe('a whole number of at least 1');
    expect(rangeWords({ type: 'number', maximum: 5 })).toBe('of at most 5');
    expect(rangeWords({ type: 'integer' })).toBe('a whole number');
    expect(rangeWords({ type: 'number' })).toBeNull();
    expect(rangeWords(schema.properties.label!)).toBeNull();
  });
});
