// The key=value line parser with realistic device output: separators, quoting, and its problems.
import { describe, expect, it } from 'vitest';
import { KvParser } from '../../src/main/devices/parsers';
import { parse, parseAll, kinds } from './parse-lines';

describe('kv parser', () => {
  it('reads pairs separated by spaces, commas or semicolons, with quoted values', () => {
    const p = new KvParser();
    expect(parse(p, 'temp=21.5 hum=40').fields).toEqual([
      ['temp', 21.5],
      ['hum', 40],
    ]);
    expect(parse(p, 'a=1,b=2').fields).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(parse(p, 'a=1; b=2;').fields).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(parse(p, 'state=ok msg="door open" code=7')).toEqual({
      fields: [
        ['state', 'ok'],
        ['msg', 'door open'],
        ['code', 7],
      ],
      problems: null,
    });
    expect(parse(p, 'msg="say \\"hi\\", a\\\\b";n=1').fields).toEqual([
      ['msg', 'say "hi", a\\b'],
      ['n', 1],
    ]);
    expect(parse(p, 'temp = 21.5 level= 3').fields).toEqual([
      ['temp', 21.5],
      ['level', 3],
    ]);
  });

  it('keeps quoted numbers as strings, skips empty values, and handles `a= b=2`', () => {
    const p = new KvParser();
    expect(parse(p, 'id="0042" n=0042').fields).toEqual([
      ['id', '0042'],
      ['n', 42],
    ]);
    expect(parse(p, 'a= b=2 c=""')).toEqual({ fields: [['b', 2]], problems: null });
  });

  it('reports a token without = as malformed and keeps the pairs around it', () => {
    const p = new KvParser();
    const { fields, problems } = parse(p, 'temp=21.5 oops hum=40');
    expect(fields).toEqual([
      ['temp', 21.5],
      ['hum', 40],
    ]);
    expect(problems).toEqual([{ kind: 'malformed', message: '"oops" is not a key=value pair' }]);
    const noKey = parse(p, '=5 a=1');
    expect(noKey.fields).toEqual([['a', 1]]);
    expect(kinds(noKey.problems)).toEqual(['malformed']);
  });

  it('reports a line without pairs once', () => {
    const p = new KvParser();
    expect(parse(p, 'Sensor init failed, retrying')).toEqual({
      fields: [],
      problems: [{ kind: 'malformed', message: 'no key=value pairs in "Sensor init failed, retrying"' }],
    });
    expect(kinds(parse(p, '\u0000\u0001 \u0002').problems)).toEqual(['garbage']);
    expect(parse(p, '')).toEqual({ fields: [], problems: null });
  });

  it('reports NaN values (quoted or not) as not-finite, noise as garbage, keeping the rest', () => {
    const p = new KvParser();
    const { fields, problems } = parse(p, 'v=NaN i=0.5 p="inf" x=\u0000\u0001 k\u0002=1 ok=yes');
    expect(fields).toEqual([
      ['i', 0.5],
      ['ok', 'yes'],
    ]);
    expect(kinds(problems)).toEqual(['not-finite', 'not-finite', 'garbage', 'garbage']);
  });

  it('reports an unterminated quote as malformed and keeps the value', () => {
    const p = new KvParser();
    const { fields, problems } = parse(p, 'n=1 msg="door open');
    expect(fields).toEqual([
      ['n', 1],
      ['msg', 'door open'],
    ]);
    expect(kinds(problems)).toEqual(['malformed']);
  });

  it('keeps key names right when keys change from line to line', () => {
    const p = new KvParser();
    const { fields } = parseAll(p, ['a=1 b=2', 'a=3 bb=4', 'a=5 b=6']);
    expect(fields.map(([n]) => n)).toEqual(['a', 'b', 'a', 'bb', 'a', 'b']);
  });
});
