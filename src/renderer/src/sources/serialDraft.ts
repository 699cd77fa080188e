// The serial form's fields as text, and their conversion to the contract's SerialConfig.
import type { PortView, SerialConfig } from '../../../shared/contract';
import { LINE_FORMATS, type LineFormat } from '../../../shared/line-format';
import { baudRateProblem, prefixProblem } from '../../../shared/serial-config';

export const BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1000000, 2000000];

// Keyed by format: a format added to the shared list without a label here is a compile error.
const PARSER_LABELS: Record<LineFormat, string> = {
  auto: 'Detect automatically',
  plotter: 'Arduino plotter (1.2 3.4 or a:1.2,b:3.4)',
  csv: 'CSV (header line, then values)',
  jsonl: 'JSON lines ({"temp": 21.5})',
  kv: 'key=value pairs (temp=21.5 rh=40)',
};

export const PARSERS: Array<{ value: SerialConfig['parser']; label: string }> = LINE_FORMATS.map((value) => ({
  value,
  label: PARSER_LABELS[value],
}));

export interface SerialDraft {
  name: string;
  /** Metric prefix; empty means "the device name" (the host's default). */
  prefix: string;
  /** Metrics carry the bare field names (prefix ''). */
  noPrefix: boolean;
  path: string;
  /** Bind by USB serial number (found on whatever port it enumerates as). */
  serialNumber: string;
  useSerialNumber: boolean;
  baudRate: string;
  parser: SerialConfig['parser'];
  dataBits: '' | '5' | '6' | '7' | '8';
  parity: '' | NonNullable<SerialConfig['parity']>;
  stopBits: '' | '1' | '1.5' | '2';
}

export function draftFromConfig(c: SerialConfig | null): SerialDraft {
  return {
    name: c?.name ?? '',
    prefix: c?.prefix ?? '',
    noPrefix: c?.prefix === '',
    path: c?.path ?? '',
    serialNumber: c?.serialNumber ?? '',
    useSerialNumber: !!c?.serialNumber,
    baudRate: String(c?.baudRate ?? 115200),
    parser: c?.parser ?? 'auto',
    dataBits: c?.dataBits ? (String(c.dataBits) as SerialDraft['dataBits']) : '',
    parity: c?.parity ?? '',
    stopBits: c?.stopBits ? (String(c.stopBits) as SerialDraft['stopBits']) : '',
  };
}

/** A short default name for a port: its manufacturer's first word or the device file's name. */
export function nameForPort(p: PortView): string {
  const base = p.path.split(/[\\/]/).pop() ?? p.path;
  const m = p.manufacturer?.split(/\s+/)[0];
  return (m ? `${m}-${base}` : base).toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
}

export function draftProblems(d: SerialDraft): { name?: string; path?: string; baudRate?: string; prefix?: string } {
  const out: { name?: string; path?: string; baudRate?: string; prefix?: string } = {};
  if (!d.name.trim()) out.name = 'give the device a name';
  if (!d.path.trim() && !(d.useSerialNumber && d.serialNumber)) out.path = 'choose a port or type its path';
  const baud = baudRateProblem(Number(d.baudRate));
  if (baud) out.baudRate = baud;
  const prefix = d.noPrefix ? null : prefixProblem(d.prefix.trim());
  if (prefix) out.prefix = prefix;
  return out;
}

export function configFromDraft(d: SerialDraft): SerialConfig {
  const c: SerialConfig = { name: d.name.trim(), baudRate: Number(d.baudRate), parser: d.parser };
  if (d.noPrefix) c.prefix = '';
  else if (d.prefix.trim()) c.prefix = d.prefix.trim();
  if (d.path.trim()) c.path = d.path.trim();
  if (d.useSerialNumber && d.serialNumber) c.serialNumber = d.serialNumber;
  if (d.dataBits) c.dataBits = Number(d.dataBits) as 5 | 6 | 7 | 8;
  if (d.parity) c.parity = d.parity;
  if (d.stopBits) c.stopBits = Number(d.stopBits) as 1 | 1.5 | 2;
  return c;
}

/** How a field "temp" will be named, for the form's hint. */
export function exampleMetric(d: SerialDraft): string {
  if (d.noPrefix) return 'temp';
  const p = d.prefix.trim() || d.name.trim();
  return p ? `${p}.temp` : '<name>.temp';
}
