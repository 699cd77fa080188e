// Auto-detection of a device's line format from its first lines, offered when a device is set up.
//
// Looks at up to 10 non-empty lines, in this order:
//   jsonl   — at least half of them (and at least one) are JSON objects;
//   kv      — at least 60 % of them are mostly `key=value` tokens (half or more of their tokens);
//   csv     — some line of ≥ 2 cells, all non-empty text (no number, no `label:number`), is
//             followed by ≥ 1 line, at least 60 % of which have the same cell count and mostly
//             (half or more) numeric cells; a `1,2,3` stream without a header is not CSV;
//   plotter — otherwise (the most tolerant format).

import type { ParserKind } from '../types';
import { hasNoise, isJsSpace, isLineTerminator } from './common';
import { csvCellNumber, csvSeparatorOf, splitCsvLine } from './csv';
import { repairNotFinite } from './jsonl';
import { classifyNumber, scanNumber } from './number';

/** How many non-empty lines detection looks at. */
export const DETECT_LINES = 10;

export interface Detection {
  kind: ParserKind;
  /** For a person: why this format was chosen. */
  reason: string;
}

export function detectParser(lines: string[]): Detection {
  const sample: string[] = [];
  for (const l of lines) {
    const t = l.trim();
    if (t !== '') sample.push(t);
    if (sample.length === DETECT_LINES) break;
  }
  const total = sample.length;
  if (total === 0) return { kind: 'plotter', reason: 'no lines to look at yet; plotter is the most tolerant format' };
  const of = (k: number): string => `${k} of ${total} line${total === 1 ? '' : 's'}`;

  const json = sample.filter(isJsonObject).length;
  if (json > 0 && json * 2 >= total) return { kind: 'jsonl', reason: `${of(json)} are JSON objects` };

  const kv = sample.filter(isMostlyKv).length;
  if (kv > 0 && kv * 5 >= total * 3) return { kind: 'kv', reason: `${of(kv)} are key=value pairs` };

  const csv = findCsv(sample);
  if (csv !== null) return { kind: 'csv', reason: csv };

  const numeric = sample.filter(hasPlotterValue).length;
  return {
    kind: 'plotter',
    reason:
      numeric > 0
        ? `${of(numeric)} hold numbers or label:number pairs and no header, JSON or key=value format fits`
        : `no format fits ${total === 1 ? 'the line' : `the ${total} lines`}; plotter is the most tolerant`,
  };
}

function isJsonObject(line: string): boolean {
  if (line.charCodeAt(0) !== 123 /* { */ || line.charCodeAt(line.length - 1) !== 125 /* } */) return false;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    // Python's NaN / Infinity words make otherwise good objects invalid JSON; the parser copes.
    const repaired = repairNotFinite(line);
    if (repaired === null) return false;
    try {
      const v: unknown = JSON.parse(repaired);
      return typeof v === 'object' && v !== null;
    } catch {
      return false;
    }
  }
}

// Every check below runs in time linear in the line's length, whatever the line holds (a line may
// be 64 KiB of spaces, quotes or backslashes): hand-written scans, no backtracking regular
// expressions. They reproduce what these expressions did on well-formed and malformed lines alike:
//   line.replace(/"(?:[^"\\]|\\.)*"/g, 'q').replace(/\s*=\s*/g, '=').split(/[\s,;]+/)
// with a token counting as a pair when it matches /^[^=\s,;"]+\s*=/ (isMostlyKv), and
// line.split(/[\s,]+/) (hasPlotterValue). The second replace backtracks quadratically on a run of
// blanks without `=` (65,000 spaces took 8 s), the first on a run of `\"` without a closing quote.

/** Half or more of the line's tokens are `key=value` pairs (quoted values and blanks around `=` allowed). */
function isMostlyKv(line: string): boolean {
  const s = squeezeEquals(quotedToQ(line));
  const n = s.length;
  let tokens = 0;
  let pairs = 0;
  let i = 0;
  while (i < n) {
    while (i < n && isKvSep(s.charCodeAt(i))) i++;
    if (i === n) break;
    tokens++;
    const start = i;
    // A pair: the token's first `=` or `"` is an `=` after at least one character.
    let mark = 0;
    let at = -1;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (isKvSep(c)) break;
      if (mark === 0 && (c === EQ || c === QUOTE)) {
        mark = c;
        at = i;
      }
    }
    if (mark === EQ && at > start) pairs++;
  }
  return tokens > 0 && pairs * 2 >= tokens;
}

