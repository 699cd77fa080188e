// A plugin instance's settings as stored and sent: name → number, text, true/false, or a table
// (a list of rows of those). What each plugin accepts is its own schema's business
// (plugin-config.ts); this is only the envelope, bounded so a request or a settings file stays small.

import { z } from 'zod';
import { MAX_TABLE_COLUMNS, MAX_TABLE_ROWS } from './plugin-config-table';

const MAX_TEXT = 4096;

const isCell = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isFinite(v)) ||
  (typeof v === 'string' && v.length <= MAX_TEXT) ||
  typeof v === 'boolean';

const cellWords = (v: unknown): string =>
  typeof v === 'number'
    ? 'must be a finite number'
    : typeof v === 'string'
      ? `text is at most ${MAX_TEXT} characters`
      : 'a setting is a number, text or true/false';

/** Why a table's value does not fit the envelope (null when it does). */
function tableEnvelopeProblem(rows: unknown[]): string | null {
  if (rows.length > MAX_TABLE_ROWS) return `a table has at most ${MAX_TABLE_ROWS} rows, got ${rows.length}`;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      return `row ${i + 1} of a table must be an object of column → value`;
    const cells = Object.entries(row);
    if (cells.length > MAX_TABLE_COLUMNS)
      return `row ${i + 1} has ${cells.length} columns; at most ${MAX_TABLE_COLUMNS}`;
    for (const [k, v] of cells) {
      if (k.length > 64) return `row ${i + 1}: a column name is at most 64 characters`;
      if (!isCell(v)) return `row ${i + 1}, column "${k}": ${cellWords(v)}`;
    }
  }
  return null;
}

const valueProblem = (v: unknown): string | null =>
  Array.isArray(v) ? tableEnvelopeProblem(v) : isCell(v) ? null : cellWords(v);

const configValue = z.custom<number | string | boolean | Array<Record<string, number | string | boolean>>>(
  (v) => valueProblem(v) === null,
  { error: (iss) => valueProblem(iss.input) ?? 'a setting is a number, text, true/false or a table' },
);

export const ConfigValuesSchema = z.record(z.string().max(64), configValue);
