// A plugin's configuration schema and its checks, shared by the plugin host (which refuses a bad
// config before anything runs) and the window (which draws the config form from the schema and
// checks as the technician types). The schema is a small subset of JSON Schema — an object of
// number, integer, string (optionally an enum) and boolean fields with defaults and ranges, and
// tables of such fields — so any JSON Schema tool reads it too, and a form can always be drawn.

import {
  FIELD_KEY,
  isObject,
  scalarFieldProblem,
  scalarValueProblem,
  show,
  type ConfigField,
  type ConfigValue,
  type ConfigValues,
} from './plugin-config-fields';
import { checkTable, tableFieldProblem, tableProblemWords } from './plugin-config-table';

export type {
  BooleanField,
  ConfigField,
  ConfigValue,
  ConfigValues,
  NumberField,
  ScalarField,
  StringField,
  TableField,
  TableItems,
  TableRow,
} from './plugin-config-fields';
export { fieldLabel } from './plugin-config-fields';
export { checkTable, DEFAULT_MAX_ROWS, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS, maxRows } from './plugin-config-table';

/** A plugin's configuration: an object of named fields, each with its type, range and default. */
export interface ConfigSchema {
  type: 'object';
  properties: { readonly [key: string]: ConfigField };
  /** Fields that must have a value (a field with a default always has one). */
  required?: readonly string[];
}

const MAX_FIELDS = 64;

/**
 * Why a schema cannot be used (null when it can). A schema the window could not draw a form
 * from, or whose own defaults break its rules, is refused before the plugin runs.
 */
export function schemaProblem(schema: unknown): string | null {
  if (!isObject(schema)) return `the config schema must be an object, got ${show(schema)}`;
  if (schema.type !== 'object') return `the config schema's "type" must be "object", got ${show(schema.type)}`;
  const props = schema.properties;
  if (!isObject(props)) return 'the config schema needs "properties": an object of fields';
  const keys = Object.keys(props);
  if (keys.length > MAX_FIELDS) return `the config schema has ${keys.length} fields; at most ${MAX_FIELDS}`;
  for (const key of keys) {
    if (!FIELD_KEY.test(key))
      return `config field name ${show(key)} must be a letter or "_" then letters, digits or "_"`;
    const problem = fieldProblem(key, props[key]);
    if (problem) return problem;
  }
  if (schema.required !== undefined) {
    if (!Array.isArray(schema.required) || !schema.required.every((r) => typeof r === 'string'))
      return 'the config schema\'s "required" must be a list of field names';
    for (const r of schema.required)
      if (!keys.includes(r)) return `the config schema requires ${show(r)}, which is not one of its fields`;
  }
  return null;
}

function fieldProblem(key: string, f: unknown): string | null {
  const where = `config field "${key}"`;
  if (!isObject(f)) return `${where} must be an object like { "type": "number" }`;
  for (const k of ['title', 'description'] as const)
    if (f[k] !== undefined && typeof f[k] !== 'string') return `${where}: "${k}" must be text`;
  return f.type === 'array' ? tableFieldProblem(where, f) : scalarFieldProblem(where, f);
}

/**
 * Why `value` does not fit the field (null when it does), phrased to follow the field's name.
 * For a table, the first problem with its row and column ("row 3: Address must be at most 65535").
 */
export function valueProblem(field: ConfigField, value: unknown): string | null {
  return field.type === 'array' ? tableProblemWords(checkTable(field, value)) : scalarValueProblem(field, value);
}

export type ConfigResult =
  { ok: true; config: ConfigValues } | { ok: false; message: string; problems: Record<string, string> };

const isScalar = (v: unknown): v is number | string | boolean =>
  typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

/**
 * The effective config: the schema's defaults, then the plugin's own defaults (plugin.json
 * `config`), then the technician's values. Unknown keys and values that break a field's rule are
 * refused, each named; a table's rows get their columns' defaults. Without a schema, any flat
 * object of numbers, text and booleans passes.
 */
export function resolveConfig(
  schema: ConfigSchema | null,
  ...layers: Array<Record<string, unknown> | undefined>
): ConfigResult {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) if (layer) Object.assign(merged, layer);
  const problems: Record<string, string> = {};
  const config: ConfigValues = {};
  if (!schema) {
    for (const [k, v] of Object.entries(merged)) {
      if (isScalar(v)) config[k] = v;
      else problems[k] = 'must be a number, text or true/false';
    }
  } else {
    for (const [k, field] of Object.entries(schema.properties)) {
      const v = merged[k] !== undefined ? merged[k] : field.default;
      if (v === undefined) {
        if (schema.required?.includes(k)) problems[k] = 'is required';
        continue;
      }
      if (field.type === 'array') {
        const check = checkTable(field, v);
        const p = tableProblemWords(check);
        if (p) problems[k] = p;
        else config[k] = check.rows;
        continue;
      }
      const p = scalarValueProblem(field, v);
      if (p) problems[k] = p;
      else config[k] = v as ConfigValue;
    }
    for (const k of Object.keys(merged)) if (!(k in schema.properties)) problems[k] = 'is not a setting of this plugin';
  }
  const keys = Object.keys(problems);
  if (keys.length === 0) return { ok: true, config };
  const message = keys
    .slice(0, 5)
    .map((k) => `${schema?.properties[k]?.title ?? k} ${problems[k]}`)
    .join('; ');
  return {
    ok: false,
    message: `config: ${message}${keys.length > 5 ? ` (and ${keys.length - 5} more)` : ''}`,
    problems,
  };
}
