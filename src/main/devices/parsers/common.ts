// Helpers shared by the parsers: what counts as binary noise, how a bad field is quoted in a
// problem message, and a per-parser collector that returns a line's problems (or null).

import type { LineProblem, ProblemKind } from '../types';

/** At most this many problems are listed per line; the rest are summed up in one more problem. */
export const MAX_PROBLEMS_PER_LINE = 16;

/**
 * Binary noise in a line of text: C0 controls other than tab and CR, DEL, C1 controls, and the
 * replacement character U+FFFD (what undecodable bytes become).
 */
export function isNoise(c: number): boolean {
  return c < 32 ? c !== 9 && c !== 13 : c >= 127 && (c <= 159 || c === 0xfffd);
}

/** True when `s[start, end)` holds any noise character. */
export function hasNoise(s: string, start = 0, end = s.length): boolean {
  for (let i = start; i < end; i++) if (isNoise(s.charCodeAt(i))) return true;
  return false;
}

/** True when the non-blank characters of `s` are mostly (more than half) noise. */
export function mostlyNoise(s: string): boolean {
  let noise = 0;
  let text = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isNoise(c)) noise++;
    else if (c !== 32 && c !== 9 && c !== 13) text++;
  }
  return noise > 0 && noise >= text;
}

const EXCERPT_CHARS = 40;

/** A field's text for a message: JSON-quoted (control characters escaped), cut at 40 characters. */
export function excerpt(s: string, start = 0, end = s.length): string {
  const cut = end - start > EXCERPT_CHARS;
  const t = s.slice(start, cut ? start + EXCERPT_CHARS : end);
  return cut ? `${JSON.stringify(t).slice(0, -1)}…"` : JSON.stringify(t);
}

export const isBlankChar = (c: number): boolean => c === 32 || c === 9 || c === 13;

/** The characters of a regular expression's `\s` (and of String.prototype.trim). */
export function isJsSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** The line terminators (what a regular expression's `.` does not match). */
export const isLineTerminator = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/** `s[start, end)` without surrounding spaces, tabs and CRs. */
export function trimmed(s: string, start: number, end: number): string {
  while (start < end && isBlankChar(s.charCodeAt(start))) start++;
  while (end > start && isBlankChar(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/**
 * Collects the problems of the line being parsed. One per parser, reused line after line: `take()`
 * hands the line's problems over (a fresh array, or null when there were none) and resets.
 */
export class Problems {
  private list: LineProblem[] = [];
  private extra = 0;
  private extraKind: ProblemKind = 'malformed';
  private seen = 0;

  /** Problems met on the current line, including those beyond the listing cap. */
  get count(): number {
    return this.list.length + this.extra;
  }

  /** Whether another problem would still be listed (callers skip building messages otherwise). */
  get listing(): boolean {
    return this.list.length < MAX_PROBLEMS_PER_LINE;
  }

  /** Bit set of the kinds met on the current line (see kindBit). */
  get kinds(): number {
    return this.seen;
  }

  add(kind: ProblemKind, message: string): void {
    this.seen |= kindBit(kind);
    if (this.list.length < MAX_PROBLEMS_PER_LINE) this.list.push({ kind, message });
    else this.skip(kind);
  }

  /** Counts a problem beyond the listing cap without a message. */
  skip(kind: ProblemKind): void {
    this.seen |= kindBit(kind);
    if (this.extra++ === 0) this.extraKind = kind;
  }

  /** Replaces the line's problems with one problem about the whole line. */
  replaceAll(kind: ProblemKind, message: string): void {
    this.list.length = 0;
    this.extra = 0;
    this.seen = 0;
    this.add(kind, message);
  }

  take(): LineProblem[] | null {
    if (this.list.length === 0) return null;
    const out = this.list;
    if (this.extra > 0) {
      out.push({
        kind: this.extraKind,
        message: `${this.extra} more problem${this.extra === 1 ? '' : 's'} on this line (first ${this.extraKind})`,
      });
    }
    this.list = [];
    this.extra = 0;
    this.seen = 0;
    return out;
  }
}

const KIND_BITS: Record<ProblemKind, number> = {
  garbage: 1,
  'invalid-utf8': 2,
  overlong: 4,
  'non-numeric': 8,
  'not-finite': 16,
  malformed: 32,
  'invalid-field': 64,
};

export const kindBit = (kind: ProblemKind): number => KIND_BITS[kind];
