// The register map: the technician's rows checked (each problem naming its row) and turned into
// the fewest read requests. Registers of one group, unit and function that sit together are read
// in one request: a device answers 60 registers about as fast as one, and a serial bus at
// 9600 baud spends most of its time on per-request overhead.
import { REGISTERS, type ValueType, type WordOrder } from './decode';

export const FUNCTIONS = ['holding', 'input', 'coil', 'discrete'] as const;
export type ModbusFunction = (typeof FUNCTIONS)[number];

/** Words for each function, as a manual names them, and its Modbus function code. */
export const FUNCTION_INFO: Readonly<
  Record<ModbusFunction, { one: string; many: string; code: 1 | 2 | 3 | 4; bits: boolean }>
> = {
  holding: { one: 'holding register', many: 'holding registers', code: 3, bits: false },
  input: { one: 'input register', many: 'input registers', code: 4, bits: false },
  coil: { one: 'coil', many: 'coils', code: 1, bits: true },
  discrete: { one: 'discrete input', many: 'discrete inputs', code: 2, bits: true },
};

/** The protocol's limits per request: 125 registers, 2000 coils or inputs. */
export const MAX_REGISTERS = 125;
export const MAX_BITS = 2000;
/** Rows of the map: a few thousand values is a large installation's whole point list. */
export const MAX_ROWS = 5000;
/** A metric name, as the Metric column's pattern (matched whole): no spaces, no prefix clash. */
export const METRIC_PATTERN = '[A-Za-z0-9_][A-Za-z0-9_./-]*';

/** One row of the register map, as the Register map table gives it (each cell already checked). */
export interface RegisterRow {
  metric: string;
  unit_id: number;
  function: ModbusFunction;
  address: number;
  type: ValueType;
  words: WordOrder;
  scale: number;
  offset: number;
  unit: string;
  group: string;
}

/** One row of the Groups table. */
export interface GroupRow {
  group: string;
  interval_s: number;
}

/** One checked row of the map. */
export interface Field {
  /** The row's number as the technician sees it (1 = the first row). */
  row: number;
  metric: string;
  unitId: number;
  fn: ModbusFunction;
  address: number;
  type: ValueType;
  words: WordOrder;
  scale: number;
  offset: number;
  unit: string;
  group: string;
  /** Registers (or bits) it spans. */
  span: number;
}

/** One read: `count` registers or bits from `address`, and the fields decoded from the answer. */
export interface ReadRequest {
  unitId: number;
  fn: ModbusFunction;
  address: number;
  count: number;
  fields: Field[];
}

export interface GroupPlan {
  name: string;
  /** 0: poll again as soon as the last poll is answered. */
  intervalMs: number;
  fields: Field[];
  requests: ReadRequest[];
}

export interface PlanOptions {
  /**
   * Read across at most this many unused registers between two fields; for coils and inputs 16
   * times as many bits (as many bits as those registers would carry: the answer is no longer).
   */
  gap: number;
  /** At most this many registers per request (≤ 125). */
  maxRegisters: number;
  /** Serial RTU: unit ids 1–247 only (0 is broadcast, which is never answered). */
  rtu: boolean;
}

export type MapResult = { ok: true; groups: GroupPlan[] } | { ok: false; problems: string[] };

/**
 * Checks the register map and the groups table across rows, and plans each group's requests.
 * Each cell was checked against its column before the plugin started (a type is one of the
 * types, an address is 0–65535…); what is left is what no single cell shows: a metric named
 * twice, registers that overlap, a type the function cannot hold, a group with no interval.
 * Every problem names its row, in the order of the rows.
 */
export function checkRegisterMap(
  rows: readonly RegisterRow[],
  groupRows: readonly GroupRow[],
  opts: PlanOptions,
): MapResult {
  const problems: string[] = [];
  const intervals = new Map<string, number>();
  groupRows.forEach((g, i) => {
    const where = `groups row ${i + 1}`;
    const name = g.group.trim();
    if (!name) problems.push(`${where}: the group needs a name`);
    else if (intervals.has(name)) problems.push(`${where}: group "${name}" is listed twice`);
    else intervals.set(name, g.interval_s * 1000);
  });

  if (rows.length === 0) problems.push('the register map is empty: add a row for each value to read');
  if (rows.length > MAX_ROWS) problems.push(`the register map has ${rows.length} rows; at most ${MAX_ROWS}`);
  const checked = rows.slice(0, MAX_ROWS).map((r, i) => checkRow(r, i + 1, opts));
  const byRow = checked.map((c) => c.problems);
  const fields = checked.map((c) => c.field);

  const metrics = new Map<string, number>();
  for (const f of fields) {
    const first = metrics.get(f.metric);
    if (first !== undefined) byRow[f.row - 1]!.push(`metric "${f.metric}" is already row ${first}`);
    else metrics.set(f.metric, f.row);
    if (!intervals.has(f.group))
      byRow[f.row - 1]!.push(
        `group "${f.group}" is not in the groups table (it has ${[...intervals.keys()].map((n) => `"${n}"`).join(', ') || 'none'})`,
      );
  }
  for (const [row, text] of overlaps(fields)) byRow[row - 1]!.push(text);

  fields.forEach((f, i) => {
    const where = f.metric ? `row ${f.row} (${f.metric})` : `row ${f.row}`;
    for (const p of byRow[i]!) problems.push(`${where}: ${p}`);
  });
  if (problems.length > 0) return { ok: false, problems };

  const groups: GroupPlan[] = [];
  for (const [name, intervalMs] of intervals) {
    const mine = fields.filter((f) => f.group === name);
    if (mine.length > 0) groups.push({ name, intervalMs, fields: mine, requests: planRequests(mine, opts) });
  }
  return { ok: true, groups };
}

