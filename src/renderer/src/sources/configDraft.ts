// A plugin's config as the settings form edits it — text for number and text fields, true/false
// for checkboxes, rows of those for a table — and back to the values plugin.configure takes, with
// a problem per field (and per table cell). Pure functions, so the rules match the host's: both
// use the checks of the shared schema module.
import {
  fieldLabel,
  valueProblem,
  type ConfigField,
  type ConfigSchema,
  type ConfigValues,
  type ScalarField,
  type TableField,
  type TableRow,
} from '../../../shared/plugin-config';
import type { TableDraftRow } from '../../../shared/table-csv';

export type { TableDraftRow } from '../../../shared/table-csv';
export type ConfigDraft = Record<string, string | boolean | TableDraftRow[]>;

/** Per table field, per cell (`<row index>.<column key>`), why the cell is wrong. */
export type CellProblems = Record<string, Record<string, string>>;

export const cellKey = (row: number, column: string): string => `${row}.${column}`;

function scalarDraft(f: ScalarField, v: unknown): string | boolean {
  if (f.type === 'boolean') return typeof v === 'boolean' ? v : (f.default ?? false);
  if (f.type === 'string' && f.enum) return typeof v === 'string' ? v : (f.default ?? '');
  return v === undefined || typeof v === 'object' ? '' : String(v);
}

/** A row as the table editor shows it: a cell left to its default shows blank (its placeholder). */
export function rowDraft(field: TableField, row: Record<string, unknown> = {}): TableDraftRow {
  const d: TableDraftRow = {};
  for (const [k, col] of Object.entries(field.items.properties)) d[k] = scalarDraft(col, row[k]);
  return d;
}

/** The form's starting values: the instance's config (the host sends the effective one). */
export function draftFromConfig(schema: ConfigSchema, config: ConfigValues): ConfigDraft {
  const d: ConfigDraft = {};
  for (const [k, f] of Object.entries(schema.properties)) {
    const v = config[k];
    if (f.type === 'array') {
      const rows: readonly unknown[] = Array.isArray(v) ? v : (f.default ?? []);
      d[k] = rows.map((r) => rowDraft(f, typeof r === 'object' && r !== null ? (r as Record<string, unknown>) : {}));
    } else d[k] = scalarDraft(f, v);
  }
  return d;
}

type Parsed = { set: true; value: string | number | boolean } | { set: false } | { problem: string };

/** One field's (or cell's) draft as a value: unset (the default applies) or a value, or why it is wrong. */
function parseField(f: ScalarField, raw: unknown, required: boolean): Parsed {
  if (f.type === 'boolean') return { set: true, value: raw === true };
  const text = typeof raw === 'string' ? raw : '';
  const blank = f.type === 'string' ? text === '' : text.trim() === '';
  if (blank) {
    // An empty field means "the default"; without one, only a required field must be filled.
    if (f.default === undefined && required) return { problem: 'is required' };
    return { set: false };
  }
  const value = f.type === 'string' ? text : Number(text.trim());
  const problem = valueProblem(f, value);
  return problem ? { problem } : { set: true, value };
}

/** Human words for a field's range, e.g. "from 0.1 to 1000 Hz" (null when unbounded). */
export function rangeWords(f: ConfigField): string | null {
  if (f.type !== 'number' && f.type !== 'integer') return null;
  const unit = f.unit ? ` ${f.unit}` : '';
  const whole = f.type === 'integer' ? 'a whole number ' : '';
  if (f.minimum !== undefined && f.maximum !== undefined) return `${whole}from ${f.minimum} to ${f.maximum}${unit}`;
  if (f.minimum !== undefined) return `${whole}of at least ${f.minimum}${unit}`;
  if (f.maximum !== undefined) return `${whole}of at most ${f.maximum}${unit}`;
  return f.type === 'integer' ? 'a whole number' : null;
}

/** A table's rows as values, each bad cell's problem, and the table's own problem in the host's words. */
function parseTable(
  f: TableField,
  raw: unknown,
): { rows: TableRow[]; cells: Record<string, string>; problem: string | null } {
  const drafts: TableDraftRow[] = Array.isArray(raw) ? (raw as TableDraftRow[]) : [];
  const required = f.items.required ?? [];
  const rows: TableRow[] = [];
  const cells: Record<string, string> = {};
  let first: string | null = null;
  drafts.forEach((d, i) => {
    const row: TableRow = {};
    for (const [key, col] of Object.entries(f.items.properties)) {
      const r = parseField(col, d[key], required.includes(key));
      if ('problem' in r) {
        cells[cellKey(i, key)] = r.problem;
        first ??= `row ${i + 1}: ${fieldLabel(key, col)} ${r.problem}`;
      } else if (r.set) row[key] = r.value;
    }
    rows.push(row);
  });
  const count = Object.keys(cells).length;
  if (first !== null) return { rows, cells, problem: count > 1 ? `${first} (and ${count - 1} more)` : first };
  // The cells are fine: what is left is the table's own rules (how many rows).
  return { rows, cells, problem: valueProblem(f, rows) };
}

/** The values to send, the problem of each field that has one, and each bad table cell's. */
export function configFromDraft(
  schema: ConfigSchema,
  draft: ConfigDraft,
): { config: ConfigValues; problems: Record<string, string>; cells: CellProblems } {
  const config: ConfigValues = {};
  const problems: Record<string, string> = {};
  const cells: CellProblems = {};
  for (const [k, f] of Object.entries(schema.properties)) {
    if (f.type === 'array') {
      const t = parseTable(f, draft[k]);
      if (Object.keys(t.cells).length > 0) cells[k] = t.cells;
      if (t.problem) problems[k] = t.problem;
      else config[k] = t.rows;
      continue;
    }
    const r = parseField(f, draft[k], schema.required?.includes(k) ?? false);
    if ('problem' in r) problems[k] = r.problem;
    else if (r.set) config[k] = r.value;
  }
  return { config, problems, cells };
}
