// CSV as technicians paste it from a device manual or a spreadsheet: comma or semicolon separated
// (guessed from the first line, outside quotes), quoted cells with "" for a quote and line breaks
// inside quotes, CRLF or LF, a byte-order mark. One pass over the text, so any size is linear.

export class CsvError extends Error {
  constructor(
    message: string,
    /** The line (from 1) the problem is on. */
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

export interface CsvRecord {
  /** The line (from 1) the record starts on: what a technician finds in their editor. */
  line: number;
  cells: string[];
}

/** The separator of the first line: the one of ";" and "," (outside quotes) it has more of. */
export function guessSeparator(text: string): ',' | ';' {
  let commas = 0;
  let semis = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '\n' || c === '\r') break;
    else if (c === ',') commas++;
    else if (c === ';') semis++;
  }
  return semis > commas ? ';' : ',';
}

/** The records of a CSV text; blank lines are skipped. Throws a CsvError naming the line. */
export function parseCsv(input: string, separator: ',' | ';' = guessSeparator(input)): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let line = 1;
  let cells: string[] = [];
  let cell = '';
  let start = 1;
  let quoted = false; // inside a quoted cell
  let closed = false; // just after a quoted cell's closing quote
  let touched = false; // the record has any content (a blank line has none)
  let wasQuoted = false; // the cell was quoted: its spaces are its own
  const endCell = (): void => {
    // Unquoted cells lose the spaces of hand-aligned columns ("1, 40001, u16").
    cells.push(wasQuoted ? cell : cell.trim());
    cell = '';
    closed = false;
    wasQuoted = false;
  };
  const endRecord = (): void => {
    endCell();
    if (touched) records.push({ line: start, cells });
    cells = [];
    touched = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
          closed = true;
        }
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === separator) {
      touched = true;
      endCell();
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else if (closed) {
      // Spaces after a closing quote are what a hand-aligned file has; anything else is a typo.
      if (c !== ' ' && c !== '\t')
        throw new CsvError(`text after a closing quote (put the whole cell in quotes, or write "" for a quote)`, line);
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      wasQuoted = true;
      touched = true;
      cell = '';
    } else {
      if (c !== ' ' && c !== '\t') touched = true;
      cell += c;
    }
  }
  if (quoted) throw new CsvError('a quoted cell is never closed (a " is missing)', start);
  endRecord();
  return records;
}

const NEEDS_QUOTES = /[",;\r\n]|^\s|\s$/;

/** One cell as CSV: quoted when it holds a separator, a quote, a line break or edge spaces. */
export function csvCell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Rows as CSV text, one line each (CRLF, as spreadsheets write it), ending with a line break. */
export function formatCsv(rows: readonly (readonly string[])[], separator: ',' | ';' = ','): string {
  return rows.map((r) => r.map(csvCell).join(separator)).join('\r\n') + (rows.length ? '\r\n' : '');
}
