// The JSON lines parser with realistic device output: flattening, not-finite values, malformed lines
// and nesting limits.
import { describe, expect, it } from 'vitest';
import { JsonlParser } from '../../src/main/devices/parsers';
import { parse, kinds } from './parse-lines';

describe('jsonl parser', () => {
  it('flattens nested objects with dots and arrays by index', () => {
    const p = new JsonlParser();
    const { fields, problems } = parse(
      p,
      '{"psu":{"v":12.1,"i":0.52,"ch":[{"on":true},{"on":false}]},"state":"charging","cells":[3.61,3.62],"err":null,"t":17}',
    );
    expect(problems).toBeNull();
    expect(fields).toEqual([
      ['psu.v', 12.1],
      ['psu.i', 0.52],
      ['psu.ch.0.on', true],
      ['psu.ch.1.on', false],
      ['state', 'charging'],
      ['cells.0', 3.61],
      ['cells.1', 3.62],
      ['t', 17],
    ]);
  });

  it('reports NaN strings, overflowing numbers and Python bare NaN/Infinity as not-finite, keeping the rest', () => {
    const p = new JsonlParser();
    const a = parse(p, '{"temp":"nan","hum":40.5,"big":1e999}');
    expect(a.fields).toEqual([['hum', 40.5]]);
    expect(kinds(a.problems)).toEqual(['not-finite', 'not-finite']);
    const py = parse(p, '{"t": 1.5, "v": NaN, "w": [-Infinity, 2], "s": "NaN, really"}');
    expect(py.fields).toEqual([
      ['t', 1.5],
      ['w.1', 2],
      ['s', 'NaN, really'],
    ]);
    expect(py.problems?.map((x) => x.message)).toEqual(['"v" is NaN (not finite)', '"w.0" is -Infinity (not finite)']);
  });

  it('reports invalid JSON and non-object lines as malformed, noise as garbage', () => {
    const p = new JsonlParser();
    for (const line of ['{"a":1', 'hello', '[1,2,3]', '42', '"text"', 'null', '{"a":1}}']) {
      const r = parse(p, line);
      expect(r.fields, line).toEqual([]);
      expect(kinds(r.problems), line).toEqual(['malformed']);
    }
    const noise = parse(p, '\u0000\u0013\u00ff{');
    expect(kinds(noise.problems)).toEqual(['garbage']);
    expect(parse(p, '  ')).toEqual({ fields: [], problems: null });
  });

  it('stops at 16 levels of nesting with one malformed problem, keeping the shallow fields', () => {
    const p = new JsonlParser();
    let deep = '{"x":1}';
    for (let i = 0; i < 20; i++) deep = `{"d":${deep}}`;
    const ok15 = `{"top":2,"a":${'{"b":'.repeat(14)}5${'}'.repeat(14)}}`;
    const { fields, problems } = parse(p, `{"top":2,"deep":${deep},"after":3}`);
    expect(fields).toEqual([
      ['top', 2],
      ['after', 3],
    ]);
    expect(kinds(problems)).toEqual(['malformed']);
    expect(problems?.[0]?.message).toMatch(/deeper than 16 levels/);
    const shallow = parse(p, ok15);
    expect(shallow.problems).toBeNull();
    expect(shallow.fields[1]).toEqual([`a${'.b'.repeat(14)}`, 5]);
  });

  it('trims keys and reports empty keys', () => {
    const p = new JsonlParser();
    const { fields, problems } = parse(p, '{" temp ":1,"":2,"o":{" ":3,"k":4}}');
    expect(fields).toEqual([
      ['temp', 1],
      ['o.k', 4],
    ]);
    expect(kinds(problems)).toEqual(['malformed', 'malformed']);
  });
});
