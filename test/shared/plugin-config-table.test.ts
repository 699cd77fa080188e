// Table fields of the plugin config schema (src/shared/plugin-config*.ts): the schema's own rules,
// each row's defaults, each cell checked with the scalar rules and named by row and column in a
// technician's words, the row cap, unknown columns, and the envelope the contract and the
// settings file accept.
import { describe, expect, it } from 'vitest';
import { ConfigValuesSchema } from '../../src/shared/config-values';
import {
  checkTable,
  fieldLabel,
  resolveConfig,
  schemaProblem,
  valueProblem,
  type ConfigSchema,
  type TableField,
} from '../../src/shared/plugin-config';
import { REGISTERS_TABLE } from '../fixtures/register-table';

const registers: TableField = { ...REGISTERS_TABLE, description: 'One row per holding register', minItems: 0 };
const schema: ConfigSchema = { type: 'object', properties: { registers, rate: { type: 'number', default: 1 } } };

describe('table fields in the config schema', () => {
  it('is a valid schema, and its default rows get their columns’ defaults', () => {
    expect(schemaProblem(schema)).toBeNull();
    const r = resolveConfig(schema);
    expect(r).toEqual({
      ok: true,
      config: { rate: 1, registers: [{ unit: 1, address: 0, type: 'u16', metric: 'volts' }] },
    });
  });

  it('fills each row’s defaults and keeps what the technician set', () => {
    const r = resolveConfig(schema, undefined, {
      registers: [
        { address: 10, metric: 'amps', type: 's16' },
        { unit: 7, address: 11, metric: 'temp' },
      ],
    });
    expect(r.ok && r.config.registers).toEqual([
      { unit: 1, address: 10, type: 's16', metric: 'amps' },
      { unit: 7, address: 11, type: 'u16', metric: 'temp' },
    ]);
    // An empty table is a value too (minItems 0): it does not fall back to the default rows.
    const empty = resolveConfig(schema, { registers: [] });
    expect(empty.ok && empty.config.registers).toEqual([]);
  });

  it('names the row (from 1) and the column of a bad cell, after the table’s title', () => {
    const rows = [
      { address: 1, metric: 'a' },
      { address: 2, metric: 'b' },
      { address: 70000, metric: 'c' },
    ];
    const r = resolveConfig(schema, { registers: rows });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toBe('config: Registers row 3: Address must be at most 65535');
    expect(r.problems.registers).toBe('row 3: Address must be at most 65535');
  });

  it('says every kind of cell problem in words, and counts the rest', () => {
    const check = checkTable(registers, [
      { metric: 'a' },
      { address: 1.5, metric: 'b' },
      { address: 2, metric: '' },
      { address: 3, metric: 'd', type: 'f32' },
      { address: 4, metric: 'e', gain: 2 },
      'not a row',
      { address: '5', metric: 'g', unit: -1 },
    ]);
    expect(check.problems).toEqual([
      'row 1: Address is required',
      'row 2: Address must be a whole number',
      'row 3: Metric is required',
      'row 4: Type must be one of "u16", "s16"',
      'row 5: "gain" is not a column of this table',
      'row 6 must be a set of columns like { "unit": … }',
      'row 7: Unit must be at least 0',
      'row 7: Address must be a number',
    ]);
    expect(check.rows).toEqual([]);
    expect(valueProblem(registers, [{ metric: 'a' }, { metric: 'b' }])).toBe('row 1: Address is required (and 1 more)');
  });

  it('caps the rows: the schema’s maxItems, else 1000', () => {
    const many = (n: number): unknown[] => Array.from({ length: n }, (_, i) => ({ address: i, metric: `m${i}` }));
    expect(checkTable(registers, many(500)).count).toBe(0);
    expect(checkTable(registers, many(501)).problems).toEqual(['has 501 rows; at most 500']);
    const { maxItems: _, ...uncapped } = registers;
    expect(checkTable(uncapped, many(1000)).count).toBe(0);
    expect(valueProblem(uncapped, many(1001))).toBe('has 1001 rows; at most 1000');
    expect(valueProblem({ ...registers, minItems: 2 }, many(1))).toBe('needs at least 2 rows');
    expect(valueProblem(registers, 'x')).toBe('must be a table (a list of rows)');
  });

  it('refuses table schemas a form could not be drawn from, saying why', () => {
    const withTable = (t: unknown): unknown => ({ type: 'object', properties: { t } });
    const cols = (properties: unknown, more: object = {}): unknown =>
      withTable({ type: 'array', items: { type: 'object', properties }, ...more });
    expect(schemaProblem(withTable({ type: 'array' }))).toMatch(/"items" must describe a row/);
    expect(schemaProblem(cols({}))).toMatch(/at least one column/);
    expect(schemaProblem(cols({ a: { type: 'array', items: {} } }))).toMatch(/column "a".*not tables/);
    expect(schemaProblem(cols({ a: { type: 'object' } }))).toMatch(/column "a": "type" must be/);
    expect(schemaProblem(cols({ 'a-b': { type: 'number' } }))).toMatch(/column "a-b": a column name/);
    expect(schemaProblem(cols({ a: { type: 'number', minimum: 5, maximum: 1 } }))).toMatch(/"minimum" 5 is above/);
    expect(schemaProblem(cols({ a: { type: 'number' } }, { maxItems: 20_000 }))).toMatch(/"maxItems" must be.*10000/);
    expect(schemaProblem(cols({ a: { type: 'number' } }, { minItems: 3, maxItems: 2 }))).toMatch(
      /"minItems" 3 is above/,
    );
    expect(
      schemaProblem(
        withTable({ type: 'array', items: { type: 'object', properties: { a: { type: 'number' } }, required: ['b'] } }),
      ),
    ).toMatch(/"items.required" names "b"/);
    expect(schemaProblem(cols({ a: { type: 'number', maximum: 3 } }, { default: [{ a: 4 }] }))).toBe(
      'config field "t": its default row 1: A must be at most 3',
    );
    const wide = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`c${i}`, { type: 'number' }]));
    expect(schemaProblem(cols(wide))).toMatch(/33 columns; at most 32/);
  });

  it('takes "format": "password" on text fields and no other format', () => {
    const pw = { type: 'object', properties: { password: { type: 'string', format: 'password' } } };
    expect(schemaProblem(pw)).toBeNull();
    expect(schemaProblem({ type: 'object', properties: { e: { type: 'string', format: 'email' } } })).toMatch(
      /"format" may only be "password"/,
    );
  });

  it('labels columns in words when they have no title', () => {
    expect(fieldLabel('address', {})).toBe('Address');
    expect(fieldLabel('unit_id', {})).toBe('Unit id');
    expect(fieldLabel('slaveId', {})).toBe('Slave id');
    expect(fieldLabel('x', { title: 'Register' })).toBe('Register');
  });

  it('the contract and the settings file carry tables, bounded', () => {
    const rows = [{ unit: 1, address: 0, type: 'u16', metric: 'volts' }];
    expect(ConfigValuesSchema.parse({ registers: rows, rate: 2 })).toEqual({ registers: rows, rate: 2 });
    const bad = (v: unknown): string => ConfigValuesSchema.safeParse({ t: v }).error?.issues[0]?.message ?? 'ok';
    expect(bad([{ a: 1 }, { b: Number.NaN }])).toBe('row 2, column "b": must be a finite number');
    expect(bad([{ a: [1] }])).toMatch(/row 1, column "a": a setting is a number, text or true\/false/);
    expect(bad([[1]])).toMatch(/row 1 of a table must be an object/);
    expect(bad(Array.from({ length: 10_001 }, () => ({})))).toMatch(/at most 10000 rows/);
    expect(bad([{ a: 'x'.repeat(5000) }])).toMatch(/at most 4096 characters/);
  });
});
