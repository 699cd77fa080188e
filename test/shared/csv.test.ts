// CSV for the table editor's Import CSV / Export CSV (src/shared/csv.ts, src/shared/table-csv.ts):
// what a technician pastes from a device manual or a spreadsheet, comma or semicolon separated,
// quoted cells, a header of keys or titles; bad text is refused naming the line.
import { describe, expect, it } from 'vitest';
import { CsvError, formatCsv, guessSeparator, parseCsv } from '../../src/shared/csv';
import type { TableField } from '../../src/shared/plugin-config';
import { tableFromCsv, tableToCsv } from '../../src/shared/table-csv';

const registers: TableField = {
  type: 'array',
  title: 'Registers',
  items: {
    type: 'object',
    properties: {
      unit: { type: 'integer', default: 1 },
      address: { type: 'integer', title: 'Register address' },
      type: { type: 'string', enum: ['u16', 's16'], default: 'u16' },
      metric: { type: 'string' },
      enabled: { type: 'boolean', default: true },
    },
    required: ['address', 'metric'],
  },
  maxItems: 3,
};

const cells = (text: string): string[][] => parseCsv(text).map((r) => r.cells);
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('parseCsv', () => {
  it('reads commas or semicolons, guessed from the first line outside quotes', () => {
    expect(guessSeparator('a;b;c\n1,5;2;3')).toBe(';');
    expect(guessSeparator('"a;b",c\n')).toBe(',');
    expect(cells('a;b\r\n1,5;2\r\n')).toEqual([
      ['a', 'b'],
      ['1,5', '2'],
    ]);
    expect(cells('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('reads quoted cells: separators, "" and line breaks inside; spaces kept inside quotes only', () => {
    const recs = parseCsv('\uFEFFname, note\n"a, b" , "say ""hi"""\n\n  "two\nlines",  x  \n');
    expect(recs).toEqual([
      { line: 1, cells: ['name', 'note'] },
      { line: 2, cells: ['a, b', 'say "hi"'] },
      { line: 4, cells: ['two\nlines', 'x'] },
    ]);
    expect(cells('" padded ",b')).toEqual([[' padded ', 'b']]);
    expect(cells('a,,c\n,,\n')).toEqual([
      ['a', '', 'c'],
      ['', '', ''],
    ]);
  });

  it('refuses broken quoting, naming the line', () => {
    expect(errorOf(() => parseCsv('a,b\n1,"2\n3,4\n'))).toBe('line 2: a quoted cell is never closed (a " is missing)');
    expect(errorOf(() => parseCsv('a,b\n\n"1"2,3'))).toMatch(/^line 3: text after a closing quote/);
  });

  it('writes cells that need it in quotes, and reads its own output back', () => {
    const rows = [
      ['a', 'b,c', 'say "hi"'],
      [' x', 'two\nlines', ''],
    ];
    const text = formatCsv(rows);
    expect(text).toBe('a,"b,c","say ""hi"""\r\n" x","two\nlines",\r\n');
    expect(cells(text)).toEqual(rows);
  });

  it('stays linear on a large paste', () => {
    const big = `a,b\n${'1,"x"\n'.repeat(200_000)}`;
    const t = Date.now();
    expect(parseCsv(big)).toHaveLength(200_001);
    expect(Date.now() - t).toBeLessThan(5000);
  });
});

describe('a table from CSV and back', () => {
  it('maps a header of keys or titles (any case, any order, some left out) to the columns', () => {
    const rows = tableFromCsv(registers, 'Register Address;METRIC;type\n40001;volts;s16\n40002 ; amps;\n');
    expect(rows).toEqual([
      { unit: '', address: '40001', type: 's16', metric: 'volts', enabled: true },
      { unit: '', address: '40002', type: '', metric: 'amps', enabled: true },
    ]);
    expect(tableFromCsv(registers, 'metric,enabled\nv,no\nw,YES\nx,\n').map((r) => r.enabled)).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('refuses what is not a table of these columns, naming the line', () => {
    expect(errorOf(() => tableFromCsv(registers, 'address,gain\n1,2'))).toBe(
      'line 1: "gain" is not a column of this table (its columns: unit, address, type, metric, enabled)',
    );
    expect(errorOf(() => tableFromCsv(registers, 'address,Register address\n1,2'))).toMatch(
      /names the column "address" twice/,
    );
    expect(errorOf(() => tableFromCsv(registers, 'address,metric\n1,a\n2,b,c'))).toBe(
      'line 3: 3 cells, but the header names 2 columns',
    );
    expect(errorOf(() => tableFromCsv(registers, 'metric,enabled\nv,maybe'))).toMatch(
      /^line 2: "maybe" in column "enabled" is not true or false/,
    );
    expect(errorOf(() => tableFromCsv(registers, 'address\n1\n2\n3\n4\n5'))).toBe(
      'line 5: there are 5 rows; this table takes at most 3',
    );
    expect(errorOf(() => tableFromCsv(registers, '\n\n'))).toMatch(/^line 1: there is nothing to import/);
  });

  it('exports a header of keys and a line per row, and imports it back unchanged', () => {
    const rows = [
      { unit: '2', address: '40001', type: 'u16', metric: 'a,b', enabled: false },
      { unit: '', address: '7', type: 's16', metric: 'say "x"', enabled: true },
    ];
    const text = tableToCsv(registers, rows);
    expect(text.split('\r\n')[0]).toBe('unit,address,type,metric,enabled');
    expect(tableFromCsv(registers, text)).toEqual(rows);
  });
});
