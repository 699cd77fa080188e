// CSV with a header line, as loggers and sketches print it:
//
//   time_ms,voltage,current,state
//   1000,12.01,0.52,idle
//   "1001","12.02","0.55","charging, fast"
//
// Cells follow RFC 4180 quoting (a quoted cell may hold the separator and `""` for a quote; a
// quoted number is still a number). The separator is a comma, or a semicolon when the header (or,
// before any header, the line itself) holds semicolons and no commas; in semicolon files a decimal
// comma is accepted (`12,5`). Unquoted cells are trimmed.
//
// Data cells are named by position from the header: a number → that metric; an empty cell →
// skipped; NaN/inf text → 'not-finite'; binary noise → 'garbage'; any other text → emitted as a
// string (an event). Data before any header is named col1, col2…; cells beyond the header's
// columns are named colN by their 1-based position.
//
// Header rule. A line is a header when it has at least two cells, every cell is a name — text
// with a letter or digit in it that is not a number, a NaN/inf spelling, noise or a placeholder
// (`n/a`, `null`, `none`, `-`, `?`…) — and no cell is empty except trailing ones (which are
// ignored, so `time,temp,` is the header time,temp). Such a line becomes the header when there is none yet.
// Later, the same header again is skipped silently (devices reprint it after a reset); a different
// one replaces the current header — unless it fits as data: when every one of its cells sits in a
// column that already carried text under the current header (`idle,off` in a file with text
// columns state,relay), it is a data line. Repeated header names get `_2`, `_3`… suffixes.

import type { FieldSink, LineParser, LineProblem } from '../types';
import { excerpt, hasNoise, isBlankChar as isBlankCharImport, kindBit, Problems } from './common';
import { isNotFiniteText, scanNumber as scanNumberImport } from './number';

// Hot-path helpers bound locally (see plotter.ts).
const scanNumber = scanNumberImport;
const isBlankChar = isBlankCharImport;

const COMMA = 44;
const SEMICOLON = 59;
const QUOTE = 34;

const COL_NAMES: string[] = [];
/** `colN`, built once per N. */
export function colName(n: number): string {
  return (COL_NAMES[n] ??= `col${n}`);
}

const GARBAGE_BIT = kindBit('garbage');

/** Splits a CSV line into trimmed, unquoted cells (for detection and tests). */
export function splitCsvLine(line: string, sep: ',' | ';'): string[] {
  const reader = new CellReader();
  const out: string[] = [];
  const sepCode = sep.charCodeAt(0);
  for (let pos = 0; ;) {
    const next = reader.read(line, pos, sepCode);
    out.push(reader.text ?? line.slice(reader.start, reader.end));
    if (next >= line.length) break;
    pos = next + 1;
  }
  return out;
}

/** A CSV cell as a number: plain, or with a decimal comma in semicolon files; NaN when neither. */
export function csvCellNumber(cell: string, sep: ',' | ';'): number {
  const v = scanNumber(cell, 0, cell.length);
  return v === v || sep === ',' ? v : decimalComma(cell, 0, cell.length);
}

/** Picks the separator of a line: `;` when it holds semicolons and no commas, else `,`. */
export function csvSeparatorOf(line: string): ',' | ';' {
  return line.indexOf(';') !== -1 && line.indexOf(',') === -1 ? ';' : ',';
}

/** Reads one cell; its bounds/text are left in fields so the hot path allocates nothing for unquoted cells. */
class CellReader {
  /** Trimmed bounds of an unquoted cell. */
  start = 0;
  end = 0;
  /** The content of a quoted cell, else null. */
  text: string | null = null;
  /** The quoted cell had no closing quote. */
  unterminated = false;

  /** Reads the cell at `pos`; returns the index of the separator after it, or line.length. */
  read(line: string, pos: number, sep: number): number {
    const n = line.length;
    while (pos < n && isBlankChar(line.charCodeAt(pos))) pos++;
    this.unterminated = false;
    if (pos < n && line.charCodeAt(pos) === QUOTE) return this.quoted(line, pos + 1, sep);
    this.text = null;
    let e = line.indexOf(sep === COMMA ? ',' : ';', pos);
    if (e < 0) e = n;
    let end = e;
    while (end > pos && isBlankChar(line.charCodeAt(end - 1))) end--;
    this.start = pos;
    this.end = end;
    return e;
  }

