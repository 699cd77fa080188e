// The serial form's fields as text, and their conversion to the contract's SerialConfig.
import type { PortView, SerialConfig } from '../../../shared/contract';
import { LINE_FORMATS, type LineFormat } from '../../../shared/line-format';
import {
  FIELD_LABEL_MAX,
  FIELD_NAME_MAX,
  FIELD_UNIT_MAX,
  baudRateProblem,
  prefixProblem,
  serialPrefix,
} from '../../../shared/serial-config';

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

/** One row of "Field units and labels": the field as the device sends it, its unit and label. */
export interface FieldRow {
  field: string;
  unit: string;
  label: string;
}

export interface SerialDraft {
  /** Display name (free text); the metric prefix is derived from it unless one is set. */
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
  fields: FieldRow[];
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
    fields: Object.entries(c?.fields ?? {}).map(([field, i]) => ({
      field,
      unit: i.unit ?? '',
      label: i.label ?? '',
    })),
  };
}

/** A short default name for a port: its manufacturer's first word or the device file's name. */
export function nameForPort(p: PortView): string {
  const base = p.path.split(/[\\/]/).pop() ?? p.path;
  const m = p.manufacturer?.split(/\s+/)[0];
  return (m ? `${m}-${base}` : base).toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
}

export interface SerialProblems {
  name?: string;
  path?: string;
  baudRate?: string;
  prefix?: string;
  /** The first problem among the field rows, with the row it is in. */
  fields?: { row: number; problem: string };
}

/** Why a field row cannot be saved (null when it can; an empty row is simply left out). */
export function fieldRowProblem(r: FieldRow, rows: readonly FieldRow[]): string | null {
  const f = r.field.trim();
  if (!f) return r.unit.trim() || r.label.trim() ? 'name the field, as the device sends it' : null;
  if (/\s/.test(f)) return 'a field name has no spaces (as the device sends it)';
  if (f.length > FIELD_NAME_MAX) return `a field name is at most ${FIELD_NAME_MAX} characters`;
  if (rows.filter((x) => x.field.trim() === f).length > 1) return `"${f}" is listed twice`;
  if (r.unit.trim().length > FIELD_UNIT_MAX) return `a unit is at most ${FIELD_UNIT_MAX} characters`;
  if (r.label.trim().length > FIELD_LABEL_MAX) return `a label is at most ${FIELD_LABEL_MAX} characters`;
  return null;
}

export function draftProblems(d: SerialDraft): SerialProblems {
  const out: SerialProblems = {};
  if (!d.name.trim()) out.name = 'give the device a name';
  if (!d.path.trim() && !(d.useSerialNumber && d.serialNumber)) out.path = 'choose a port or type its path';
  const baud = baudRateProblem(Number(d.baudRate));
  if (baud) out.baudRate = baud;
  const prefix = d.noPrefix ? null : prefixProblem(d.prefix.trim());
  if (prefix) out.prefix = prefix;
  for (let row = 0; row < d.fields.length; row++) {
    const problem = fieldRowProblem(d.fields[row]!, d.fields);
    if (problem) {
      out.fields = { row, problem };
      break;
    }
  }
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
  const fields: NonNullable<SerialConfig['fields']> = {};
  for (const r of d.fields) {
    const f = r.field.trim();
    const unit = r.unit.trim();
    const label = r.label.trim();
    if (!f || (!unit && !label)) continue;
    fields[f] = { ...(unit ? { unit } : {}), ...(label ? { label } : {}) };
  }
  if (Object.keys(fields).length > 0) c.fields = fields;
  return c;
}

/** The prefix this draft's metrics get: none, the one typed, or the one derived from the name. */
export function draftPrefix(d: SerialDraft): string | null {
  if (d.noPrefix) return '';
  if (d.prefix.trim()) return d.prefix.trim();
  return d.name.trim() ? serialPrefix({ name: d.name.trim() }) : null;
}

/** How a field (default "temp") will be named, for the form's hint: the same rule as the host. */
export function exampleMetric(d: SerialDraft, field = 'temp'): string {
  const p = draftPrefix(d);
  if (p === null) return `<name>.${field}`;
  return p ? `${p}.${field}` : field;
}
