// A plugin's configuration schema and its checks, shared by the plugin host (which refuses a bad
// config before anything runs) and the window (which draws the config form from the schema and
// checks as the technician types). The schema is a small subset of JSON Schema — an object of
// number, integer, string (optionally an enum) and boolean fields with defaults and ranges —
// so any JSON Schema tool reads it too, and a form can always be drawn from it.

interface FieldBase {
  /** The label of the field in the window (default: the field's key). */
  title?: string;
  /** One line of help under the field. */
  description?: string;
}

export interface NumberField extends FieldBase {
  type: 'number' | 'integer';
  default?: number;
  minimum?: number;
  maximum?: number;
  /** Shown beside the field, e.g. "Hz". Not part of JSON Schema; tools ignore it. */
  unit?: string;
}

export interface StringField extends FieldBase {
  type: 'string';
  default?: string;
  /** The only values allowed (the window shows a list to pick from). */
  enum?: readonly string[];
  minLength?: number;
  maxLength?: number;
  /** A regular expression the whole value must match. */
  pattern?: string;
}

export interface BooleanField extends FieldBase {
  type: 'boolean';
  default?: boolean;
}

export type ConfigField = NumberField | StringField | BooleanField;

/** A plugin's configuration: an object of named fields, each with its type, range and default. */
export interface ConfigSchema {
  type: 'object';
  properties: { readonly [key: string]: ConfigField };
  /** Fields that must have a value (a field with a default always has one). */
  required?: readonly string[];
}

export type ConfigValue = number | string | boolean;
export type ConfigValues = Record<string, ConfigValue>;

const FIELD_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_FIELDS = 64;

const show = (v: unknown): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

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
  switch (f.type) {
    case 'number':
    case 'integer': {
      for (const k of ['minimum', 'maximum'] as const)
        if (f[k] !== undefined && !isFiniteNumber(f[k])) return `${where}: "${k}" must be a number`;
      if (isFiniteNumber(f.minimum) && isFiniteNumber(f.maximum) && f.minimum > f.maximum)
        return `${where}: "minimum" ${f.minimum} is above "maximum" ${f.maximum}`;
      if (f.unit !== undefined && typeof f.unit !== 'string') return `${where}: "unit" must be text`;
      break;
    }
    case 'string': {
      if (f.enum !== undefined) {
        if (!Array.isArray(f.enum) || f.enum.length === 0 || !f.enum.every((e) => typeof e === 'string'))
          return `${where}: "enum" must be a non-empty list of text values`;
      }
      for (const k of ['minLength', 'maxLength'] as const)
        if (f[k] !== undefined && !(Number.isInteger(f[k]) && (f[k] as number) >= 0))
          return `${where}: "${k}" must be a whole number ≥ 0`;
      if (f.pattern !== undefined) {
        if (typeof f.pattern !== 'string') return `${where}: "pattern" must be a regular expression as text`;
        try {
          new RegExp(f.pattern, 'u');
        } catch (e) {
          return `${where}: "pattern" is not a valid regular expression (${(e as Error).message})`;
        }
      }
      break;
    }
    case 'boolean':
      break;
    default:
      return `${where}: "type" must be "number", "integer", "string" or "boolean", got ${show(f.type)}`;
  }
  if (f.default !== undefined) {
    const p = valueProblem(f as unknown as ConfigField, f.default);
    if (p) return `${where}: its default ${show(f.default)} ${p}`;
  }
  return null;
}

/** Why `value` does not fit the field (null when it does), phrased to follow the field's name. */
export function valueProblem(field: ConfigField, value: unknown): string | null {
  switch (field.type) {
    case 'number':
    case 'integer': {
      if (!isFiniteNumber(value)) return 'must be a number';
      if (field.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
      if (field.minimum !== undefined && value < field.minimum) return `must be at least ${field.minimum}`;
      if (field.maximum !== undefined && value > field.maximum) return `must be at most ${field.maximum}`;
      return null;
    }
    case 'string': {
      if (typeof value !== 'string') return 'must be text';
      if (field.enum && !field.enum.includes(value)) return `must be one of ${field.enum.map(show).join(', ')}`;
      if (field.minLength !== undefined && value.length < field.minLength)
        return field.minLength === 1 ? 'is required' : `must be at least ${field.minLength} characters`;
      if (field.maxLength !== undefined && value.length > field.maxLength)
        return `must be at most ${field.maxLength} characters`;
      if (field.pattern !== undefined && !new RegExp(`^(?:${field.pattern})$`, 'u').test(value))
        return `must match ${field.pattern}`;
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
  }
}

export type ConfigResult =
  { ok: true; config: ConfigValues } | { ok: false; message: string; problems: Record<string, string> };

/**
 * The effective config: the schema's defaults, then the plugin's own defaults (plugin.json
 * `config`), then the technician's values. Unknown keys and values that break a field's rule are
 * refused, each named. Without a schema, any flat object of numbers, text and booleans passes.
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
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') config[k] = v;
      else problems[k] = 'must be a number, text or true/false';
    }
  } else {
    for (const [k, field] of Object.entries(schema.properties)) {
      const v = merged[k] !== undefined ? merged[k] : field.default;
      if (v === undefined) {
        if (schema.required?.includes(k)) problems[k] = 'is required';
        continue;
      }
      const p = valueProblem(field, v);
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
