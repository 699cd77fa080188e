// The plotter parser (Arduino serial plotter output) with realistic device lines: labels, bare values,
// and every problem kind with the good fields around it kept.
import { describe, expect, it } from 'vitest';
import { MAX_PROBLEMS_PER_LINE, PlotterParser } from '../../src/main/devices/parsers';
import { parse, parseAll, kinds } from './parse-lines';

describe('plotter parser', () => {
  it('reads Arduino plotter lines: labelled values, bare values, tabs, spaces in labels', () => {
    const p = new PlotterParser();
    expect(parse(p, 'temp:21.5,hum:40.2')).toEqual({
      fields: [
        ['temp', 21.5],
        ['hum', 40.2],
      ],
      problems: null,
    });
    expect(parse(p, '21.5 40.2 1013')).toEqual({
      fields: [
        ['value1', 21.5],
        ['value2', 40.2],
        ['value3', 1013],
      ],
      problems: null,
    });
    expect(parse(p, 'Supply voltage:12.1\tLoad current:0.53').fields).toEqual([
      ['Supply voltage', 12.1],
      ['Load current', 0.53],
    ]);
    expect(parse(p, 'temp: 21.5, hum: 40').fields).toEqual([
      ['temp', 21.5],
      ['hum', 40],
    ]);
    expect(parse(p, 'temp: 21.5 hum: 40').fields).toEqual([
      ['temp', 21.5],
      ['hum', 40],
    ]);
    expect(parse(p, 'sin:0.84\tcos:-0.54\t').fields).toEqual([
      ['sin', 0.84],
      ['cos', -0.54],
    ]);
    expect(parse(p, '512\t498\t').fields).toEqual([
      ['value1', 512],
      ['value2', 498],
    ]);
    expect(parse(p, '1,2\r').fields).toEqual([
      ['value1', 1],
      ['value2', 2],
    ]);
  });

  it('names bare values by their position among all tokens, labelled ones included', () => {
    const p = new PlotterParser();
    expect(parse(p, 'a:1,5,b:2,7').fields).toEqual([
      ['a', 1],
      ['value2', 5],
      ['b', 2],
      ['value4', 7],
    ]);
    expect(parse(p, ':3,4').fields).toEqual([
      ['value1', 3],
      ['value2', 4],
    ]);
    // A run of separators counts as one, as in the IDE 2 plotter.
    expect(parse(p, '1,,3').fields).toEqual([
      ['value1', 1],
      ['value2', 3],
    ]);
    expect(parse(p, '1 ,\t 3').fields).toEqual([
      ['value1', 1],
      ['value2', 3],
    ]);
  });

  it('reads any number of series (200 values on a line)', () => {
    const p = new PlotterParser();
    const values = Array.from({ length: 200 }, (_, i) => i * 0.5 - 7);
    const bare = parse(p, values.join(','));
    expect(bare.problems).toBeNull();
    expect(bare.fields).toHaveLength(200);
    expect(bare.fields[199]).toEqual(['value200', 199 * 0.5 - 7]);
    const labelled = parse(p, values.map((v, i) => `ch${i}:${v}`).join(' '));
    expect(labelled.fields.map(([n]) => n)).toEqual(values.map((_, i) => `ch${i}`));
    expect(labelled.fields.map(([, v]) => v)).toEqual(values);
  });

  it('keeps label names right when labels change from line to line', () => {
    const p = new PlotterParser();
    const { fields } = parseAll(p, ['a:1,b:2', 'a:3,c:4', 'ab:5,c:6', 'a:7', ' a :8, c :9']);
    expect(fields).toEqual([
      ['a', 1],
      ['b', 2],
      ['a', 3],
      ['c', 4],
      ['ab', 5],
      ['c', 6],
      ['a', 7],
      ['a', 8],
      ['c', 9],
    ]);
  });

  it('reports a non-numeric value and keeps the other fields of the line', () => {
    const p = new PlotterParser();
    const { fields, problems } = parse(p, 'temp:21.5,hum:abc,pres:1013');
    expect(fields).toEqual([
      ['temp', 21.5],
      ['pres', 1013],
    ]);
    expect(problems).toEqual([{ kind: 'non-numeric', message: 'field 2 "hum:abc" is not a number' }]);
    const bare = parse(p, '12 0x1F 13');
    expect(bare.fields).toEqual([
      ['value1', 12],
      ['value3', 13],
    ]);
    expect(kinds(bare.problems)).toEqual(['non-numeric']);
    const empty = parse(p, 'temp:,hum:40');
    expect(empty.fields).toEqual([['hum', 40]]);
    expect(empty.problems?.[0]?.message).toMatch(/has no value/);
  });

  it('reports NaN / inf / ovf values as not-finite and keeps the others', () => {
    const p = new PlotterParser();
    const { fields, problems } = parse(p, 'temp:nan,hum:40.5,flow:ovf,v:-inf');
    expect(fields).toEqual([['hum', 40.5]]);
    expect(kinds(problems)).toEqual(['not-finite', 'not-finite', 'not-finite']);
    expect(problems?.[0]?.message).toContain('"temp:nan"');
    // A line of only NaN keeps one problem per series (which sensor failed matters).
    expect(kinds(parse(p, 'nan nan').problems)).toEqual(['not-finite', 'not-finite']);
  });

  it('reports binary noise as garbage: one problem for a noise line, per token when good values surround it', () => {
    const p = new PlotterParser();
    const noise = parse(p, '\u0000\u0003\u00ff\u0001,\u0002\u0004\ufffd');
    expect(noise.fields).toEqual([]);
    expect(kinds(noise.problems)).toEqual(['garbage']);
    const mixed = parse(p, '\u0000\u0001x,12.5,13');
    expect(mixed.fields).toEqual([
      ['value2', 12.5],
      ['value3', 13],
    ]);
    expect(kinds(mixed.problems)).toEqual(['garbage']);
    expect(mixed.problems?.[0]?.message).toContain('\\u0000');
    // U+FFFD is what undecodable bytes become: noise too.
    const replaced = parse(p, '\ufffd\ufffd 5');
    expect(replaced.fields).toEqual([['value2', 5]]);
    expect(kinds(replaced.problems)).toEqual(['garbage']);
    const label = parse(p, 'te\u0007mp:5,hum:6');
    expect(label.fields).toEqual([['hum', 6]]);
    expect(kinds(label.problems)).toEqual(['garbage']);
  });

  it('reports a text line once, and yields nothing for an empty line', () => {
    const p = new PlotterParser();
    const boot = parse(p, 'Initializing BME280 sensor...');
    expect(boot.fields).toEqual([]);
    expect(boot.problems).toEqual([
      { kind: 'non-numeric', message: 'line has no numbers: "Initializing BME280 sensor..."' },
    ]);
    expect(parse(p, '')).toEqual({ fields: [], problems: null });
    expect(parse(p, '   \t ')).toEqual({ fields: [], problems: null });
  });

  it('lists at most 16 problems per line and sums up the rest, keeping the good value', () => {
    const p = new PlotterParser();
    const line = [...Array.from({ length: 40 }, (_, i) => `x${i}:bad`), 'ok:1'].join(',');
    const { fields, problems } = parse(p, line);
    expect(fields).toEqual([['ok', 1]]);
    expect(problems).toHaveLength(MAX_PROBLEMS_PER_LINE + 1);
    expect(problems?.[MAX_PROBLEMS_PER_LINE]).toEqual({
      kind: 'non-numeric',
      message: '24 more problems on this line (first non-numeric)',
    });
  });

  it('returns a fresh problem array per line', () => {
    const p = new PlotterParser();
    const a = parse(p, 'a:x').problems;
    const b = parse(p, 'b:y').problems;
    expect(a).not.toBe(b);
    expect(a?.[0]?.message).toContain('a:x');
  });
});
