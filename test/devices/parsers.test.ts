// The line parsers: every format with realistic device output, every problem kind with the good
// fields around it kept, the CSV header rules, format detection, and number recognition.
import { describe, expect, it } from 'vitest';
import {
  classifyNumber,
  createParser,
  CsvParser,
  detectParser,
  isNotFiniteText,
  JsonlParser,
  KvParser,
  MAX_PROBLEMS_PER_LINE,
  parseNumber,
  PlotterParser,
  scanNumber,
} from '../../src/main/devices/parsers';
import type { FieldValue, LineParser, LineProblem, ParserKind, ProblemKind } from '../../src/main/devices/types';

type Field = [string, FieldValue];

/** Feeds one line; returns its fields (in order) and problems. */
function parse(parser: LineParser, line: string): { fields: Field[]; problems: LineProblem[] | null } {
  const fields: Field[] = [];
  const problems = parser.parse(line, { field: (name, value) => fields.push([name, value]) });
  return { fields, problems };
}

/** Feeds lines; returns all fields and the problems of each line. */
function parseAll(parser: LineParser, lines: string[]): { fields: Field[]; problems: Array<LineProblem[] | null> } {
  const fields: Field[] = [];
  const problems = lines.map((l) => parser.parse(l, { field: (name, value) => fields.push([name, value]) }));
  return { fields, problems };
}

const kinds = (problems: LineProblem[] | null): ProblemKind[] => (problems ?? []).map((p) => p.kind);

describe('numbers', () => {
  it('reads decimal forms, with surrounding blanks trimmed', () => {
    const cases: Array<[string, number]> = [
      ['-4', -4],
      ['+1.5', 1.5],
      ['.5', 0.5],
      ['-.5', -0.5],
      ['12.', 12],
      ['1e-3', 0.001],
      ['2E+6', 2e6],
      [' 7 ', 7],
      ['\t3.25\r', 3.25],
      ['007', 7],
      ['0.000123', 0.000123],
      ['123456789012345678', 123456789012345680],
      ['1.7976931348623157e308', 1.7976931348623157e308],
      ['-0', -0],
    ];
    for (const [text, value] of cases) {
      expect(scanNumber(text, 0, text.length), text).toBe(value);
      expect(parseNumber(text), text).toBe(value);
      expect(classifyNumber(text), text).toBe('number');
    }
  });

  it('reads a range of a longer string without looking outside it', () => {
    const s = 'a:12.5,b:7';
    expect(scanNumber(s, 2, 6)).toBe(12.5);
    expect(scanNumber(s, 9, 10)).toBe(7);
    expect(scanNumber(s, 2, 2)).toBeNaN();
    expect(scanNumber(s, 0, 6)).toBeNaN();
  });

  it('agrees exactly with Number() on random decimals (fast and slow paths)', () => {
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const digits = (n: number): string => Array.from({ length: n }, () => String(Math.floor(rand() * 10))).join('');
    for (let i = 0; i < 20_000; i++) {
      const sign = rand() < 0.3 ? '-' : rand() < 0.1 ? '+' : '';
      const int = digits(Math.floor(rand() * 12));
      const frac = rand() < 0.7 ? `.${digits(Math.floor(rand() * 12))}` : '';
      const exp = rand() < 0.2 ? `e${rand() < 0.5 ? '-' : ''}${Math.floor(rand() * 40)}` : '';
      const text = `${sign}${int}${frac}${exp}`;
      const expected = /\d/.test(int + frac) ? Number(text) : NaN;
      const got = scanNumber(text, 0, text.length);
      if (!Object.is(got, expected)) expect(got, text).toBe(expected);
    }
  });

  it('refuses trailing text, hex, separators and incomplete forms', () => {
    for (const text of [
      '12abc',
      '0x1F',
      '0b101',
      '1_000',
      '1,5',
      '',
      '   ',
      '.',
      '-',
      '+',
      'e5',
      '1e',
      '1e+',
      '--1',
      '1..2',
      '1.2.3',
      '- 4',
      'abc',
    ]) {
      expect(scanNumber(text, 0, text.length), text).toBeNaN();
      expect(parseNumber(text), text).toBeUndefined();
      expect(classifyNumber(text), text).toBe('non-numeric');
    }
  });

  it('classifies NaN / infinity spellings and overflow as not-finite', () => {
    for (const text of [
      'nan',
      'NaN',
      '-nan',
      'inf',
      '-inf',
      '+INF',
      'Infinity',
      '-Infinity',
      'ovf',
      ' ovf ',
      '1.#INF',
      '-1.#IND',
      '-nan(ind)',
      '1e999',
      '-1e400',
    ]) {
      expect(classifyNumber(text), text).toBe('not-finite');
      expect(isNotFiniteText(text), text).toBe(true);
    }
    for (const text of ['nano', 'info', 'infinite', 'n', 'Ovfl', '1e308'])
      expect(isNotFiniteText(text), text).toBe(false);
  });
});

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