  private quoted(line: string, pos: number, sep: number): number {
    const n = line.length;
    let text = '';
    let from = pos;
    for (;;) {
      const q = line.indexOf('"', pos);
      if (q < 0) {
        this.text = text + line.slice(from);
        this.unterminated = true;
        return n;
      }
      if (q + 1 < n && line.charCodeAt(q + 1) === QUOTE) {
        text += line.slice(from, q + 1);
        pos = from = q + 2;
        continue;
      }
      text += line.slice(from, q);
      pos = q + 1;
      break;
    }
    // Text between the closing quote and the separator is kept as is (lenient).
    let e = line.indexOf(sep === COMMA ? ',' : ';', pos);
    if (e < 0) e = n;
    let end = e;
    while (end > pos && isBlankChar(line.charCodeAt(end - 1))) end--;
    this.text = end > pos ? text + line.slice(pos, end) : text;
    return e;
  }
}

/** How a cell bears on the header question: 'other' = a number, NaN, noise or a placeholder (so a data line). */
type CellKind = 'empty' | 'text' | 'other';

export class CsvParser implements LineParser {
  readonly kind = 'csv' as const;
  private readonly problems = new Problems();
  private readonly cell = new CellReader();
  /** The current header's separator (0 before any header). */
  private sep = 0;
  /** Field names by column (index 0 = column 1), or null before any header. */
  private names: string[] | null = null;
  /** The header's cells as read, to recognise a repeated header. */
  private headerCells: string[] = [];
  /** Columns that carried text under the current header. */
  private textCols: boolean[] = [];
  /** Cells of a line that may still turn out to be a header: their text ('' for empty). */
  private pending: string[] = [];
  private emitted = 0;

  /** The current header's field names (a copy), or null. */
  get header(): string[] | null {
    return this.names ? this.names.slice() : null;
  }

  parse(line: string, sink: FieldSink): LineProblem[] | null {
    const n = line.length;
    let first = 0;
    while (first < n && isBlankChar(line.charCodeAt(first))) first++;
    if (first === n) return null;
    const sep = this.sep || (csvSeparatorOf(line) === ';' ? SEMICOLON : COMMA);
    const cell = this.cell;
    const pending = this.pending;
    pending.length = 0;
    this.emitted = 0;
    let undecided = true;
    let col = 0;
    for (let pos = 0; ;) {
      const next = cell.read(line, pos, sep);
      col++;
      if (cell.unterminated) this.problem('malformed', `field ${col} has no closing quote`);
      if (!undecided) this.data(line, col, sink, sep);
      else {
        const kind = this.classify(line, sep);
        if (kind === 'text') pending.push(cell.text ?? line.slice(cell.start, cell.end));
        else if (kind === 'empty') pending.push('');
        else {
          // A number, NaN or noise: a data line. Flush the cells held back, then this one.
          undecided = false;
          this.flush(sink);
          this.data(line, col, sink, sep);
        }
      }
      if (next >= n) break;
      pos = next + 1;
    }
    if (undecided) this.decide(sink, sep);
    const p = this.problems;
    if (this.emitted === 0 && p.count > 1 && p.kinds === GARBAGE_BIT) {
      p.replaceAll('garbage', `line is binary noise: ${excerpt(line)}`);
    }
    return p.take();
  }

  /** A first look at the current cell, to tell a header from data. */
  private classify(line: string, sep: number): CellKind {
    const cell = this.cell;
    const t = cell.text;
    const s = t ?? line;
    const start = t === null ? cell.start : 0;
    const end = t === null ? cell.end : t.length;
    if (start === end) return 'empty';
    const v = scanNumber(s, start, end);
    if (v === v || isNotFiniteText(s, start, end) || hasNoise(s, start, end)) return 'other';
    if (sep === SEMICOLON) {
      const dc = decimalComma(s, start, end);
      if (dc === dc) return 'other';
    }
    return isName(s, start, end) ? 'text' : 'other';
  }

