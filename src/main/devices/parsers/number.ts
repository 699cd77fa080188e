// Number recognition for text fields, shared by every parser. Strict and fast: a hand-written
// scanner validates the syntax and, for the common case (≤ 15 significant digits, decimal
// exponent within ±22), computes the value exactly (Clinger's fast path: one correctly rounded
// multiplication or division of two exact doubles); anything else falls back to Number().
//
// Accepted: optional surrounding spaces/tabs/CR, an optional sign, digits with an optional
// decimal point (`12`, `-4`, `+1.5`, `.5`, `12.`) and an optional exponent (`1e-3`, `2E+6`).
// Refused (not a number), by decision: the empty string, trailing text (`12abc`), hexadecimal /
// binary / octal literals (`0x1F`, `0b1`, `0o7` — serial devices print decimal; Number() would
// take `0x1F`, we do not), digit separators (`1_000`, `1,000`), decimal commas, and the words
// NaN / Infinity (these are classified as not-finite instead, see isNotFiniteText).

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
/** Up to this many significant digits the mantissa is an exact integer double. */
const MAX_FAST_DIGITS = 15;

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 13;

/**
 * Reads the number in `s[start, end)` (surrounding blanks ignored). Returns its value when the
 * text is a finite decimal number, NaN otherwise — including text that is a number but too large
 * for a double (`1e999`); isNotFiniteText tells those apart from plain text.
 */
export function scanNumber(s: string, start: number, end: number): number {
  // Fast path, small enough to be inlined: `[-]digits[.digits]`, at most 15 digits, no blanks.
  // (Never reads outside [start, end): an out-of-bounds charCodeAt deoptimizes the caller.)
  if (start >= end) return NaN;
  let i = start;
  let neg = false;
  if (s.charCodeAt(i) === 45 /* - */) {
    neg = true;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let point = -1;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      mant = mant * 10 + d;
      digits++;
    } else if (c === 46 /* . */ && point < 0) point = i;
    else break;
  }
  if (i === end && digits !== 0 && digits <= MAX_FAST_DIGITS) {
    const v = point < 0 ? mant : mant / POW10[end - point - 1]!;
    return neg ? -v : v;
  }
  return scanSlow(s, start, end);
}

/** The general case: blanks, `+`, exponents, many digits. */
function scanSlow(s: string, start: number, end: number): number {
  let i = start;
  while (i < end && isBlank(s.charCodeAt(i))) i++;
  while (end > i && isBlank(s.charCodeAt(end - 1))) end--;
  if (i === end) return NaN;
  const first = i;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 45 /* - */) {
    neg = true;
    i++;
  } else if (c === 43 /* + */) i++;

  let mant = 0;
  let sig = 0; // significant digits taken into mant
  let digits = 0; // all mantissa digits seen
  let exp10 = 0;
  let slow = false;
  // Integer part.
  for (; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    digits++;
    if (sig < MAX_FAST_DIGITS) {
      if (mant !== 0 || d !== 0) {
        mant = mant * 10 + d;
        sig++;
      }
    } else {
      slow = true;
    }
  }
  // Fraction.
  if (i < end && s.charCodeAt(i) === 46 /* . */) {
    for (i++; i < end; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      digits++;
      if (sig < MAX_FAST_DIGITS) {
        if (mant !== 0 || d !== 0) {
          mant = mant * 10 + d;
          sig++;
        }
        exp10--;
      } else {
        slow = true;
      }
    }
  }
  if (digits === 0) return NaN;
  // Exponent.
  if (i < end) {
    c = s.charCodeAt(i);
    if (c !== 101 /* e */ && c !== 69 /* E */) return NaN;
    i++;
    let eneg = false;
    if (i < end) {
      c = s.charCodeAt(i);
      if (c === 45) {
        eneg = true;
        i++;
      } else if (c === 43) i++;
    }
    let e = 0;
    let edigits = 0;
    for (; i < end; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return NaN;
      edigits++;
      if (e < 100_000) e = e * 10 + d;
    }
    if (edigits === 0) return NaN;
    exp10 += eneg ? -e : e;
  }
  if (!slow && exp10 >= -22 && exp10 <= 22) {
    const v = exp10 < 0 ? mant / POW10[-exp10]! : mant * POW10[exp10]!;
    return neg ? -v : v;
  }
  // Rare: many digits or a large exponent. The syntax is valid and also Number()'s.
  const v = Number(s.slice(first, end));
  return v - v === 0 ? v : NaN; // finite only
}

/** `NaN`/`Infinity` as printed by C printf, Arduino (`nan`, `inf`, `ovf`), MSVC (`1.#INF`, `-nan(ind)`), JS and Python. */
const NOT_FINITE_RE = /^[+-]?(?:nan(?:\([^)]*\))?|nan[qs]|inf|infinity|ovf|1\.#(?:inf|ind|qnan|snan)0*)$/i;

/**
 * True when `s[start, end)` spells NaN or an infinity (any case, optional sign: `nan`, `-inf`,
 * `Infinity`, Arduino's `ovf`, MSVC's `1.#INF`, `-nan(ind)`…) or is a decimal number too large
 * for a double (`1e999`). Meant for the failure path, after scanNumber returned NaN.
 */
export function isNotFiniteText(s: string, start = 0, end = s.length): boolean {
  let i = start;
  while (i < end && isBlank(s.charCodeAt(i))) i++;
  while (end > i && isBlank(s.charCodeAt(end - 1))) end--;
  const n = end - i;
  if (n === 0 || n > 24) return false;
  const t = s.slice(i, end);
  if (NOT_FINITE_RE.test(t)) return true;
  // A well-formed number that overflowed: scanNumber refused it, Number() says ±Infinity.
  const c = t.charCodeAt(t.length - 1);
  return c >= 48 && c <= 57 && looksDecimal(t) && !Number.isFinite(Number(t));
}

const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const looksDecimal = (t: string): boolean => DECIMAL_RE.test(t);

export type NumberClass = 'number' | 'non-numeric' | 'not-finite';

/** Classifies a text field: a finite number, NaN/Infinity text, or anything else. */
export function classifyNumber(text: string): NumberClass {
  const v = scanNumber(text, 0, text.length);
  if (v === v) return 'number';
  return isNotFiniteText(text) ? 'not-finite' : 'non-numeric';
}

/** The finite number `text` spells, or undefined. */
export function parseNumber(text: string): number | undefined {
  const v = scanNumber(text, 0, text.length);
  return v === v ? v : undefined;
}
