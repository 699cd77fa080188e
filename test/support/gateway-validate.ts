// Message and point validation of the fake gateway: the rules of gateway/validate.go, with the
// same error texts (clients and tests match on them), plus the few Go JSON behaviours that change
// what a client sees (number overflow is a parse error, replies have sorted keys and HTML escapes).

export const MAX_STRING_LEN = 256; // metric names, source_id, tag keys and values, event strings
export const MAX_VALUE_BYTES = 4096; // JSON size of an object/array event value
export const MAX_TAGS = 16;
export const SOURCE_ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const SOURCE_ID_PATTERN_TEXT = '^[a-z0-9][a-z0-9._-]*$';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's len(string): UTF-8 bytes. */
export function byteLen(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

// ---------------------------------------------------------------------------------------------
// JSON, the Go way
// ---------------------------------------------------------------------------------------------

/**
 * Parses like Go's json.Unmarshal into `any`: same grammar as JSON.parse, except that a number
 * too large for a float64 (1e400) is an error in Go but Infinity in JavaScript. The deep check only
 * runs when the text could hold such a number, so big telemetry frames stay cheap.
 */
export function parseGoJson(text: string): { ok: true; value: unknown } | { ok: false } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  if (MAY_OVERFLOW.test(text) && hasNonFinite(value)) return { ok: false };
  return { ok: true, value };
}

// An exponent of 3+ digits, or a run of 309+ digits. The look-behind starts the digit run only at
// its first digit: without it the engine retries at every digit of every timestamp, which cost a
// full telemetry frame 8 ms, almost as much as JSON.parse itself (bench: gateway_frame_cpu_ms).
const MAY_OVERFLOW = /[eE]\+?\d{3}|(?<![\d.])\d{309}/;

function hasNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(hasNonFinite);
  if (isObj(v)) return Object.values(v).some(hasNonFinite);
  return false;
}

/** Encodes a reply like Go's json.Marshal of a map: keys sorted, <, >, & and U+2028/9 escaped. */
export function goJson(v: unknown): string {
  return JSON.stringify(sortKeys(v)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}

/** Byte length of Go's json.Marshal(v) for a decoded JSON value (event-value size limit). */
export function goJsonLen(v: unknown): number {
  if (v === null) return 4;
  if (typeof v === 'boolean') return v ? 4 : 5;
  if (typeof v === 'number') return Object.is(v, -0) ? 2 : String(v).length;
  if (typeof v === 'string') return goStringLen(v);
  if (Array.isArray(v)) {
    let n = 2 + Math.max(0, v.length - 1);
    for (const x of v) n += goJsonLen(x);
    return n;
  }
  if (isObj(v)) {
    const keys = Object.keys(v);
    let n = 2 + Math.max(0, keys.length - 1);
    for (const k of keys) n += goStringLen(k) + 1 + goJsonLen(v[k]);
    return n;
  }
  return 4; // not reachable for parsed JSON
}

function goStringLen(s: string): number {
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x08 || c === 0x0c) n += 2;
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) n += 6;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3; // lone surrogate becomes U+FFFD
    } else n += 3;
  }
  return n;
}

/** Go's %q for the strings that appear in error texts. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) out += ch;
    else if (c < 0x80) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------------------------
// Validation (validate.go)
// ---------------------------------------------------------------------------------------------

/** Returns an error text, or null when the source_id is acceptable. */
export function validateSourceId(s: string): string | null {
  if (s === '') return 'source_id is required';
  if (byteLen(s) > MAX_STRING_LEN) return `source_id exceeds max length (${MAX_STRING_LEN})`;
  if (!SOURCE_ID_PATTERN.test(s)) return `source_id must match ${SOURCE_ID_PATTERN_TEXT}`;
  return null;
}

export type ValidateResult = { type: string; error?: undefined } | { type?: undefined; error: string };

/**
 * ValidateMessage: `msg` is the decoded frame, or null for the JSON text `null` (Go decodes it to
 * a nil map, whose "type" is missing).
 */
