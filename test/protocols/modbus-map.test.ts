// The Modbus plugin's pure parts: decoding registers, its settings' tables (their columns' checks,
// the README's map imported as the window imports CSV), checking the map across rows and grouping
// it into requests. The plugin run against a real device is in modbus-tcp/modbus-rtu.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../plugins/modbus/config';
import { decodeRegisters, encodeRegisters, scaled, VALUE_TYPES, WORD_ORDERS } from '../../plugins/modbus/decode';
import { describeRead, faultOf } from '../../plugins/modbus/faults';
import {
  checkRegisterMap,
  planRequests,
  type Field,
  type GroupRow,
  type ReadRequest,
  type RegisterRow,
} from '../../plugins/modbus/register-map';
import { readingLine } from '../../plugins/modbus/status';
import {
  resolveConfig,
  schemaProblem,
  type ConfigValues,
  type TableField,
  type TableRow,
} from '../../src/shared/plugin-config';
import { tableFromCsv, type TableDraftRow } from '../../src/shared/table-csv';

const TCP = { gap: 8, maxRegisters: 125, rtu: false };

function field(address: number, extra: Partial<Field> = {}): Field {
  return {
    row: 1,
    metric: `m${address}`,
    unitId: 1,
    fn: 'holding',
    address,
    type: 'u16',
    words: 'big',
    scale: 1,
    offset: 0,
    unit: '',
    group: 'main',
    span: 1,
    ...extra,
  };
}
const shape = (reqs: ReadRequest[]) =>
  reqs.map((r) => `${r.unitId}/${r.fn}/${r.address}+${r.count}:${r.fields.length}`);

describe('decode', () => {
  it('reads each type from known registers in both word orders', () => {
    expect(decodeRegisters([51234], 0, 'u16', 'big')).toBe(51234);
    expect(decodeRegisters([0xfb2e], 0, 's16', 'big')).toBe(-1234);
    expect(decodeRegisters([0xb2d0, 0x5e00], 0, 'u32', 'big')).toBe(3_000_000_000);
    expect(decodeRegisters([0x5e00, 0xb2d0], 0, 'u32', 'little')).toBe(3_000_000_000);
    expect(decodeRegisters([0xf8a4, 0x32eb], 0, 's32', 'big')).toBe(-123_456_789);
    expect(decodeRegisters([0x32eb, 0xf8a4], 0, 's32', 'little')).toBe(-123_456_789);
    expect(decodeRegisters([0x4366, 0xb333], 0, 'f32', 'big')).toBe(Math.fround(230.7));
    expect(decodeRegisters([0xb333, 0x4366], 0, 'f32', 'little')).toBe(Math.fround(230.7));
    expect(decodeRegisters([0xc0c8, 0x1cd6, 0xe63a, 0x5c1c], 0, 'f64', 'big')).toBe(-12345.678901);
    expect(decodeRegisters([0x5c1c, 0xe63a, 0x1cd6, 0xc0c8], 0, 'f64', 'little')).toBe(-12345.678901);
    expect(decodeRegisters([7, 0xffff, 0xfffe, 9], 1, 's32', 'big')).toBe(-2); // at an offset
  });

  it('round-trips every type and word order, and refuses an answer too short', () => {
    const samples: Record<string, number[]> = {
      u16: [0, 1, 65535],
      bool: [0, 1],
      s16: [-32768, -1, 0, 32767],
      u32: [0, 65536, 4_294_967_295],
      s32: [-2_147_483_648, -70000, 2_147_483_647],
      f32: [Math.fround(-1.5e-7), Math.fround(3.25e12)],
      f64: [Math.PI, -0.1, 1e300],
    };
    for (const type of VALUE_TYPES)
      for (const words of WORD_ORDERS)
        for (const v of samples[type]!)
          expect(decodeRegisters(encodeRegisters(v, type, words), 0, type, words)).toBe(v);
    expect(() => decodeRegisters([1, 2, 3], 1, 'f64', 'big')).toThrow(RangeError);
    expect(scaled(2345, 0.1, -10)).toBe(2345 * 0.1 - 10);
  });
});

