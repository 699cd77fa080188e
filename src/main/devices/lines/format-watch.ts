// Watches an auto-detected line format after detection: a device that switches format (a sketch
// re-flashed from plotter output to JSON lines) would otherwise have every line refused by the
// parser chosen at start, silently. When most recent lines yield no field or a problem and the
// detector reads them as another format, the reader says so once and offers to detect again.

import { detectParser } from '../parsers';
import type { ParserKind } from '../types';

/** Lines looked at, and how many of them must yield nothing before the format is questioned. */
const WINDOW = 8;
const BAD = 6;

export class FormatWatch {
  private recent: Array<{ line: string; suspect: boolean }> = [];
  private flagged: string | null = null;

  /** What the technician is told, or null while the lines fit. */
  get message(): string | null {
    return this.flagged;
  }

  reset(): void {
    this.recent = [];
    this.flagged = null;
  }

  /**
   * One parsed line, the fields it gave and the problems it had. Returns the message when the
   * format stopped fitting just now (once; reset() re-arms it).
   */
  note(kind: ParserKind, line: string, fields: number, problems: number): string | null {
    if (this.flagged || line.trim() === '') return null;
    this.recent.push({ line, suspect: fields === 0 || problems > 0 });
    if (this.recent.length > WINDOW) this.recent.shift();
    if (this.recent.length < WINDOW) return null;
    const suspect = this.recent.filter((l) => l.suspect);
    if (suspect.length < BAD) return null;
    const d = detectParser(suspect.map((l) => l.line));
    // Still this format (a device whose lines often carry a problem): look again at the next
    // window of lines, not at every line (detection reads each line whole).
    this.recent = [];
    if (d.kind === kind) return null;
    this.flagged = `the lines no longer look like ${kind}: re-detect? (${d.reason}, so they look like ${d.kind} now)`;
    return this.flagged;
  }
}