export function validateMessage(msg: Obj | null, maxPoints: number): ValidateResult {
  const t = msg?.['type'];
  if (typeof t !== 'string' || t === '') return { error: 'type must be a string' };
  if (byteLen(t) > 64) return { error: 'type too long' };
  const m = msg as Obj;
  switch (t) {
    case 'device_auth': {
      const sid = m['source_id'];
      if (typeof sid !== 'string') return { error: 'source_id must be a string' };
      const err = validateSourceId(sid);
      if (err) return { error: err };
      if (typeof m['api_key'] !== 'string') return { error: 'api_key required' };
      return { type: t };
    }
    case 'telemetry': {
      const points = m['points'];
      if (!Array.isArray(points)) return { error: 'points must be an array' };
      if (points.length > maxPoints) return { error: `points array exceeds max size (${maxPoints})` };
      for (let i = 0; i < points.length; i++) {
        const err = validatePoint(i, points[i]);
        if (err) return { error: err };
      }
      return { type: t };
    }
    case 'video_frame':
      if (typeof m['camera_id'] !== 'string') return { error: 'camera_id must be a string' };
      if (typeof m['frame'] !== 'string') return { error: 'frame must be a string' };
      return { type: t };
    case 'heartbeat':
    case 'device_error':
    case 'pong':
    case 'command_result':
      return { type: t };
    default:
      return { error: 'unknown message type' };
  }
}

/** ValidatePoint: one bad point rejects the whole frame/request, the text names its index. */
export function validatePoint(i: number, p: unknown): string | null {
  if (!isObj(p)) return `points[${i}] must be an object`;
  const cls = p['class'];
  if (typeof cls !== 'string') return `points[${i}].class is required`;
  if (cls !== 'metric' && cls !== 'event') return `points[${i}].class must be 'metric' or 'event', got ${goQuote(cls)}`;
  const metric = p['metric'];
  if (typeof metric !== 'string' || metric.length === 0 || byteLen(metric) > MAX_STRING_LEN) {
    return `points[${i}].metric invalid`;
  }
  if (!Object.prototype.hasOwnProperty.call(p, 'value')) return `points[${i}].value is required`;
  const valueErr = validateValue(i, cls, p['value']);
  if (valueErr) return valueErr;
  if (Object.prototype.hasOwnProperty.call(p, 'timestamp')) {
    const ts = p['timestamp'];
    if (typeof ts !== 'number') return `points[${i}].timestamp must be a number`;
    if (!Number.isFinite(ts)) return `points[${i}].timestamp must be finite`;
  }
  if (Object.prototype.hasOwnProperty.call(p, 'tags')) return validateTags(i, p['tags']);
  return null;
}

function validateValue(i: number, cls: string, v: unknown): string | null {
  if (v === null) return `points[${i}].value cannot be null`;
  if (cls === 'metric') {
    if (typeof v !== 'number') return `points[${i}].value must be a number for class=metric`;
    if (!Number.isFinite(v)) return `points[${i}].value must be finite`;
    return null;
  }
  if (typeof v === 'string') {
    return byteLen(v) > MAX_STRING_LEN ? `points[${i}].value string exceeds max length (${MAX_STRING_LEN})` : null;
  }
  if (typeof v === 'boolean' || typeof v === 'number') return null;
  if (typeof v === 'object') {
    return goJsonLen(v) > MAX_VALUE_BYTES ? `points[${i}].value exceeds max bytes (${MAX_VALUE_BYTES})` : null;
  }
  return `points[${i}].value has unsupported type for class=event`;
}

function validateTags(i: number, raw: unknown): string | null {
  if (!isObj(raw)) return `points[${i}].tags must be an object`;
  const keys = Object.keys(raw);
  if (keys.length > MAX_TAGS) return `points[${i}].tags exceeds max entries (${MAX_TAGS})`;
  for (const k of keys) {
    if (byteLen(k) > MAX_STRING_LEN) return `points[${i}].tags key too long`;
    const v = raw[k];
    if (typeof v !== 'string') return `points[${i}].tags[${goQuote(k)}] must be a string`;
    if (byteLen(v) > MAX_STRING_LEN) return `points[${i}].tags[${goQuote(k)}] value too long`;
  }
  return null;
}

/**
 * inferTelemetryPointClasses / the /ingest inference: a point whose class is not a string gets
 * "metric" for a JSON number value and "event" for anything else. Mutates the points in place.
 */
export function inferClass(p: Obj): void {
  if (typeof p['class'] === 'string') return;
  p['class'] = typeof p['value'] === 'number' ? 'metric' : 'event';
}

export function inferPointClasses(points: unknown): void {
  if (!Array.isArray(points)) return;
  for (const p of points) if (isObj(p)) inferClass(p);
}

/** tierForType: telemetry and video share the telemetry bucket, everything else is control. */
export function tierForType(type: string): 'telemetry' | 'control' {
  return type === 'telemetry' || type === 'video_frame' ? 'telemetry' : 'control';
}
