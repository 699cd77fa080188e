// A run as CSV: UTC ISO-8601 time with milliseconds, epoch ms, metric, value, tags. Text cells are
// guarded against spreadsheet formula injection (a leading = + - @ tab or CR gets a ' in front,
// as OWASP advises), and quoted when they hold a comma, quote or line break.

import type { LoggedPoint } from '../plexus';

export const CSV_HEADER = 'time_utc,epoch_ms,metric,value,tags';

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell, safe for spreadsheets. */
export function textCell(s: string): string {
  const guarded = FORMULA_START.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** A value cell: a number or boolean as is, text guarded, anything else as guarded JSON. */
export function valueCell(v: unknown): string {
  if (typeof v === 'number') return String(v); // a number stays a number, sign and all
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return textCell(v);
  return textCell(JSON.stringify(v));
}

function tagsCell(tags: Record<string, string> | undefined): string {
  if (!tags) return '';
  return textCell(
    Object.entries(tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(';'),
  );
}

export function csvRow(p: LoggedPoint): string {
  const t = p.timestamp;
  return `${new Date(t).toISOString()},${t},${textCell(p.metric)},${valueCell(p.value)},${tagsCell(p.tags)}\r\n`;
}

/** The whole file, line by line (for streaming). */
export function* runCsv(points: Iterable<LoggedPoint>): Generator<string> {
  yield `${CSV_HEADER}\r\n`;
  for (const p of points) yield csvRow(p);
}

export function csvFilename(run: { name: string; startedAt: number }): string {
  const d = new Date(run.startedAt).toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const name = run.name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80) || 'run';
  return `${name}_${d}Z.csv`;
}
