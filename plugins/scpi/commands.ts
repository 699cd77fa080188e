// The commands the plugin answers, and the checks of their parameters. Checks come first and are
// said in words ("volts must be between 0 and 30 V; got 45"), so a bad command never reaches the
// instrument. The limits are the technician's (settings), usually below the supply's own: what a
// remote command may set on this bench. Every command that changes the instrument has
// requiresApproval: from the platform it waits in the technician's inbox until approved (the
// technician's own calls from the window need no approval).
import type { CommandSpec } from 'plexus-bench/plugin';
import { unreadable } from './answers';

export const MAX_LINE = 256;

export const SPECS = {
  send: {
    description: 'Send one SCPI line to the instrument (a query ending in "?" answers with its reply)',
    params: [{ name: 'line', type: 'string', description: 'e.g. VOLT 12.0 or MEAS:VOLT?' }],
    // Any line can set anything, so a remote one waits for approval like set_voltage does.
    requiresApproval: true,
  },
  set_voltage: {
    description: 'Set the output voltage',
    params: [{ name: 'volts', type: 'float' }],
    requiresApproval: true,
  },
  set_current: {
    description: 'Set the current limit',
    params: [{ name: 'amps', type: 'float' }],
    requiresApproval: true,
  },
  output: {
    description: 'Switch the output on or off',
    params: [{ name: 'on', type: 'bool', description: 'true/"on" or false/"off"' }],
    requiresApproval: true,
  },
} satisfies Record<string, CommandSpec>;

/** What a command sends: the line, and the query that reads the new value back. */
export interface Setting {
  line: string;
  readback: string;
}

/** The `line` of `send`, checked: one line of printable text. */
export function checkLine(params: Record<string, unknown>): string {
  const line = params.line;
  if (typeof line !== 'string') throw new Error('line must be the text to send, e.g. VOLT 12.0 or MEAS:VOLT?');
  const text = line.trim();
  if (!text) throw new Error('line is empty: give the text to send, e.g. VOLT 12.0 or MEAS:VOLT?');
  if (text.length > MAX_LINE) throw new Error(`line is ${text.length} characters long; at most ${MAX_LINE}`);
  // A line break would make two commands (and two answers for one question); other control
  // characters are never part of SCPI.
  if (unreadable(text)) throw new Error('line must be one line of text, without control characters');
  return text;
}

export function setVoltage(params: Record<string, unknown>, maxVolts: number): Setting {
  const v = amount(params, 'volts', 'V', maxVolts);
  return { line: `VOLT ${format(v)}`, readback: 'VOLT?' };
}

export function setCurrent(params: Record<string, unknown>, maxAmps: number): Setting {
  const a = amount(params, 'amps', 'A', maxAmps);
  return { line: `CURR ${format(a)}`, readback: 'CURR?' };
}

export function setOutput(params: Record<string, unknown>): Setting {
  const on = onOff(params.on);
  return { line: `OUTP ${on ? 'ON' : 'OFF'}`, readback: 'OUTP?' };
}

function amount(params: Record<string, unknown>, name: string, unit: string, max: number): number {
  const raw = params[name];
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`${name} must be a number of ${unit === 'V' ? 'volts' : 'amps'}, e.g. 1.5 (got ${show(raw)})`);
  if (v < 0 || v > max)
    throw new Error(`${name} must be between 0 and ${max} ${unit} (the highest this bench allows); got ${v} ${unit}`);
  return v;
}

function onOff(raw: unknown): boolean {
  if (raw === true || raw === 1) return true;
  if (raw === false || raw === 0) return false;
  if (typeof raw === 'string') {
    const s = raw.trim().toLowerCase();
    if (['on', 'true', '1'].includes(s)) return true;
    if (['off', 'false', '0'].includes(s)) return false;
  }
  throw new Error(`on must be true ("on") or false ("off"); got ${show(raw)}`);
}

/** Plain decimal to the microvolt: never exponent notation, which not every instrument reads. */
function format(v: number): string {
  return String(Number(v.toFixed(6)));
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v); // NaN and Infinity, which JSON would call null
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
