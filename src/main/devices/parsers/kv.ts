// `key=value` pairs, as many firmware logs and logfmt print them:
//
//   temp=21.5 hum=40          a=1,b=2          a=1; b=2          state=ok msg="door open"
//
// Pairs are separated by spaces, tabs, commas or semicolons (runs count as one). Spaces around
// `=` are allowed (`temp = 21.5`). A value may be double-quoted, with `\"` and `\\` escapes inside;
// an unquoted value runs to the next separator. Unquoted values: a number → numeric field, NaN /
// inf text → 'not-finite', anything else → a string event. A quoted value is always a string
// event (quoting is how a device says "text"), except NaN/inf spellings → 'not-finite'. An empty
// value (`a=`) is skipped silently. A token without `=` → 'malformed' for that token (the pairs
// around it are kept); an empty key (`=5`) → 'malformed'; a key or value holding binary noise →
// 'garbage'. A line with no pair at all gets one problem for the whole line: 'malformed'
// ("no key=value pairs"), or 'garbage' when it holds binary noise. Empty lines yield nothing.

import type { FieldSink, LineParser, LineProblem } from '../types';
import { excerpt, hasNoise, Problems } from './common';
import { isNotFiniteText, scanNumber as scanNumberImport } from './number';

// Hot-path helper bound locally (see plotter.ts).
const scanNumber = scanNumberImport;

const SPACE = 32;
const TAB = 9;
const CR = 13;
const COMMA = 44;
const SEMI = 59;
const EQ = 61;
const QUOTE = 34;
const BACKSLASH = 92;

const isSep = (c: number): boolean => c === SPACE || c === COMMA || c === TAB || c === SEMI || c === CR;

export class KvParser implements LineParser {
  readonly kind = 'kv' as const;
  private readonly problems = new Problems();
  /** Keys seen at each pair position on earlier lines: reused when the text matches. */
  private readonly keys: Array<string | undefined> = [];

  parse(line: string, sink: FieldSink): LineProblem[] | null {
    const n = line.length;
    let pos = 0;
    let pairs = 0;
    let tokens = 0;
    while (pos < n) {
      let c = line.charCodeAt(pos);
      while (isSep(c)) {
        if (++pos === n) break;
        c = line.charCodeAt(pos);
      }
      if (pos === n) break;
      tokens++;
      const ks = pos;
      while (pos < n && (c = line.charCodeAt(pos)) !== EQ && !isSep(c)) pos++;
      const ke = pos;
      let q = pos;
      while (q < n && ((c = line.charCodeAt(q)) === SPACE || c === TAB)) q++;
      if (q === n || line.charCodeAt(q) !== EQ) {
        this.problem(
          hasNoise(line, ks, ke) ? 'garbage' : 'malformed',
          `${excerpt(line, ks, ke)} is not a key=value pair`,
        );
        continue;
      }
      pos = q + 1;
      pairs++;
      // The value.
      const afterEq = pos;
      while (pos < n && ((c = line.charCodeAt(pos)) === SPACE || c === TAB)) pos++;
      if (pos < n && line.charCodeAt(pos) === QUOTE) {
        const text = this.quoted(line, pos + 1, ks, ke);
        pos = this.end;
        if (ks === ke) this.problem('malformed', `pair ${excerpt(line, ks, this.end)} has no key`);
        else this.emitText(line, ks, ke, pairs, text, sink);
        continue;
      }
      const vs = pos;
      while (pos < n && !isSep(line.charCodeAt(pos))) pos++;
      let ve = pos;
      if (vs > afterEq) {
        // `a= b=2`: after blanks, a token with its own `=` is the next pair, and a's value is empty.
        // (Looked for within the token only: a search to the line's end would be quadratic.)
        let eq = vs;
        while (eq < ve && line.charCodeAt(eq) !== EQ) eq++;
        if (eq < ve) pos = ve = vs;
      }
      if (ks === ke) {
        this.problem('malformed', `pair ${excerpt(line, ks, ve)} has no key`);
        continue;
      }
      if (vs === ve) continue; // empty value
      const v = scanNumber(line, vs, ve);
      if (v === v) {
        const key = this.key(line, ks, ke, pairs);
        if (key !== null) sink.field(key, v);
      } else if (isNotFiniteText(line, vs, ve)) {
        this.problem('not-finite', `${excerpt(line, ks, ve)} is not finite`);
      } else if (hasNoise(line, vs, ve)) {
        this.problem('garbage', `${excerpt(line, ks, ve)} contains binary noise`);
      } else {
        const key = this.key(line, ks, ke, pairs);
        if (key !== null) sink.field(key, line.slice(vs, ve));
      }
    }
    const p = this.problems;
    if (pairs === 0 && tokens > 0) {
      if (hasNoise(line)) p.replaceAll('garbage', `line is binary noise, no key=value pairs: ${excerpt(line)}`);
      else p.replaceAll('malformed', `no key=value pairs in ${excerpt(line)}`);
    }
    return p.take();
  }

  /** Where the last quoted value ended (after its closing quote). */
  private end = 0;

  /** Reads a quoted value starting after its opening quote; sets `end`. */
  private quoted(line: string, pos: number, ks: number, ke: number): string {
    const n = line.length;
    let text = '';
    let from = pos;
    for (; pos < n; pos++) {
      const c = line.charCodeAt(pos);
      if (c === BACKSLASH && pos + 1 < n) {
        text += line.slice(from, pos);
        from = ++pos; // keep the escaped character
      } else if (c === QUOTE) {
        this.end = pos + 1;
        return text + line.slice(from, pos);
      }
    }
    this.end = n;
    this.problem('malformed', `value of ${excerpt(line, ks, ke)} has no closing quote`);
    return text + line.slice(from);
  }

  private emitText(line: string, ks: number, ke: number, pair: number, text: string, sink: FieldSink): void {
    if (text === '') return;
    if (text.length <= 24 && isNotFiniteText(text)) {
      this.problem('not-finite', `${excerpt(line, ks, ke)} is ${JSON.stringify(text)} (not finite)`);
    } else if (hasNoise(text)) {
      this.problem('garbage', `value of ${excerpt(line, ks, ke)} contains binary noise`);
    } else {
      const key = this.key(line, ks, ke, pair);
      if (key !== null) sink.field(key, text);
    }
  }

  /** The key `line[ks, ke)` (cached by pair position), or null (reported) when it holds noise. */
  private key(line: string, ks: number, ke: number, pair: number): string | null {
    const cached = this.keys[pair];
    if (cached !== undefined && cached.length === ke - ks && line.startsWith(cached, ks)) return cached;
    if (hasNoise(line, ks, ke)) {
      this.problem('garbage', `key ${excerpt(line, ks, ke)} contains binary noise`);
      return null;
    }
    const key = line.slice(ks, ke);
    this.keys[pair] = key;
    return key;
  }

  private problem(kind: 'malformed' | 'not-finite' | 'garbage', message: string): void {
    if (this.problems.listing) this.problems.add(kind, message);
    else this.problems.skip(kind);
  }
}
