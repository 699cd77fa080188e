// ctx.config's type, as a plugin author's editor and tsc see it: `tsc -p tsconfig.node.json` checks
// these assertions (a wrong type fails the type check), and vitest runs them so a renamed export
// fails here too. The @ts-expect-error lines prove the types are narrow, not `any`.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { definePlugin, type ConfigOf, type PluginContext } from '../../src/main/plugins/api';
import { REGISTER_COLUMNS, REGISTERS_TABLE } from '../fixtures/register-table';

const schema = {
  type: 'object',
  properties: {
    rateHz: { type: 'number', default: 10 },
    host: { type: 'string', format: 'password' },
    registers: {
      ...REGISTERS_TABLE,
      items: { ...REGISTERS_TABLE.items, properties: { ...REGISTER_COLUMNS, scale: { type: 'number' } } },
    },
    optionalTable: {
      type: 'array',
      items: { type: 'object', properties: { on: { type: 'boolean' } } },
    },
  },
} as const;

type Row = { address: number; metric: string; unit: number; type: 'u16' | 's16'; scale?: number };

describe('ctx.config typing', () => {
  it('types a table field as rows: required and defaulted columns set, the others optional', () => {
    type C = ConfigOf<typeof schema>;
    expectTypeOf<C['registers']>().toEqualTypeOf<Row[]>();
    expectTypeOf<C['rateHz']>().toEqualTypeOf<number>();
    expectTypeOf<C['host']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<C['optionalTable']>().toEqualTypeOf<Array<{ on?: boolean }> | undefined>();

    const plugin = definePlugin({
      id: 'psu',
      name: 'PSU',
      version: '1.0.0',
      config: schema,
      setup(ctx) {
        expectTypeOf(ctx).toEqualTypeOf<PluginContext<C>>();
        const first = ctx.config.registers[0];
        if (first) {
          const kind: 'u16' | 's16' = first.type;
          const unit: number = first.unit;
          // @ts-expect-error — a column that may be missing is not a plain number
          const scale: number = first.scale;
          // @ts-expect-error — not a column of the table
          void first.nope;
          void [kind, unit, scale];
        }
      },
    });
    expect(plugin.config?.properties.registers.maxItems).toBe(500);
  });
});
