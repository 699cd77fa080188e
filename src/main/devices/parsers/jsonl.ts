// JSON lines: one JSON object per line, as ArduinoJson, MicroPython or a Python script prints it:
//
//   {"psu":{"v":12.1,"i":0.52},"state":"charging","ok":true,"cells":[3.61,3.62]}
//
// Nested objects are flattened with dots (psu.v, psu.i), arrays by index (cells.0, cells.1).
// Numbers → numeric fields; strings and booleans → emitted as they are (events); null → skipped;
// empty objects and arrays → nothing. Keys are trimmed; an empty key → 'malformed' (that member
// skipped). Strings spelling NaN/Infinity ("nan", "-inf", "ovf"…) and numbers too large for a
// double (1e999) → 'not-finite'. Python's json.dumps writes NaN, Infinity and -Infinity as bare
// words, which is not JSON: such words are accepted and reported as 'not-finite' for their field
// while the rest of the object is kept. Invalid JSON or a top-level value that is not an object →
// 'malformed' ('garbage' when the line holds binary noise). Nesting deeper than 16 levels →
// one 'malformed' for the line; the deeper members are skipped, the rest kept. A member whose
// flattened name is longer than the gateway's limit for a metric name (256) → 'invalid-field', and
// it is skipped with everything under it: the gateway would refuse all of them, and emitting a long
// prefix once per leaf (`{"<30,000 chars>":[1,1,…]}`) would cost time quadratic in the line's length.

import { LIMITS } from '../../plexus/limits';
import type { FieldSink, LineParser, LineProblem } from '../types';
import { excerpt, hasNoise, Problems } from './common';
import { isNotFiniteText } from './number';

/** Objects/arrays nested deeper than this (the top-level object is level 1) are not read. */
export const MAX_JSON_DEPTH = 16;

/** Members whose flattened name is longer than this are skipped (the gateway refuses such names). */
export const MAX_JSON_NAME_CHARS = LIMITS.metricBytes;

/** Stands in for a bare NaN/Infinity word while the repaired line is parsed. */
const NOT_FINITE_MARK = '\u0000plexus:not-finite:';

export class JsonlParser implements LineParser {
  readonly kind = 'jsonl' as const;
  private readonly problems = new Problems();
  private tooDeep = '';

  parse(line: string, sink: FieldSink): LineProblem[] | null {
    let i = 0;
    const n = line.length;
    while (i < n && isWs(line.charCodeAt(i))) i++;
    if (i === n) return null;
    const p = this.problems;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const repaired = line.charCodeAt(i) === 123 /* { */ ? repairNotFinite(line) : null;
      try {
        if (repaired === null) throw new Error('not repairable');
        value = JSON.parse(repaired);
      } catch {
        if (hasNoise(line)) p.add('garbage', `line is not JSON and holds binary noise: ${excerpt(line)}`);
        else p.add('malformed', `line is not valid JSON: ${excerpt(line)}`);
        return p.take();
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      p.add('malformed', `line is JSON but not an object: ${excerpt(line)}`);
      return p.take();
    }
    this.tooDeep = '';
    this.walkObject(value as Record<string, unknown>, '', 1, sink);
    if (this.tooDeep !== '') {
      p.add('malformed', `nested deeper than ${MAX_JSON_DEPTH} levels at ${excerpt(this.tooDeep)} (skipped)`);
    }
    return p.take();
  }

  private walkObject(obj: Record<string, unknown>, prefix: string, depth: number, sink: FieldSink): void {
    // JSON.parse makes plain objects: every enumerable key is an own one.
    for (const key in obj) {
      const k = key.trim();
      if (k === '') {
        this.problem('malformed', `empty key${prefix === '' ? '' : ` in ${excerpt(prefix)}`}`);
        continue;
      }
      this.walk(obj[key], prefix === '' ? k : `${prefix}.${k}`, depth, sink);
    }
  }

  private walk(v: unknown, name: string, depth: number, sink: FieldSink): void {
    if (name.length > MAX_JSON_NAME_CHARS) {
      if (v === null) return;
      // (Checked before any message is built: excerpting a long concatenated name costs its length.)
      if (this.problems.listing) {
        this.problems.add(
          'invalid-field',
          `name ${excerpt(name)} is longer than ${MAX_JSON_NAME_CHARS} characters (skipped)`,
        );
      } else this.problems.skip('invalid-field');
      return;
    }
    switch (typeof v) {
      case 'number':
        if (v - v === 0) sink.field(name, v);
        else this.problem('not-finite', `${excerpt(name)} is ${v} (not finite)`);
        return;
      case 'string':
        if (v.charCodeAt(0) === 0 && v.startsWith(NOT_FINITE_MARK)) {
          this.problem('not-finite', `${excerpt(name)} is ${v.slice(NOT_FINITE_MARK.length)} (not finite)`);
        } else if (v.length <= 24 && isNotFiniteText(v)) {
          this.problem('not-finite', `${excerpt(name)} is ${JSON.stringify(v)} (not finite)`);
        } else sink.field(name, v);
        return;
      case 'boolean':
        sink.field(name, v);
        return;
      case 'object':
        if (v === null) return;
        if (depth >= MAX_JSON_DEPTH) {
          if (this.tooDeep === '') this.tooDeep = name;
          return;
        }
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) this.walk(v[i], `${name}.${i}`, depth + 1, sink);
        } else this.walkObject(v as Record<string, unknown>, name, depth + 1, sink);
        return;
      default:
        return;
    }
  }

  private problem(kind: 'malformed' | 'not-finite', message: string): void {
    if (this.problems.listing) this.problems.add(kind, message);
    else this.problems.skip(kind);
  }
}

const isWs = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 10;

/**
 * Rewrites bare NaN / Infinity words (outside strings, where a value is expected) into marker
 * strings so JSON.parse accepts the line; null when there is none to rewrite.
 */
export function repairNotFinite(line: string): string | null {
  let out = '';
  let from = 0;
  let inString = false;
  let expectValue = false;
  let changed = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      expectValue = false;
    } else if (c === 58 /* : */ || c === 91 /* [ */ || c === 44 /* , */) expectValue = true;
    else if (isWs(c)) continue;
    else if (expectValue && (isWordStart(c) || c === 43 || c === 45)) {
      let j = i + 1;
      while (j < line.length && isWordChar(line.charCodeAt(j))) j++;
      const word = line.slice(i, j);
      if (isNotFiniteText(word) && !/^[+-]?[\d.]/.test(word)) {
        out += `${line.slice(from, i)}${JSON.stringify(NOT_FINITE_MARK + word)}`;
        from = j;
        changed = true;
      }
      i = j - 1;
      expectValue = false;
    } else expectValue = false;
  }
  return changed ? out + line.slice(from) : null;
}

const isWordStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isWordChar = (c: number): boolean =>
  isWordStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 35 || c === 40 || c === 41 || c === 43 || c === 45;
