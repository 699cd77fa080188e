// The CSV line parser with realistic logger output: header rules, quoting, separators and decimal
// commas, and its problems.
import { describe, expect, it } from 'vitest';
import { CsvParser } from '../../src/main/devices/parsers';
import { parse, parseAll, kinds } from './parse-lines';

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
