// A table field's rows to and from CSV, for the window's Import CSV and Export CSV: the header names
// the columns (by key or by title, any case, in any order, some left out), each row's cells are
// text as the form holds it (checkboxes true/false). Problems name the line, as the technician's
// editor numbers it.

import { CsvError, formatCsv, parseCsv } from './csv';
import { fieldLabel, type ScalarField, type TableField } from './plugin-config-fields';
import { maxRows } from './plugin-config-table';

/** One row as the form edits it: text for number and text cells, true/false for checkboxes. */
export type TableDraftRow = Record<string, string | boolean>;

/** The most text an import reads: a 10,000-row register map is far below it. */
export const MAX_CSV_CHARS = 4 * 1024 * 1024;

const TRUE = new Set(['true', 'yes', 'y', '1', 'x', 'on']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off']);

const norm = (s: string): string => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** Which column each header cell is (its key), or a CsvError naming what is not a column. */
function headerColumns(field: TableField, header: string[], line: number): string[] {
  const byName = new Map<string, string>();
  for (const [key, col] of Object.entries(field.items.properties)) {
    byName.set(norm(key), key);
    byName.set(norm(fieldLabel(key, col)), key);
  }
  const keys: string[] = [];
  for (const cell of header) {
    const key = byName.get(norm(cell));
    if (!key) {
      const names = Object.keys(field.items.properties).join(', ');
      throw new CsvError(
        cell.trim() === ''
          ? `the header has an empty column name (the first line names the columns: ${names})`
          : `"${cell}" is not a column of this table (its columns: ${names})`,
        line,
      );
    }
    if (keys.includes(key)) throw new CsvError(`the header names the column "${key}" twice`, line);
    keys.push(key);
  }
  return keys;
}

function cellDraft(col: ScalarField, text: string, line: number, key: string): string | boolean {
  if (col.type !== 'boolean') return text;
  const t = text.trim().toLowerCase();
  if (t === '') return col.default ?? false;
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  throw new CsvError(`"${text}" in column "${key}" is not true or false (write true/false, yes/no or 1/0)`, line);
}

/**
 * The rows of a CSV text for this table, as the form holds them (cells checked later, as if
 * typed). Throws a CsvError naming the line when the text is not a table of these columns.
 */
export function tableFromCsv(field: TableField, text: string): TableDraftRow[] {
  if (text.length > MAX_CSV_CHARS)
    throw new CsvError(
      `the text is ${Math.round(text.length / 1024)} KB; at most ${MAX_CSV_CHARS / 1024 / 1024} MB`,
      1,
    );
  const records = parseCsv(text);
  const [header, ...body] = records;
  if (!header)
    throw new CsvError('there is nothing to import: the first line names the columns, then one row per line', 1);
  const keys = headerColumns(field, header.cells, header.line);
  const rows = body.filter((r) => r.cells.some((c) => c !== ''));
  const max = maxRows(field);
  if (rows.length > max)
    throw new CsvError(`there are ${rows.length} rows; this table takes at most ${max}`, rows[max]!.line);
  return rows.map((r) => {
    if (r.cells.length > keys.length)
      throw new CsvError(`${r.cells.length} cells, but the header names ${keys.length} columns`, r.line);
    const row: TableDraftRow = {};
    for (const [key, col] of Object.entries(field.items.properties))
      row[key] = col.type === 'boolean' ? (col.default ?? false) : '';
    r.cells.forEach((text, i) => {
      const key = keys[i]!;
      row[key] = cellDraft(field.items.properties[key]!, text, r.line, key);
    });
    return row;
  });
}

/** The rows as CSV: a header of column keys (what an import reads back exactly), then a line per row. */
export function tableToCsv(field: TableField, rows: readonly TableDraftRow[]): string {
  const keys = Object.keys(field.items.properties);
  return formatCsv([keys, ...rows.map((r) => keys.map((k) => String(r[k] ?? '')))]);
}