const EQ = 61;
const QUOTE = 34;
const BACKSLASH = 92;

const isKvSep = (c: number): boolean => c === 44 /* , */ || c === 59 /* ; */ || isJsSpace(c);

/**
 * Replaces each double-quoted string (with `\x` escapes, where x is no line terminator) by `q`, as
 * `line.replace(/"(?:[^"\\]|\\.)*"/g, 'q')` does. An unclosed quote stays as it is; so does every
 * quote before the point where its string failed (they are escaped quotes of the same run, and a
 * string started at one of them fails at the same point), so the scan resumes there.
 */
function quotedToQ(line: string): string {
  const n = line.length;
  let out = '';
  let from = 0;
  let open = line.indexOf('"');
  while (open >= 0) {
    let j = open + 1;
    let close = -1;
    while (j < n) {
      const c = line.charCodeAt(j);
      if (c === QUOTE) {
        close = j;
        break;
      }
      if (c === BACKSLASH) {
        if (j + 1 < n && !isLineTerminator(line.charCodeAt(j + 1))) j += 2;
        else break;
      } else j++;
    }
    if (close >= 0) {
      out += `${line.slice(from, open)}q`;
      from = close + 1;
      open = line.indexOf('"', from);
    } else open = j < n ? line.indexOf('"', j) : -1;
  }
  return from === 0 ? line : out + line.slice(from);
}

// Drops the blanks (`\s`) on either side of every `=`, as `s.replace(/\s*=\s*/g, '=')` does.
function squeezeEquals(s: string): string {
  let eq = s.indexOf('=');
  if (eq < 0) return s;
  const n = s.length;
  let out = '';
  let from = 0;
  while (eq >= 0) {
    let a = eq;
    while (a > from && isJsSpace(s.charCodeAt(a - 1))) a--;
    let b = eq + 1;
    while (b < n && isJsSpace(s.charCodeAt(b))) b++;
    out += `${s.slice(from, a)}=`;
    from = b;
    eq = s.indexOf('=', b);
  }
  return out + s.slice(from);
}

function findCsv(sample: string[]): string | null {
  for (let h = 0; h < sample.length - 1; h++) {
    const header = sample[h]!;
    const sep = csvSeparatorOf(header);
    if (header.indexOf(sep) < 0) continue;
    const cells = splitCsvLine(header, sep).map((c) => c.trim());
    while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
    if (cells.length < 2 || !cells.every(isHeaderCell)) continue;
    const rest = sample.slice(h + 1);
    let matching = 0;
    for (const line of rest) {
      const data = splitCsvLine(line, sep).map((c) => c.trim());
      while (data.length > cells.length && data[data.length - 1] === '') data.pop();
      if (data.length !== cells.length) continue;
      const numeric = data.filter(
        (c) => c !== '' && (!Number.isNaN(csvCellNumber(c, sep)) || classifyNumber(c) === 'not-finite'),
      ).length;
      if (numeric * 2 >= data.length) matching++;
    }
    if (matching > 0 && matching * 5 >= rest.length * 3) {
      const shown = header.length > 60 ? `${header.slice(0, 60)}…` : header;
      return (
        `header "${shown}" (${cells.length} columns) is followed by ${matching} of ${rest.length} ` +
        `line${rest.length === 1 ? '' : 's'} with ${cells.length} mostly numeric cells`
      );
    }
  }
  return null;
}

/** A header cell: non-empty text that is neither a number, NaN/inf, `label:number` nor noise. */
function isHeaderCell(c: string): boolean {
  if (c === '' || hasNoise(c) || classifyNumber(c) !== 'non-numeric') return false;
  const colon = c.indexOf(':');
  return colon < 0 || Number.isNaN(scanNumber(c, colon + 1, c.length));
}

/** The line holds at least one number or label:number token (the plotter's separators). */
function hasPlotterValue(line: string): boolean {
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && isPlotterSep(line.charCodeAt(i))) i++;
    if (i === n) break;
    const start = i;
    let colon = -1;
    for (; i < n; i++) {
      const c = line.charCodeAt(i);
      if (isPlotterSep(c)) break;
      if (c === 58 /* : */ && colon < 0) colon = i;
    }
    const v = colon >= 0 ? scanNumber(line, colon + 1, i) : scanNumber(line, start, i);
    if (v === v) return true;
  }
  return false;
}

const isPlotterSep = (c: number): boolean => c === 44 /* , */ || isJsSpace(c);