describe('planning requests', () => {
  it('reads contiguous and nearby registers of one unit and function in one request', () => {
    const fields = [field(0), field(1), field(2, { type: 'f32', span: 2 }), field(12), field(30)];
    expect(shape(planRequests(fields, { gap: 8, maxRegisters: 125 }))).toEqual([
      '1/holding/0+13:4',
      '1/holding/30+1:1',
    ]);
    expect(shape(planRequests(fields, { gap: 0, maxRegisters: 125 }))).toEqual([
      '1/holding/0+4:3',
      '1/holding/12+1:1',
      '1/holding/30+1:1',
    ]);
    // Other units and functions never share a request, whatever their addresses.
    const mixed = [field(0), field(1, { unitId: 2 }), field(2, { fn: 'input' }), field(3)];
    expect(shape(planRequests(mixed, { gap: 8, maxRegisters: 125 }))).toEqual([
      '1/holding/0+4:2',
      '1/input/2+1:1',
      '2/holding/1+1:1',
    ]);
    // One register read two ways shares it.
    expect(shape(planRequests([field(5), field(5, { metric: 'again', type: 's16' })], TCP))).toEqual([
      '1/holding/5+1:2',
    ]);
  });

  it('splits at 125 registers, 2000 bits and the configured maximum, never inside a value', () => {
    const regs = Array.from({ length: 130 }, (_, i) => field(i));
    expect(shape(planRequests(regs, TCP))).toEqual(['1/holding/0+125:125', '1/holding/125+5:5']);
    const wide = [
      ...Array.from({ length: 62 }, (_, i) => field(2 * i, { type: 'f32', span: 2 })),
      field(124, { type: 'f64', span: 4 }),
    ];
    expect(shape(planRequests(wide, TCP))).toEqual(['1/holding/0+124:62', '1/holding/124+4:1']);
    expect(shape(planRequests(regs.slice(0, 25), { gap: 8, maxRegisters: 10 }))).toEqual([
      '1/holding/0+10:10',
      '1/holding/10+10:10',
      '1/holding/20+5:5',
    ]);
    const coils = Array.from({ length: 2500 }, (_, i) => field(i, { fn: 'coil' }));
    expect(shape(planRequests(coils, TCP))).toEqual(['1/coil/0+2000:2000', '1/coil/2000+500:500']);
    // Bits bridge 16 × gap unused addresses: coils 0 and 100 together, 0 and 200 not.
    expect(shape(planRequests([field(0, { fn: 'coil' }), field(100, { fn: 'coil' })], TCP))).toEqual([
      '1/coil/0+101:2',
    ]);
    expect(planRequests([field(0, { fn: 'coil' }), field(200, { fn: 'coil' })], TCP)).toHaveLength(2);
  });
});

/** A register-map row with the columns' defaults, as the host hands it to the plugin. */
const row = (r: Pick<RegisterRow, 'metric' | 'address'> & Partial<RegisterRow>): RegisterRow => ({
  unit_id: 1,
  function: 'holding',
  type: 'u16',
  words: 'big',
  scale: 1,
  offset: 0,
  unit: '',
  group: 'main',
  ...r,
});
const MAIN: GroupRow[] = [{ group: 'main', interval_s: 1 }];
const problemsOf = (r: ReturnType<typeof checkRegisterMap>): string[] => (r.ok ? [] : r.problems);

/** The settings resolved as the host does (defaults, then these) as r, and their map checked over TCP. */
function resolvedMap(values: Record<string, unknown>, more?: Record<string, unknown>) {
  const r = resolveConfig(configSchema, values, more);
  if (!r.ok) throw new Error(r.message);
  const map = checkRegisterMap(
    r.config.registers as unknown as RegisterRow[],
    r.config.groups as unknown as GroupRow[],
    TCP,
  );
  if (!map.ok) throw new Error(map.problems.join('; '));
  return { r, map };
}

