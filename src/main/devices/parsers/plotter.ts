// The Arduino Serial Plotter format, read as tolerantly as the Arduino IDE 2 plotter reads it,
// without its limit on the number of series:
//
//   temp:21.5,hum:40.2        labelled values
//   21.5 40.2 1013            bare values → value1, value2, value3
//   Supply voltage:12.1\tLoad current:0.53
//
// Tokens. When the line holds a comma or a tab, only commas and tabs separate tokens (so labels
// may contain spaces: `Supply voltage:12.1,Load current:0.5`) and spaces around a token are
// trimmed; otherwise spaces separate tokens. A run of separators counts as one (like the IDE 2
// plotter), so empty tokens do not exist: `1,,3` is value1=1, value2=3.
//
// A token is `label:value` (split at its first colon, label trimmed) or a bare value. A bare value
// (or one with an empty label, `:5`) is named `valueN` where N is its 1-based position among the
// line's tokens, labelled ones included: `a:1,5` → a=1, value2=5. In space-separated lines a
// label whose value follows after a space is accepted (`temp: 21.5 hum: 40`).
//
// Problems: a value that is not a number → 'non-numeric' (that token skipped, the others kept);
// NaN / inf / ovf text → 'not-finite'; a token containing control characters or other binary
// noise → 'garbage'. A line that yields no value at all and has several bad tokens gets one
// problem for the whole line instead ('garbage' when it contains noise, else 'non-numeric'),
// unless some of them are NaN/inf (those stay per series). Empty lines yield nothing.

import type { FieldSink, LineParser, LineProblem } from '../types';
import { excerpt, hasNoise, isBlankChar as isBlankCharImport, kindBit, mostlyNoise, Problems } from './common';
import { isNotFiniteText, scanNumber as scanNumberImport } from './number';

// Hot-path helpers bound locally: under a CommonJS transform (tsx, vitest) every use of an
// imported binding is a property read through a getter, which costs more than the call itself.
const scanNumber = scanNumberImport;
const isBlankChar = isBlankCharImport;

const COMMA = 44;
const TAB = 9;
const SPACE = 32;
const CR = 13;

const VALUE_NAMES: string[] = [];
/** `valueN`, built once per N. */
export function valueName(n: number): string {
  return (VALUE_NAMES[n] ??= `value${n}`);
}

const NOT_FINITE_BIT = kindBit('not-finite');
const GARBAGE_BIT = kindBit('garbage');

export class PlotterParser implements LineParser {
  readonly kind = 'plotter' as const;
  private readonly problems = new Problems();
  /** The label seen at each token position on earlier lines: reused when the text matches. */
  private readonly labels: Array<string | undefined> = [];

  parse(line: string, sink: FieldSink): LineProblem[] | null {
    const n = line.length;
    if (n === 0) return null;
    // Token ends are found with indexOf where possible (much faster than a char loop), and the
    // next colon is looked up once and reused until the scan passes it.
    const hasTab = line.indexOf('\t') !== -1;
    const commaMode = hasTab || line.indexOf(',') !== -1;
    const sep = commaMode ? ',' : ' ';
    let nextColon = line.indexOf(':');
    if (nextColon < 0) nextColon = n;
    let pos = 0;
    let token = 0;
    let emitted = 0;
    while (pos < n) {
      // Skip separators (and blanks, which are never part of a token's edges).
      let c = line.charCodeAt(pos);
      while (c === SPACE || c === COMMA || c === TAB || c === CR) {
        if (++pos === n) break;
        c = line.charCodeAt(pos);
      }
      if (pos === n) break;
      const start = pos;
      if (hasTab) {
        for (; pos < n; pos++) {
          c = line.charCodeAt(pos);
          if (c === COMMA || c === TAB) break;
        }
      } else {
        pos = line.indexOf(sep, pos);
        if (pos < 0) pos = n;
      }
      if (nextColon < start) {
        nextColon = line.indexOf(':', start);
        if (nextColon < 0) nextColon = n;
      }
      const colon = nextColon < pos ? nextColon : -1;
      let end = pos;
      token++;

      if (colon < 0) {
        const v = scanNumber(line, start, end);
        if (v === v) {
          sink.field(valueName(token), v);
          emitted++;
        } else this.bad(line, token, start, end, start, end);
        continue;
      }

      let valueStart = colon + 1;
      if (!commaMode && valueStart === end) {
        // `label: 12` in a space-separated line: the value is the next token.
        while (pos < n && line.charCodeAt(pos) === SPACE) pos++;
        valueStart = pos;
        pos = line.indexOf(' ', pos);
        if (pos < 0) pos = n;
        end = pos;
      }
      const v = scanNumber(line, valueStart, end);
      if (v !== v) {
        this.bad(line, token, start, end, valueStart, end);
        continue;
      }
      // The label, trimmed.
      let ls = start;
      let le = colon;
      while (ls < le && isBlankChar(line.charCodeAt(ls))) ls++;
      while (le > ls && isBlankChar(line.charCodeAt(le - 1))) le--;
      let name: string;
      if (ls === le) name = valueName(token);
      else {
        const cached = this.labels[token];
        if (cached !== undefined && cached.length === le - ls && line.startsWith(cached, ls)) name = cached;
        else if (hasNoise(line, ls, le)) {
          this.garbage(line, token, start, end);
          continue;
        } else {
          name = line.slice(ls, le);
          this.labels[token] = name;
        }
      }
      sink.field(name, v);
      emitted++;
    }
    const p = this.problems;
    if (emitted === 0 && p.count > 1 && (p.kinds & NOT_FINITE_BIT) === 0) {
      if ((p.kinds & GARBAGE_BIT) !== 0 || mostlyNoise(line)) {
        p.replaceAll('garbage', `line is binary noise, no values: ${excerpt(line)}`);
      } else {
        p.replaceAll('non-numeric', `line has no numbers: ${excerpt(line)}`);
      }
    }
    return p.take();
  }

  /** A token whose value `line[vs, ve)` is not a finite number. */
  private bad(line: string, token: number, start: number, end: number, vs: number, ve: number): void {
    const p = this.problems;
    if (hasNoise(line, start, end)) this.garbage(line, token, start, end);
    else if (isNotFiniteText(line, vs, ve)) {
      if (p.listing) p.add('not-finite', `field ${token} ${excerpt(line, start, end)} is not finite`);
      else p.skip('not-finite');
    } else if (p.listing) {
      while (vs < ve && isBlankChar(line.charCodeAt(vs))) vs++;
      const what = vs === ve ? 'has no value' : 'is not a number';
      p.add('non-numeric', `field ${token} ${excerpt(line, start, end)} ${what}`);
    } else p.skip('non-numeric');
  }

  private garbage(line: string, token: number, start: number, end: number): void {
    const p = this.problems;
    if (p.listing) p.add('garbage', `field ${token} ${excerpt(line, start, end)} contains binary noise`);
    else p.skip('garbage');
  }
}
