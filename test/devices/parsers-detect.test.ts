// Line format detection from the first lines of a device, and createParser.
import { describe, expect, it } from 'vitest';
import { createParser, CsvParser, detectParser } from '../../src/main/devices/parsers';
import type { ParserKind } from '../../src/main/devices/types';

describe('format detection', () => {
  const detect = (lines: string[]): ParserKind => detectParser(lines).kind;

  it('detects JSON lines', () => {
    const lines = [
      '{"t":1,"psu":{"v":12.1}}',
      '{"t":2,"psu":{"v":12.2}}',
      '{"t":3,"psu":{"v":12.1}}',
      '{"t":4,"v":NaN}',
    ];
    expect(detectParser(lines)).toEqual({ kind: 'jsonl', reason: '4 of 4 lines are JSON objects' });
  });

  it('detects key=value pairs', () => {
    expect(detect(['temp=21.5 hum=40', 'temp=21.6 hum=41', 'temp=21.7 hum=40 msg="door open"'])).toBe('kv');
    expect(detect(['a=1;b=2', 'a=1; b=3', 'booting', 'a=2, b=4', 'a=3,b=5'])).toBe('kv');
    expect(detectParser(['a=1;b=2', 'a=1; b=3', 'booting', 'a=2, b=4', 'a=3,b=5']).reason).toBe(
      '4 of 5 lines are key=value pairs',
    );
  });

  it('detects CSV from a header followed by numeric rows, even after a boot banner', () => {
    expect(detect(['time_ms,voltage,current', '1000,12.01,0.52', '1001,12.02,0.55'])).toBe('csv');
    expect(detect(['Zeit;Spannung;Strom', '1;12,5;0,25', '2;12,6;0,3'])).toBe('csv');
    expect(detect(['', 'Booting v2.1', 'time,temp,state', '1,20.5,ok', '2,20.6,ok', '3,nan,err'])).toBe('csv');
    expect(detectParser(['time_ms,voltage,current', '1000,12.01,0.52', '1001,12.02,0.55']).reason).toBe(
      'header "time_ms,voltage,current" (3 columns) is followed by 2 of 2 lines with 3 mostly numeric cells',
    );
  });

  it('falls back to plotter for plotter output and ambiguous cases', () => {
    expect(detect(['1,2,3', '4,5,6', '7,8,9'])).toBe('plotter'); // no header: plotter
    expect(detect(['temp:21.5,hum:40', 'temp:21.6,hum:41'])).toBe('plotter'); // label:value cells are no header
    expect(detect(['512\t498', '513\t497'])).toBe('plotter');
    expect(detect(['time,temp,hum'])).toBe('plotter'); // a header with nothing after it proves nothing
    expect(detect(['time,temp', 'a,b', 'c,d'])).toBe('plotter'); // no numeric rows
    expect(detect([])).toBe('plotter');
    expect(detect(['{"boot":true}', '1 2', '3 4', '5 6'])).toBe('plotter'); // one JSON line among plotter lines
    expect(detectParser(['1,2,3', '4,5,6']).reason).toBe(
      '2 of 2 lines hold numbers or label:number pairs and no header, JSON or key=value format fits',
    );
  });

  it('looks only at the first 10 non-empty lines', () => {
    const lines = [
      '',
      ...Array.from({ length: 10 }, (_, i) => `${i} ${i + 1}`),
      ...Array.from({ length: 30 }, () => '{"a":1}'),
    ];
    expect(detect(lines)).toBe('plotter');
    expect(
      detect(['', '', ...Array.from({ length: 5 }, () => '{"a":1}'), ...Array.from({ length: 6 }, () => '1 2')]),
    ).toBe('jsonl');
  });
});

describe('createParser', () => {
  it('makes a fresh parser of each kind', () => {
    for (const kind of ['plotter', 'csv', 'jsonl', 'kv'] as const) {
      const a = createParser(kind);
      expect(a.kind).toBe(kind);
      expect(createParser(kind)).not.toBe(a);
    }
    expect(createParser('csv')).toBeInstanceOf(CsvParser);
    expect(() => createParser('xml' as ParserKind)).toThrow(/unknown parser kind "xml"/);
  });
});