describe('the settings schema', () => {
  /** The settings as the host resolves them before setup: defaults, then these; every cell checked. */
  const resolve = (values: Record<string, unknown>) => resolveConfig(configSchema, values);

  it('is a schema the window can draw, whose example map is a map the plugin runs', () => {
    expect(schemaProblem(configSchema)).toBeNull();
    const { map } = resolvedMap({});
    expect(map.groups.map((g) => [g.name, g.fields.map((f) => f.metric), shape(g.requests)])).toEqual([
      ['main', ['voltage', 'current', 'energy'], ['1/holding/256+2:1', '1/input/0+4:2']],
    ]);
  });

  it('fills in the columns left out, and refuses a bad cell naming its row and column', () => {
    const ok = resolve({ registers: [{ metric: 'v', address: 3 }], groups: [{ group: 'fast' }] });
    expect(ok.ok && ok.config.registers).toEqual([row({ metric: 'v', address: 3 })]);
    expect(ok.ok && ok.config.groups).toEqual([{ group: 'fast', interval_s: 1 }]);

    const cell = (registers: TableRow[]): string | undefined => {
      const r = resolve({ registers });
      return r.ok ? undefined : r.problems.registers;
    };
    expect(
      cell([
        { metric: 'a', address: 0 },
        { metric: 'power', address: 2, type: 'f16' },
      ]),
    ).toBe('row 2: Type must be one of "u16", "s16", "u32", "s32", "f32", "f64", "bool"');
    expect(cell([{ metric: 'far', address: 70000 }])).toBe('row 1: Address must be at most 65535');
    expect(cell([{ metric: 'x', address: 1.5 }])).toBe('row 1: Address must be a whole number');
    expect(cell([{ metric: 'x', address: '4x0001' }])).toBe('row 1: Address must be a number');
    expect(cell([{ metric: 'x', address: 0, unit_id: 300 }])).toBe('row 1: Unit id must be at most 255');
    expect(cell([{ metric: 'x', address: 0, function: 'register' }])).toMatch(/^row 1: Function must be one of /);
    expect(cell([{ metric: 'x', address: 0, words: 'middle' }])).toBe(
      'row 1: Word order must be one of "big", "little"',
    );
    expect(cell([{ metric: 'x', address: 0, scale: 'x10' }])).toBe('row 1: Scale must be a number');
    expect(cell([{ metric: 'L1 voltage', address: 0 }])).toMatch(/^row 1: Metric must match /);
    expect(cell([{ address: 0 }])).toBe('row 1: Metric is required');
    expect(cell([{ metric: 'x' }])).toBe('row 1: Address is required');
    expect(cell([{ metric: 'x', address: 0, colour: 'red' }])).toBe('row 1: "colour" is not a column of this table');
    expect(cell([])).toBe('needs at least 1 row');
    // Several problems: the first, and how many more (the window marks each bad cell).
    expect(cell([{ metric: 'x', address: -1, type: 'f16' }])).toMatch(
      /^row 1: Address must be at least 0 \(and 1 more\)$/,
    );
    // The message the plugin's card shows.
    const r = resolve({ registers: [{ metric: 'far', address: 70000 }], groups: [{ group: 'main', interval_s: -1 }] });
    expect(r.ok ? '' : r.message).toBe(
      'config: Register map row 1: Address must be at most 65535; Groups row 1: Interval (s) must be at least 0',
    );
  });
});