  /** Emits the current cell of a data line (column `col`). */
  private data(line: string, col: number, sink: FieldSink, sep: number): void {
    const cell = this.cell;
    const t = cell.text;
    const s = t ?? line;
    const start = t === null ? cell.start : 0;
    const end = t === null ? cell.end : t.length;
    if (start === end) return;
    let v = scanNumber(s, start, end);
    if (v !== v && sep === SEMICOLON) v = decimalComma(s, start, end);
    if (v === v) {
      sink.field(this.nameOf(col), v);
      this.emitted++;
    } else this.text(s, start, end, col, sink, t);
  }

  /** A non-numeric cell of a data line: not-finite, garbage or a string event. */
  private text(s: string, start: number, end: number, col: number, sink: FieldSink, t: string | null): void {
    if (isNotFiniteText(s, start, end)) {
      this.problem('not-finite', `field ${col} (${this.nameOf(col)}) ${excerpt(s, start, end)} is not finite`);
    } else if (hasNoise(s, start, end)) {
      this.problem('garbage', `field ${col} ${excerpt(s, start, end)} contains binary noise`);
    } else {
      sink.field(this.nameOf(col), t ?? s.slice(start, end));
      this.textCols[col - 1] = true;
      this.emitted++;
    }
  }

  /** Emits the held-back cells (all text or empty) as data. */
  private flush(sink: FieldSink): void {
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      const t = pending[i]!;
      if (t === '') continue;
      sink.field(this.nameOf(i + 1), t);
      this.textCols[i] = true;
      this.emitted++;
    }
  }

  /** The line held only text and empty cells: a header, a repeated header, or text data. */
  private decide(sink: FieldSink, sep: number): void {
    const cells = this.pending;
    let count = cells.length;
    while (count > 0 && cells[count - 1] === '') count--;
    let isHeader = count >= 2;
    for (let i = 0; i < count && isHeader; i++) if (cells[i] === '') isHeader = false;
    if (!isHeader) return this.flush(sink);
    if (this.names !== null) {
      const current = this.headerCells;
      let same = current.length === count;
      for (let i = 0; i < count && same; i++) if (cells[i] !== current[i]) same = false;
      if (same) return;
      let fits = count <= this.names.length;
      for (let i = 0; i < count && fits; i++) if (this.textCols[i] !== true) fits = false;
      if (fits) return this.flush(sink);
    }
    this.setHeader(cells.slice(0, count), sep);
  }

  private setHeader(cells: string[], sep: number): void {
    const seen = new Map<string, number>();
    this.names = cells.map((c) => {
      const k = (seen.get(c) ?? 0) + 1;
      seen.set(c, k);
      return k === 1 ? c : `${c}_${k}`;
    });
    this.headerCells = cells;
    this.textCols = [];
    this.sep = sep;
  }

  private nameOf(col: number): string {
    return this.names?.[col - 1] ?? colName(col);
  }

  private problem(kind: 'malformed' | 'not-finite' | 'garbage', message: string): void {
    if (this.problems.listing) this.problems.add(kind, message);
    else this.problems.skip(kind);
  }
}

const PLACEHOLDERS = new Set(['n/a', 'na', 'n.a.', 'null', 'none', 'nil', 'undefined', 'void']);

/** Text that can name a column: holds a letter, digit or non-ASCII character and is no placeholder. */
function isName(s: string, start: number, end: number): boolean {
  if (end - start <= 9 && PLACEHOLDERS.has(s.slice(start, end).toLowerCase())) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c >= 128) return true;
  }
  return false;
}

/** `12,5` → 12.5 (one comma, no point), else NaN. Looks at `s[start, end)` only (linear per cell). */
function decimalComma(s: string, start: number, end: number): number {
  let c = -1;
  for (let i = start; i < end; i++) {
    const ch = s.charCodeAt(i);
    if (ch === COMMA) {
      if (c >= 0) return NaN;
      c = i;
    } else if (ch === 46 /* . */) return NaN;
  }
  if (c < 0) return NaN;
  const t = `${s.slice(start, c)}.${s.slice(c + 1, end)}`;
  return scanNumber(t, 0, t.length);
}
