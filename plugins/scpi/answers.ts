// Reading what an SCPI instrument says: numbers, error-queue entries and its identity. Pure text
// in, values or reasons out, so the rest of the plugin never has to guess and never throws on a
// strange answer.

/** SCPI's "not a number" and overload markers (9.9E37 and 9.91E37): a reading that is not one. */
const SCPI_OVERLOAD = 9.9e37;

export type NumberAnswer = { ok: true; value: number } | { ok: false; why: string };

/**
 * An answer that should be a number. Instruments answer in NR1/NR2/NR3 forms ("12", "12.000",
 * "+1.20000E+01"), some with a unit after the number ("12.000 V", "1.2A"): the unit is ignored, the
 * configured one is what the run records.
 */
export function parseNumber(answer: string): NumberAnswer {
  const text = answer.trim();
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*[A-Za-z%°]{0,4}$/.exec(text);
  if (!m) return { ok: false, why: `${show(text)} is not a number` };
  const value = Number(m[1]);
  if (!Number.isFinite(value)) return { ok: false, why: `${show(text)} is not a finite number` };
  if (Math.abs(value) >= SCPI_OVERLOAD) return { ok: false, why: `${show(text)} means overload or no reading` };
  return { ok: true, value };
}

export interface ScpiError {
  /** 0 is "No error"; negative codes are SCPI's standard ones, positive codes the maker's. */
  code: number;
  message: string;
}

/** One SYST:ERR? answer: `-113,"Undefined header"`. Null when it is not in that form. */
export function parseError(answer: string): ScpiError | null {
  const m = /^\s*([+-]?\d+)\s*,\s*"?(.*?)"?\s*$/.exec(answer);
  if (!m) return null;
  return { code: Number(m[1]), message: m[2]!.replace(/""/g, '"') };
}

export function describeError(e: ScpiError): string {
  return `${e.code} "${e.message}"`;
}

export interface Identity {
  /** The whole *IDN? answer, as the instrument gave it. */
  idn: string;
  manufacturer: string;
  model: string;
  serial: string;
  firmware: string;
}

/**
 * The *IDN? answer: four comma-separated fields by IEEE 488.2 (maker, model, serial, firmware).
 * Instruments that give fewer still connect: the missing fields stay empty.
 */
export function parseIdentity(answer: string): Identity {
  const idn = answer.trim();
  const [manufacturer = '', model = '', serial = '', ...rest] = idn.split(',').map((f) => f.trim());
  return { idn, manufacturer, model, serial, firmware: rest.join(',') };
}

/** "RIGOL DP832 (DP8C1234)": how the window names the instrument. */
export function shortName(id: Identity): string {
  const name = [id.manufacturer, id.model].filter(Boolean).join(' ') || id.idn || 'instrument';
  return id.serial && id.serial !== '0' ? `${name} (${id.serial})` : name;
}

/**
 * Whether the instrument will answer this line. SCPI answers when a command's header ends in
 * "?" (`MEAS:VOLT?`, `VOLT? MAX`); a line of several commands (`VOLT 5;VOLT?`) gets one answer
 * line for all its queries together.
 */
export function isQuery(line: string): boolean {
  return line.split(';').some((part) => /^\s*\S*\?/.test(part));
}

/**
 * Whether text holds what no SCPI line holds: control characters, or bytes that were not UTF-8
 * (read as U+FFFD). Noise like this means a wrong baud rate or parity, not an answer.
 */
export function unreadable(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f || c === 0xfffd) return true;
  }
  return false;
}

function show(text: string): string {
  const s = JSON.stringify(text);
  return s.length > 42 ? `${s.slice(0, 40)}…"` : s;
}