describe("the README's worked example", () => {
  const readme = readFileSync(join(__dirname, '../../plugins/modbus/README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```csv\n([\s\S]*?)```/g)].map((m) => m[1]!);

  /** A table's CSV as the window imports it: Import CSV's rows, then each cell read as the form reads it. */
  function imported(key: 'registers' | 'groups', text: string): TableRow[] {
    const field = configSchema.properties[key] as TableField;
    return tableFromCsv(field, text).map((draft: TableDraftRow) => {
      const out: TableRow = {};
      for (const [col, f] of Object.entries(field.items.properties)) {
        const cell = draft[col];
        if (typeof cell === 'boolean') out[col] = cell;
        else if (cell !== undefined && cell.trim() !== '') out[col] = f.type === 'string' ? cell : Number(cell);
      }
      return out;
    });
  }

  it('imports as CSV into the tables and is read as the README says', () => {
    expect(blocks).toHaveLength(2);
    const config: ConfigValues = {
      registers: imported('registers', blocks[0]!),
      groups: imported('groups', blocks[1]!),
    };
    const { r, map } = resolvedMap(config, { host: '192.168.1.40' });
    const line = readingLine('192.168.1.40:502', map.groups);
    expect(readme.replace(/\n/g, ' ')).toContain(`\`${line}\``);
    expect(map.groups.map((g) => shape(g.requests))).toEqual([
      ['1/input/0+8:4', '1/input/52+2:1', '1/input/70+2:1'],
      ['1/holding/256+2:1', '1/discrete/0+1:1'],
    ]);
    expect(map.groups[1]!.fields[0]).toMatchObject({ metric: 'energy_import', scale: 0.01, unit: 'kWh' });

    // The short header the README mentions, with semicolons: the same rows.
    const short = blocks[0]!
      .trim()
      .split('\n')
      .map((l) => {
        const c = l.split(',');
        return [c[0], c[2], c[3], c[4], c[5], c[8], c[9]].join(';');
      })
      .join('\n')
      .replace('metric;function;address;type;words;unit;group', 'Metric;Function;Address;Type;Word order;Unit;Group');
    const again = resolveConfig(configSchema, { ...config, registers: imported('registers', short) }, { host: 'x' });
    if (!again.ok) throw new Error(again.message);
    // Only the scale of energy_import differs (left out of the short header: the default 1).
    const rows = again.config.registers as TableRow[];
    expect(rows.map((x) => (x.metric === 'energy_import' ? { ...x, scale: 0.01 } : x))).toEqual(r.config.registers);
  });
});

describe('checking the register map across rows', () => {
  const groups: GroupRow[] = [
    { group: 'fast', interval_s: 0.1 },
    { group: 'slow', interval_s: 10 },
    { group: 'unused', interval_s: 1 },
  ];

  it('plans each group that has rows, at its interval', () => {
    const r = checkRegisterMap(
      [
        row({ metric: 'v', function: 'input', address: 0, type: 'f32', words: 'little', unit: 'V', group: 'fast' }),
        row({ metric: 'a', function: 'input', address: 2, type: 'f32', words: 'little', unit: 'A', group: 'fast' }),
        row({ metric: 'kwh', address: 100, type: 'u32', scale: 0.01, unit: 'kWh', group: 'slow' }),
        // The same registers read two ways (one start address) is allowed.
        row({ metric: 'kwh_raw', address: 100, type: 'u32', words: 'little', group: 'slow' }),
        row({ metric: 'kwh_high', address: 100, group: 'slow' }),
      ],
      groups,
      TCP,
    );
    if (!r.ok) throw new Error(r.problems.join('; '));
    expect(r.groups.map((g) => [g.name, g.intervalMs, shape(g.requests)])).toEqual([
      ['fast', 100, ['1/input/0+4:2']],
      ['slow', 10_000, ['1/holding/100+2:3']],
    ]);
    expect(r.groups[0]!.fields[1]).toMatchObject({ row: 2, metric: 'a', unit: 'A', span: 2, words: 'little' });
  });

  it('names the row of every problem no single cell shows, in the order of the rows', () => {
    const r = checkRegisterMap(
      [
        row({ metric: 'ok', address: 0 }),
        row({ metric: 'ok', address: 1 }),
        row({ metric: 'v1', function: 'input', address: 0, type: 'f32' }),
        row({ metric: 'v2', function: 'input', address: 1, type: 'f32' }),
        row({ metric: 's', address: 65535, type: 'f32' }),
        row({ metric: 't', address: 10, type: 'bool' }),
        row({ metric: 'relay', function: 'coil', address: 3, type: 'f32' }),
        row({ metric: 'y', address: 20, group: 'hourly' }),
        row({ metric: 'wide', address: 30, type: 'f64' }),
        row({ metric: 'inside', address: 32 }),
        // Other units and functions never overlap; nor do coils at one address.
        row({ metric: 'other_unit', unit_id: 2, address: 1, type: 'f32' }),
        row({ metric: 'c1', function: 'coil', address: 0, type: 'bool' }),
        row({ metric: 'c2', function: 'coil', address: 0, type: 'bool' }),
      ],
      MAIN,
      TCP,
    );
    expect(problemsOf(r)).toEqual([
      'row 2 (ok): metric "ok" is already row 1',
      'row 4 (v2): input registers 1–2 overlap row 3 (v1), input registers 0–1: is an address off? (to read the same registers two ways, give both rows the same address)',
      'row 5 (s): a f32 at address 65535 would end past 65535',
      'row 6 (t): type bool is for coils and discrete inputs, not holding registers',
      'row 7 (relay): a coil is one bit: its type must be bool, not f32',
      'row 8 (y): group "hourly" is not in the groups table (it has "main")',
      'row 10 (inside): holding register 32 overlaps row 9 (wide), holding registers 30–33: is an address off? (to read the same registers two ways, give both rows the same address)',
    ]);
  });

  it('reports an overlap on the later row whichever starts first, and every row overlapping a wide value', () => {
    const r = checkRegisterMap(
      [
        row({ metric: 'low', address: 1 }),
        row({ metric: 'pair', address: 0, type: 'u32' }),
        row({ metric: 'next', address: 4 }),
      ],
      MAIN,
      TCP,
    );
    expect(problemsOf(r)).toEqual([
      'row 2 (pair): holding registers 0–1 overlap row 1 (low), holding register 1: is an address off? (to read the same registers two ways, give both rows the same address)',
    ]);
    const wide = checkRegisterMap(
      [
        row({ metric: 'w', address: 0, type: 'f64' }),
        row({ metric: 'a', address: 1 }),
        row({ metric: 'b', address: 3 }),
      ],
      MAIN,
      TCP,
    );
    expect(problemsOf(wide).map((p) => p.slice(0, 9))).toEqual(['row 2 (a)', 'row 3 (b)']);
  });

  it('refuses what only a serial line or the limits forbid, an empty map and bad groups', () => {
    const rows = [
      row({ metric: 'b', unit_id: 0, address: 0 }),
      row({ metric: 'd', address: 4, type: 'f64' }),
      row({ metric: 'gw', unit_id: 255, address: 0 }),
    ];
    const rtu = checkRegisterMap(rows, MAIN, { gap: 8, maxRegisters: 2, rtu: true });
    expect(problemsOf(rtu)).toEqual([
      'row 1 (b): unit id 0 is broadcast, which no device answers: on a serial line use 1 to 247',
      'row 2 (d): a f64 spans 4 registers, more than the 2 per request allowed ("Registers per request")',
      'row 3 (gw): unit id 255 is reserved on a serial line: use 1 to 247',
    ]);
    expect(checkRegisterMap(rows, MAIN, TCP).ok).toBe(true); // units 0 and 255 are fine over TCP
    const empty = checkRegisterMap(
      [],
      [
        { group: 'main', interval_s: 1 },
        { group: ' main ', interval_s: 2 },
        { group: '  ', interval_s: 1 },
      ],
      TCP,
    );
    expect(problemsOf(empty)).toEqual([
      'groups row 2: group "main" is listed twice',
      'groups row 3: the group needs a name',
      'the register map is empty: add a row for each value to read',
    ]);
  });
});

describe('faults in words', () => {
  const req = (extra: Partial<ReadRequest> = {}): ReadRequest => ({
    unitId: 1,
    fn: 'holding',
    address: 40100,
    count: 1,
    fields: [field(40100)],
    ...extra,
  });

  it('names exceptions, timeouts and CRC errors as a technician would', () => {
    const exception = Object.assign(new Error('Modbus exception 2'), { modbusCode: 2 });
    expect(faultOf(exception, req(), 'at 127.0.0.1:5020', 1000)).toMatchObject({
      kind: 'exception',
      code: 2,
      message: 'unit 1 refused holding register 40100: illegal data address',
    });
    const timeout = Object.assign(new Error('Timed out'), { name: 'TransactionTimedOutError', errno: 'ETIMEDOUT' });
    expect(faultOf(timeout, req(), 'at 127.0.0.1:5020', 1000).message).toBe(
      'no answer from unit 1 at 127.0.0.1:5020 within 1 s',
    );
    expect(faultOf(new Error('CRC error'), req({ unitId: 7 }), 'on /dev/ttyUSB0', 500)).toMatchObject({ kind: 'crc' });
    const merged = req({ address: 100, count: 20, fields: [field(100), field(119)] });
    expect(describeRead(merged)).toBe('holding registers 100–119');
    expect(faultOf(exception, merged, '', 1000).message).toMatch(
      /^unit 1 refused holding registers 100–119: illegal data address \(one request reads them all/,
    );
    expect(
      faultOf(Object.assign(new Error('x'), { modbusCode: 99 }), req({ fn: 'coil', address: 3 }), '', 1000).message,
    ).toBe('unit 1 refused coil 3: exception code 99');
  });
});