describe('csv parser', () => {
  it('reads a logger CSV with a header, quoted fields, embedded commas and quotes', () => {
    const p = new CsvParser();
    const { fields, problems } = parseAll(p, [
      'time_ms,voltage,current,state,note',
      '1000,12.01,0.52,idle,',
      '"1001","12.02","0.55","charging, fast","said ""hi"""',
      '1002, 12.03 ,,idle, spaced ',
    ]);
    expect(problems).toEqual([null, null, null, null]);
    expect(fields).toEqual([
      ['time_ms', 1000],
      ['voltage', 12.01],
      ['current', 0.52],
      ['state', 'idle'],
      ['time_ms', 1001],
      ['voltage', 12.02],
      ['current', 0.55],
      ['state', 'charging, fast'],
      ['note', 'said "hi"'],
      ['time_ms', 1002],
      ['voltage', 12.03],
      ['state', 'idle'],
      ['note', 'spaced'],
    ]);
    expect(p.header).toEqual(['time_ms', 'voltage', 'current', 'state', 'note']);
  });

  it('handles a header change and skips a repeated header silently', () => {
    const p = new CsvParser();
    const { fields, problems } = parseAll(p, [
      'time,voltage',
      '1,12.0',
      'time,voltage', // reprinted after a reset
      '2,12.1',
      'time,voltage,current', // new firmware
      '3,12.2,0.5',
    ]);
    expect(problems).toEqual([null, null, null, null, null, null]);
    expect(fields).toEqual([
      ['time', 1],
      ['voltage', 12.0],
      ['time', 2],
      ['voltage', 12.1],
      ['time', 3],
      ['voltage', 12.2],
      ['current', 0.5],
    ]);
    expect(p.header).toEqual(['time', 'voltage', 'current']);
  });

  it('names data before any header col1…, and cells beyond the header colN', () => {
    const p = new CsvParser();
    expect(parse(p, '5,6').fields).toEqual([
      ['col1', 5],
      ['col2', 6],
    ]);
    parse(p, 'a,b');
    expect(parse(p, '1,2,3,,5').fields).toEqual([
      ['a', 1],
      ['b', 2],
      ['col3', 3],
      ['col5', 5],
    ]);
  });

  it('emits text cells as strings, reports NaN as not-finite and keeps the good cells', () => {
    const p = new CsvParser();
    parse(p, 'time,temp,hum,status');
    const { fields, problems } = parse(p, '7,nan,40.5,SENSOR TIMEOUT');
    expect(fields).toEqual([
      ['time', 7],
      ['hum', 40.5],
      ['status', 'SENSOR TIMEOUT'],
    ]);
    expect(problems).toEqual([{ kind: 'not-finite', message: 'field 2 (temp) "nan" is not finite' }]);
    // A row of placeholders in numeric columns is data, not a new header.
    const na = parse(p, 'n/a,n/a,-,?');
    expect(na.fields).toEqual([
      ['time', 'n/a'],
      ['temp', 'n/a'],
      ['hum', '-'],
      ['status', '?'],
    ]);
    expect(p.header).toEqual(['time', 'temp', 'hum', 'status']);
  });

  it('reports noise cells as garbage and a noise line once', () => {
    const p = new CsvParser();
    parse(p, 'a,b,c');
    const mixed = parse(p, '1,\u0000\u0001,3');
    expect(mixed.fields).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(kinds(mixed.problems)).toEqual(['garbage']);
    const noise = parse(p, '\u0000\u00ff,\u0003,\u0004');
    expect(noise.fields).toEqual([]);
    expect(kinds(noise.problems)).toEqual(['garbage']);
    expect(p.header).toEqual(['a', 'b', 'c']);
  });

  it('reports an unterminated quote as malformed and still reads the line', () => {
    const p = new CsvParser();
    parse(p, 'id,msg');
    const { fields, problems } = parse(p, '4,"door open');
    expect(fields).toEqual([
      ['id', 4],
      ['msg', 'door open'],
    ]);
    expect(kinds(problems)).toEqual(['malformed']);
  });

  it('reads semicolon files with decimal commas', () => {
    const p = new CsvParser();
    const { fields, problems } = parseAll(p, ['Zeit;Spannung;Strom', '1;12,5;0,25', '2;12.6;"0,3"']);
    expect(problems).toEqual([null, null, null]);
    expect(fields).toEqual([
      ['Zeit', 1],
      ['Spannung', 12.5],
      ['Strom', 0.25],
      ['Zeit', 2],
      ['Spannung', 12.6],
      ['Strom', 0.3],
    ]);
  });

  it('ignores trailing separators in header and data (Arduino loops printing "x,")', () => {
    const p = new CsvParser();
    const { fields } = parseAll(p, ['time,temp,', '1,20.5,']);
    expect(p.header).toEqual(['time', 'temp']);
    expect(fields).toEqual([
      ['time', 1],
      ['temp', 20.5],
    ]);
  });

  it('reads an all-text row whose columns carried text before as data, not as a header', () => {
    const p = new CsvParser();
    const { fields } = parseAll(p, ['state,mode,temp', 'idle,auto,21.5', 'busy,manual']);
    expect(fields).toEqual([
      ['state', 'idle'],
      ['mode', 'auto'],
      ['temp', 21.5],
      ['state', 'busy'],
      ['mode', 'manual'],
    ]);
    expect(p.header).toEqual(['state', 'mode', 'temp']);
  });

  it('does not take a row with empty cells in the middle, or a single text cell, for a header', () => {
    const p = new CsvParser();
    parse(p, 'time,state,temp');
    expect(parse(p, ',idle,').fields).toEqual([['state', 'idle']]);
    expect(parse(p, 'rebooting').fields).toEqual([['time', 'rebooting']]);
    expect(p.header).toEqual(['time', 'state', 'temp']);
  });

  it('suffixes repeated header names', () => {
    const p = new CsvParser();
    parse(p, 'v,v,v');
    expect(parse(p, '1,2,3').fields).toEqual([
      ['v', 1],
      ['v_2', 2],
      ['v_3', 3],
    ]);
  });

  it('yields nothing for an empty line', () => {
    expect(parse(new CsvParser(), '  ')).toEqual({ fields: [], problems: null });
  });
});

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
