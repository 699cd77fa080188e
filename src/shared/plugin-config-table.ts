// Table fields of a plugin's config schema: a list of rows whose columns are scalar fields, e.g.
// a device's register map ({ unit, address, type, metric } per row). The schema is JSON Schema's
// `{ "type": "array", "items": { "type": "object", ... } }`; each row gets its columns' defaults,
// each cell is checked with the scalar rules, and a problem names the row and the column.

import {
  FIELD_KEY,
  fieldLabel,
  isObject,
  scalarFieldProblem,
  scalarValueProblem,
  show,
  type TableField,
  type TableRow,
} from './plugin-config-fields';

/** Rows a table holds when its schema names no `maxItems`. */
export const DEFAULT_MAX_ROWS = 1000;
/** The most rows any table may declare: a settings file and a window form stay small. */
export const MAX_TABLE_ROWS = 10_000;
export const MAX_TABLE_COLUMNS = 32;
/** Problems listed per table: the first ones are what a technician fixes first anyway. */
const MAX_LISTED = 20;

/** Why a table field's schema cannot be used (null when it can); `where` names the field. */
export function tableFieldProblem(where: string, f: Record<string, unknown>): string | null {
  const items = f.items;
  if (!isObject(items) || items.type !== 'object' || !isObject(items.properties))
    return `${where}: "items" must describe a row: { "type": "object", "properties": { … } }`;
  const columns = Object.keys(items.properties);
  if (columns.length === 0) return `${where}: a table needs at least one column in "items.properties"`;
  if (columns.length > MAX_TABLE_COLUMNS) return `${where} has ${columns.length} columns; at most ${MAX_TABLE_COLUMNS}`;
  for (const key of columns) {
    const at = `${where} column "${key}"`;
    if (!FIELD_KEY.test(key)) return `${at}: a column name must be a letter or "_" then letters, digits or "_"`;
    const c = items.properties[key];
    if (!isObject(c)) return `${at} must be an object like { "type": "number" }`;
    if (c.type === 'array') return `${at}: a table's columns are numbers, text or true/false, not tables`;
    for (const k of ['title', 'description'] as const)
      if (c[k] !== undefined && typeof c[k] !== 'string') return `${at}: "${k}" must be text`;
    const p = scalarFieldProblem(at, c);
    if (p) return p;
  }
  if (items.required !== undefined) {
    if (!Array.isArray(items.required) || !items.required.every((r) => typeof r === 'string'))
      return `${where}: "items.required" must be a list of column names`;
    for (const r of items.required)
      if (!columns.includes(r)) return `${where}: "items.required" names ${show(r)}, which is not one of its columns`;
  }
  for (const k of ['minItems', 'maxItems'] as const) {
    const v = f[k];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_TABLE_ROWS))
      return `${where}: "${k}" must be a whole number from 0 to ${MAX_TABLE_ROWS}`;
  }
  if (typeof f.minItems === 'number' && typeof f.maxItems === 'number' && f.minItems > f.maxItems)
    return `${where}: "minItems" ${f.minItems} is above "maxItems" ${f.maxItems}`;
  if (f.default !== undefined) {
    const r = checkTable(f as unknown as TableField, f.default);
    if (r.problems.length > 0) return `${where}: its default ${r.problems[0]}`;
  }
  return null;
}

export interface TableCheck {
  /** The rows with their columns' defaults filled in (those without a problem). */
  rows: TableRow[];
  /** The first problems, in a technician's words: "row 3: Address must be at most 65535". */
  problems: string[];
  /** How many problems there are in all. */
  count: number;
}

/** Most rows the table takes. */
export const maxRows = (f: TableField): number => f.maxItems ?? DEFAULT_MAX_ROWS;

/** A table's value checked: rows with defaults filled in, and every problem (row numbers from 1). */
export function checkTable(field: TableField, value: unknown): TableCheck {
  if (!Array.isArray(value)) return { rows: [], problems: ['must be a table (a list of rows)'], count: 1 };
  const max = maxRows(field);
  if (value.length > max) return { rows: [], problems: [`has ${value.length} rows; at most ${max}`], count: 1 };
  const problems: string[] = [];
  if (field.minItems !== undefined && value.length < field.minItems)
    problems.push(`needs at least ${field.minItems} row${field.minItems === 1 ? '' : 's'}`);
  const columns = field.items.properties;
  const required = field.items.required ?? [];
  const rows: TableRow[] = [];
  value.forEach((raw: unknown, i) => {
    const where = `row ${i + 1}`;
    if (!isObject(raw)) {
      problems.push(`${where} must be a set of columns like { "${Object.keys(columns)[0]}": … }`);
      return;
    }
    const row: TableRow = {};
    let bad = false;
    for (const [key, col] of Object.entries(columns)) {
      const v = raw[key] !== undefined ? raw[key] : col.default;
      const label = fieldLabel(key, col);
      if (v === undefined) {
        if (required.includes(key)) {
          problems.push(`${where}: ${label} is required`);
          bad = true;
        }
        continue;
      }
      const p = scalarValueProblem(col, v);
      if (p) {
        problems.push(`${where}: ${label} ${p}`);
        bad = true;
      } else row[key] = v as number | string | boolean;
    }
    for (const key of Object.keys(raw))
      if (!(key in columns)) {
        problems.push(`${where}: ${show(key)} is not a column of this table`);
        bad = true;
      }
    if (!bad) rows.push(row);
  });
  return { rows, problems: problems.slice(0, MAX_LISTED), count: problems.length };
}

/** The one line a table's problems make after its name, e.g. "row 3: Address must be … (and 2 more)". */
export function tableProblemWords(check: TableCheck): string | null {
  if (check.count === 0) return null;
  return check.count === 1 ? check.problems[0]! : `${check.problems[0]} (and ${check.count - 1} more)`;
}