/** One row as a field, with what is wrong with it on its own (its cells' combinations). */
function checkRow(r: RegisterRow, n: number, opts: PlanOptions): { field: Field; problems: string[] } {
  const problems: string[] = [];
  const info = FUNCTION_INFO[r.function];
  if (opts.rtu && r.unit_id === 0)
    problems.push('unit id 0 is broadcast, which no device answers: on a serial line use 1 to 247');
  else if (opts.rtu && r.unit_id > 247)
    problems.push(`unit id ${r.unit_id} is reserved on a serial line: use 1 to 247`);
  // A coil or input is one bit: u16 (the column's default) is taken to mean "the bit, as 0 or 1".
  if (info.bits && r.type !== 'bool' && r.type !== 'u16')
    problems.push(`a ${info.one} is one bit: its type must be bool, not ${r.type}`);
  if (!info.bits && r.type === 'bool') problems.push(`type bool is for coils and discrete inputs, not ${info.many}`);
  const span = info.bits ? 1 : REGISTERS[r.type];
  if (r.address + span - 1 > 65535) problems.push(`a ${r.type} at address ${r.address} would end past 65535`);
  if (!info.bits && span > opts.maxRegisters)
    problems.push(
      `a ${r.type} spans ${span} registers, more than the ${opts.maxRegisters} per request allowed ("Registers per request")`,
    );
  const field: Field = {
    row: n,
    metric: r.metric.trim(),
    unitId: r.unit_id,
    fn: r.function,
    address: r.address,
    type: r.type,
    words: r.words,
    scale: r.scale,
    offset: r.offset,
    unit: r.unit,
    group: r.group.trim(),
    span,
  };
  return { field, problems };
}

/** "holding registers 4–5", "input register 7". */
function registersOf(f: Field): string {
  const info = FUNCTION_INFO[f.fn];
  return f.span === 1 ? `${info.one} ${f.address}` : `${info.many} ${f.address}–${f.address + f.span - 1}`;
}

/**
 * Values whose registers overlap without starting at the same address: the usual slip when a
 * map is typed from a manual (32-bit values at consecutive addresses 0, 1, 2 instead of 0, 2, 4),
 * which would record garbage without any error. Reading the same registers two ways (one start
 * address, e.g. as u32 and as f32 to find which is right) is allowed. Each is reported on the
 * later row, naming the earlier one. Coils and inputs are single bits: they cannot overlap.
 */
function overlaps(fields: readonly Field[]): Array<[number, string]> {
  const sorted = fields
    .filter((f) => !FUNCTION_INFO[f.fn].bits)
    .sort((a, b) => a.unitId - b.unitId || a.fn.localeCompare(b.fn) || a.address - b.address || a.row - b.row);
  const found: Array<[number, string]> = [];
  let reach: Field | null = null; // of the fields so far on this unit and function, the one ending last
  for (const f of sorted) {
    if (reach && (reach.unitId !== f.unitId || reach.fn !== f.fn)) reach = null;
    if (reach && f.address < reach.address + reach.span && f.address !== reach.address) {
      const [later, earlier] = f.row > reach.row ? [f, reach] : [reach, f];
      found.push([
        later.row,
        `${registersOf(later)} overlap${later.span === 1 ? 's' : ''} row ${earlier.row} (${earlier.metric}), ${registersOf(earlier)}: is an address off? (to read the same registers two ways, give both rows the same address)`,
      ]);
    }
    if (!reach || f.address + f.span > reach.address + reach.span) reach = f;
  }
  return found;
}

/**
 * The fewest requests that read every field: fields of one unit and function, sorted by address,
 * share a request while the next starts at most `gap` unused registers (16 × `gap` bits) after the last and the
 * request stays within the protocol's limit (125 registers, 2000 bits) and `maxRegisters`.
 * Overlapping fields (one register read two ways) share their registers.
 */
export function planRequests(fields: readonly Field[], opts: Pick<PlanOptions, 'gap' | 'maxRegisters'>): ReadRequest[] {
  const sorted = [...fields].sort(
    (a, b) => a.unitId - b.unitId || FUNCTIONS.indexOf(a.fn) - FUNCTIONS.indexOf(b.fn) || a.address - b.address,
  );
  const requests: ReadRequest[] = [];
  let cur: ReadRequest | null = null;
  for (const f of sorted) {
    const bits = FUNCTION_INFO[f.fn].bits;
    const limit = bits ? MAX_BITS : Math.min(MAX_REGISTERS, opts.maxRegisters);
    const gap = bits ? 16 * opts.gap : opts.gap;
    const end = f.address + f.span;
    if (
      cur &&
      cur.unitId === f.unitId &&
      cur.fn === f.fn &&
      f.address <= cur.address + cur.count + gap &&
      Math.max(end, cur.address + cur.count) - cur.address <= limit
    ) {
      cur.count = Math.max(cur.count, end - cur.address);
      cur.fields.push(f);
    } else {
      cur = { unitId: f.unitId, fn: f.fn, address: f.address, count: f.span, fields: [f] };
      requests.push(cur);
    }
  }
  return requests;
}
