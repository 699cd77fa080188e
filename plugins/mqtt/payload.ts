// What an MQTT payload means for the recording. Brokers carry bytes, not types, so the plugin
// reads each payload the way lab devices actually publish: a bare number ("21.5") is a metric; a
// JSON object or array is flattened into one metric per member, as JSON lines are elsewhere in the
// recorder (`{"a":{"b":1}}` → `<metric>.a.b`); anything else is text, recorded as an event.
//
// A payload that cannot be read is reported, never thrown: one bad device on a shared broker must
// not stop the recording of the others. The checks that the recorder would refuse a point for
// (text over 256 bytes, numbers that are not finite) are made here, so the technician sees the
// payload counted as bad with its topic, rather than a refused point with no topic to go on.

import { isUtf8 } from 'node:buffer';

/** What one member of a payload records: numbers are metrics, text and booleans events. */
export type FieldValue = number | string | boolean;

export type Decoded =
  | { kind: 'number'; value: number }
  | { kind: 'text'; value: string }
  /**
   * A JSON object or array: members by their dotted path (`a.b`, `cells.0`). `problem` says why
   * some members were skipped (the good ones are kept), or is null.
   */
  | { kind: 'fields'; fields: Array<[path: string, value: FieldValue]>; problem: string | null }
  /** Zero bytes: how a retained message is cleared, not a reading. */
  | { kind: 'empty' }
  | { kind: 'bad'; problem: string };

export interface PayloadLimits {
  /** Payloads larger than this are not read at all. */
  maxBytes: number;
}

/** The recorder refuses text values over this many UTF-8 bytes (the gateway's rule). */
export const MAX_TEXT_BYTES = 256;
/** Deeper JSON is not read: real readings are shallow, and unbounded recursion is a crash. */
export const MAX_JSON_DEPTH = 16;
/** More members than this in one payload are skipped: one message must not flood the recording. */
export const MAX_JSON_FIELDS = 1000;
/** A member path longer than a metric name may be can never be recorded. */
export const MAX_PATH_CHARS = 256;

// A plain decimal number, optionally signed and with an exponent. Number() alone would also take
// "0x1f", "Infinity" and "" (as 0), none of which a sensor means as a reading.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// How firmware prints a failed reading; recorded as text it would hide that the sensor failed.
const NOT_FINITE = /^[+-]?(?:nan|inf|infinity|ovf)$/i;

export function decodePayload(payload: Uint8Array, limits: PayloadLimits): Decoded {
  const size = payload.byteLength;
  if (size === 0) return { kind: 'empty' };
  if (size > limits.maxBytes)
    return {
      kind: 'bad',
      problem: `payload too large (${size.toLocaleString('en-US')} bytes, the limit is ${limits.maxBytes.toLocaleString('en-US')})`,
    };
  if (!isUtf8(payload)) return { kind: 'bad', problem: `payload is not UTF-8 text (${hexExcerpt(payload)})` };

  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, size);
  const text = bytes.toString('utf8').trim();
  if (text === '') return { kind: 'empty' };
  const first = text.charCodeAt(0);
  if (first === 123 /* { */ || first === 91 /* [ */) return decodeJson(text);
  if (DECIMAL.test(text)) {
    const value = Number(text);
    return Number.isFinite(value)
      ? { kind: 'number', value }
      : { kind: 'bad', problem: `${excerpt(text)} is too large for a number` };
  }
  if (NOT_FINITE.test(text))
    return { kind: 'bad', problem: `${excerpt(text)} is not a finite number (a failed reading?)` };
  if (Buffer.byteLength(text) > MAX_TEXT_BYTES)
    return { kind: 'bad', problem: `text longer than ${MAX_TEXT_BYTES} bytes (${excerpt(text)})` };
  return { kind: 'text', value: text };
}

function decodeJson(text: string): Decoded {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'bad', problem: `JSON that does not parse: ${excerpt(text)}` };
  }
  const walk = new Flattener();
  walk.visit(parsed, '', 0);
  if (walk.fields.length === 0 && walk.problem !== null) return { kind: 'bad', problem: walk.problem };
  return { kind: 'fields', fields: walk.fields, problem: walk.problem };
}

/** Collects the leaves of a parsed JSON value, keeping the first problem it meets. */
class Flattener {
  readonly fields: Array<[string, FieldValue]> = [];
  problem: string | null = null;

  visit(v: unknown, path: string, depth: number): void {
    if (path.length > MAX_PATH_CHARS) return this.fail(`member name ${excerpt(path)} is too long`);
    switch (typeof v) {
      case 'number':
        if (!Number.isFinite(v)) return this.fail(`${path} is too large for a number`);
        return this.add(path, v);
      case 'boolean':
        return this.add(path, v);
      case 'string':
        if (Buffer.byteLength(v) > MAX_TEXT_BYTES)
          return this.fail(`${path} is text longer than ${MAX_TEXT_BYTES} bytes`);
        return this.add(path, v);
      case 'object': {
        if (v === null) return; // "no reading", as JSON lines treat it: nothing to record
        if (depth >= MAX_JSON_DEPTH) return this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels at ${path}`);
        const at = path === '' ? '' : `${path}.`;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) this.visit(v[i], `${at}${i}`, depth + 1);
          return;
        }
        for (const key in v as Record<string, unknown>) {
          const k = key.trim();
          if (k === '') {
            this.fail(`an empty member name${path === '' ? '' : ` in ${path}`}`);
            continue;
          }
          this.visit((v as Record<string, unknown>)[key], at + k, depth + 1);
        }
        return;
      }
    }
  }

  private add(path: string, value: FieldValue): void {
    // A bare top-level value inside brackets cannot happen (only { and [ come here), so every
    // leaf has a path; the check keeps that an invariant rather than an assumption.
    if (path === '') return;
    if (this.fields.length >= MAX_JSON_FIELDS)
      return this.fail(`more than ${MAX_JSON_FIELDS} members (the rest skipped)`);
    this.fields.push([path, value]);
  }

  private fail(problem: string): void {
    this.problem ??= problem;
  }
}

/** At most 40 characters of a payload, quoted so control characters show. */
export function excerpt(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 39)}…` : text);
}

function hexExcerpt(bytes: Uint8Array): string {
  const shown = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${bytes.byteLength} bytes: ${shown}${bytes.byteLength > 8 ? ' …' : ''}`;
}
