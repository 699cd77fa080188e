// The checks on what a plugin passes to ctx.serial.open(): the same rules as a serial source's
// settings (shared/serial-config), worded for the plugin's author. Done on the host's side, since
// nothing from a worker is taken on trust.

import { baudRateProblem, DATA_BITS, PARITIES, STOP_BITS } from '../../../shared/serial-config';
import type { CheckedSerialOptions } from './types';

const KEYS = ['baudRate', 'dataBits', 'parity', 'stopBits'];
const PATH_MAX = 1024;

/** Why `path` cannot be a port's path (null when it can). */
export function serialPathProblem(path: unknown): string | null {
  if (typeof path !== 'string' || path.trim() === '' || path.length > PATH_MAX || path.includes('\0'))
    return 'serial.open() needs the port\'s path, e.g. "/dev/ttyUSB0" or "COM3"';
  return null;
}

/** The options with defaults filled in, or why they cannot be used. */
export function checkSerialOptions(
  path: string,
  o: unknown,
): { ok: true; options: CheckedSerialOptions } | { ok: false; message: string } {
  const bad = (why: string) => ({ ok: false as const, message: `bad serial options for ${path}: ${why}` });
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    return bad('give them as { baudRate, dataBits?, parity?, stopBits? }');
  const v = o as Record<string, unknown>;
  const unknown = Object.keys(v).filter((k) => !KEYS.includes(k));
  if (unknown.length) return bad(`unknown ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${KEYS.join(', ')})`);
  const baud = v.baudRate;
  const baudProblem = typeof baud === 'number' ? baudRateProblem(baud) : 'a number';
  if (baudProblem) return bad(`baudRate must be ${baudProblem}`);
  const pick = <T>(key: string, allowed: readonly T[], fallback: T): T | null => {
    const x = v[key] === undefined ? fallback : v[key];
    return allowed.includes(x as T) ? (x as T) : null;
  };
  const dataBits = pick('dataBits', DATA_BITS, 8);
  if (dataBits === null) return bad(`dataBits must be ${DATA_BITS.join(', ')}`);
  const parity = pick('parity', PARITIES, 'none');
  if (parity === null) return bad(`parity must be ${PARITIES.map((p) => `"${p}"`).join(', ')}`);
  const stopBits = pick('stopBits', STOP_BITS, 1);
  if (stopBits === null) return bad(`stopBits must be ${STOP_BITS.join(', ')}`);
  return { ok: true, options: { baudRate: baud as number, dataBits, parity, stopBits } };
}
