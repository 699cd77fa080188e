// The field types of a plugin's config schema and the checks of one scalar field (number,
// integer, string, boolean): its own rules when the schema is read, and a value against them.
// Tables (plugin-config-table.ts) are made of these fields, so both share one set of rules.

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
  /** "password": the window masks what is typed (JSON Schema's format annotation). */
  format?: 'password';
}

export interface BooleanField extends FieldBase {
  type: 'boolean';
  default?: boolean;
}

/** A field holding one value: a table's columns are these too. */
export type ScalarField = NumberField | StringField | BooleanField;

/** One row of a table field: column key → value. */
export type TableRow = Record<string, number | string | boolean>;

/** The columns of a table field: an object of scalar fields, as JSON Schema's `items`. */
export interface TableItems {
  type: 'object';
  properties: { readonly [column: string]: ScalarField };
  /** Columns every row must fill (a column with a default is always filled). */
  required?: readonly string[];
}

/** A list of rows edited as a table, e.g. a device's register map. */
export interface TableField extends FieldBase {
  type: 'array';
  items: TableItems;
  default?: readonly TableRow[];
  minItems?: number;
  /** At most this many rows (default 1000; never more than 10,000). */
  maxItems?: number;
}

export type ConfigField = ScalarField | TableField;

export type ConfigValue = number | string | boolean | TableRow[];
export type ConfigValues = Record<string, ConfigValue>;

/** Field and column keys: what a JSON key, a form id and `${config.<key>}` can all carry. */
export const FIELD_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const show = (v: unknown): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
};
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Why a scalar field's own rules cannot be used (null when they can); `where` names it. */
export function scalarFieldProblem(where: string, f: Record<string, unknown>): string | null {
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
      // Only the format the window acts on: a schema promising "email" checks would mislead.
      if (f.format !== undefined && f.format !== 'password')
        return `${where}: "format" may only be "password", got ${show(f.format)}`;
      break;
    }
    case 'boolean':
      break;
    default:
      return `${where}: "type" must be "number", "integer", "string", "boolean" or "array", got ${show(f.type)}`;
  }
  if (f.default !== undefined) {
    const p = scalarValueProblem(f as unknown as ScalarField, f.default);
    if (p) return `${where}: its default ${show(f.default)} ${p}`;
  }
  return null;
}

/** Why `value` does not fit a scalar field (null when it does), phrased to follow its name. */
export function scalarValueProblem(field: ScalarField, value: unknown): string | null {
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

/**
 * A column's or field's name in a technician's words: its title, else its key made readable
 * ("address" → "Address", "unit_id" → "Unit id", "slaveId" → "Slave id").
 */
export function fieldLabel(key: string, field: { title?: string }): string {
  if (field.title) return field.title;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? `${words[0]!.toUpperCase()}${words.slice(1)}` : key;
}
