// The Modbus plugin's tests' device: test/protocols/pymodbus-server.py (a real pymodbus 3.0
// datastore) started as a child process, what it holds, and how the plugin is pointed at it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { GroupRow, RegisterRow } from '../../plugins/modbus/register-map';
import type { ConfigValues, TableRow } from '../../src/shared/plugin-config';

const SCRIPT = join(__dirname, 'pymodbus-server.py');
// Debian's pymodbus is in the system Python; a pyenv `python3` first on PATH would not see it.
const PYTHON = '/usr/bin/python3';
const running = new Set<ChildProcess>();

export interface ModbusRequest {
  unit: number;
  fc: number;
  address: number;
  count: number;
}

export interface ModbusServer {
  port: number;
  /** Every request the device saw, in order (none with `quiet`). */
  requests: ModbusRequest[];
  /** Its stdout and stderr lines. */
  lines: string[];
  /** Stop answering (requests are read and dropped) / answer again. */
  mute(): Promise<void>;
  unmute(): Promise<void>;
  /** SIGTERM, then wait for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts the device on TCP `port` (0: a free one) and, with `rtu`, on that serial path (the
 * device's end of a pty pair). Resolves once it printed "ready".
 */
export async function startModbusServer(
  opts: { port?: number; rtu?: string; quiet?: boolean; lateMs?: number } = {},
): Promise<ModbusServer> {
  const args = [SCRIPT, '--tcp', String(opts.port ?? 0)];
  if (opts.rtu) args.push('--rtu', opts.rtu);
  if (opts.quiet) args.push('--quiet');
  if (opts.lateMs !== undefined) args.push('--late-ms', String(opts.lateMs));
  const proc = spawn(PYTHON, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  running.add(proc);
  const exited = new Promise<void>((r) => proc.once('exit', () => (running.delete(proc), r())));
  const requests: ModbusRequest[] = [];
  const lines: string[] = [];
  const waiters: Array<{ line: string; resolve: () => void }> = [];
  const onLine = (line: string): void => {
    lines.push(line);
    const m = /^req unit=(\d+) fc=(\d+) address=(\d+) count=(\d+)$/.exec(line);
    if (m) requests.push({ unit: Number(m[1]), fc: Number(m[2]), address: Number(m[3]), count: Number(m[4]) });
    for (const w of waiters.filter((x) => x.line === line)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  createInterface({ input: proc.stdout }).on('line', onLine);
  createInterface({ input: proc.stderr }).on('line', (l) => lines.push(l));
  const lineSeen = (line: string, what: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      waiters.push({ line, resolve });
      exited.then(
        () => reject(new Error(`the Modbus test server exited before ${what}:\n${lines.join('\n')}`)),
        () => {},
      );
      setTimeout(
        () => reject(new Error(`no "${line}" from the Modbus test server in 20 s:\n${lines.join('\n')}`)),
        20_000,
      ).unref();
    });
  await lineSeen('ready', 'it was ready');
  const port = Number(/^ready tcp 127\.0\.0\.1:(\d+)$/m.exec(lines.join('\n'))?.[1]);
  const signal = async (line: string): Promise<void> => {
    const seen = lineSeen(line, line);
    proc.kill('SIGUSR1');
    await seen;
  };
  return {
    port,
    requests,
    lines,
    mute: () => signal('muted'),
    unmute: () => signal('unmuted'),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Kills every test server still running (afterEach). */
export async function stopModbusServers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (p) =>
        new Promise<void>((r) => {
          if (p.exitCode !== null || p.signalCode !== null) return r();
          p.once('exit', () => r());
          p.kill('SIGKILL');
        }),
    ),
  );
}

/** A row of the register map as a test writes it: the columns it sets (the others take their defaults). */
export type TestRow = Pick<RegisterRow, 'metric' | 'address'> & Partial<RegisterRow>;

/**
 * The plugin's config for a register map and groups, as the window sends it: the tables as rows,
 * each with only the cells set (the host fills in the columns' defaults). Rows are TableRows so a
 * test can also pass cells the columns refuse.
 */
export function modbusConfig(
  registers: readonly TableRow[],
  groups: ReadonlyArray<Partial<GroupRow>>,
  settings: ConfigValues = {},
): ConfigValues {
  return {
    registers: registers.map((r) => ({ ...r })),
    groups: groups.map((g) => ({ ...g })),
    ...settings,
  };
}

/**
 * What pymodbus-server.py holds (unit 1), as register-map rows with the value each must read.
 * Floats are written by Python as IEEE 754 singles/doubles: an f32 reads as Math.fround of the
 * decimal.
 */
export const KNOWN: Array<{ row: TestRow; value: number }> = [
  { row: { metric: 'u16', address: 0, type: 'u16' }, value: 51234 },
  { row: { metric: 's16', address: 1, type: 's16' }, value: -1234 },
  { row: { metric: 'u32_big', address: 2, type: 'u32', words: 'big' }, value: 3_000_000_000 },
  { row: { metric: 'u32_little', address: 4, type: 'u32', words: 'little' }, value: 3_000_000_000 },
  { row: { metric: 's32_big', address: 6, type: 's32', words: 'big' }, value: -123_456_789 },
  { row: { metric: 's32_little', address: 8, type: 's32', words: 'little' }, value: -123_456_789 },
  { row: { metric: 'f32_big', address: 10, type: 'f32', words: 'big' }, value: Math.fround(230.7) },
  { row: { metric: 'f32_little', address: 12, type: 'f32', words: 'little' }, value: Math.fround(230.7) },
  { row: { metric: 'f64_big', address: 14, type: 'f64', words: 'big' }, value: -12345.678901 },
  { row: { metric: 'f64_little', address: 18, type: 'f64', words: 'little' }, value: -12345.678901 },
  {
    row: { metric: 'scaled_u16', address: 22, type: 'u16', scale: 0.1, offset: -10, unit: 'V' },
    value: 2345 * 0.1 - 10,
  },
  { row: { metric: 'scaled_s32', address: 23, type: 's32', scale: 0.5, offset: 100 }, value: -2 * 0.5 + 100 },
  { row: { metric: 'ir_u16', function: 'input', address: 0 }, value: 4321 },
  { row: { metric: 'ir_f32', function: 'input', address: 1, type: 'f32' }, value: -1.5 },
  { row: { metric: 'ir_s32_little', function: 'input', address: 3, type: 's32', words: 'little' }, value: -70000 },
  { row: { metric: 'coil0', function: 'coil', address: 0, type: 'bool' }, value: 1 },
  { row: { metric: 'coil1', function: 'coil', address: 1, type: 'bool' }, value: 0 },
  { row: { metric: 'coil15', function: 'coil', address: 15 }, value: 1 },
  { row: { metric: 'di0', function: 'discrete', address: 0, type: 'bool' }, value: 0 },
  { row: { metric: 'di4', function: 'discrete', address: 4, type: 'bool' }, value: 1 },
  { row: { metric: 'unit2', unit_id: 2, address: 0 }, value: 2222 },
];

/** Holding registers 100–999 (unit 1) hold their own address; input registers three times it. */
export const RAMP = { from: 100, to: 999 };
/** Holding registers that answer "server device busy", and (over RTU) with a broken CRC. */
export const BUSY_ADDRESS = 9000;
export const BAD_CRC_ADDRESS = 9100;
/** Holding registers (holding their own address) answered over RTU only after `lateMs`. */
export const LATE_ADDRESS = 9200;
