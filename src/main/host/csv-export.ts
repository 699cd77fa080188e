// A run as CSV: UTC ISO-8601 time with milliseconds, epoch ms, metric, value, tags. Text cells are
// guarded against spreadsheet formula injection (a leading = + - @ tab or CR gets a ' in front,
// as OWASP advises), and quoted when they hold a comma, quote or line break.

import type { LoggedPoint } from '../plexus';
import { METRIC_LINE, type PointLineReader } from './run-library/metric-line';

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

/** A tag set's cell, once per set: a run's points share their tags object (metric-line.ts). */
const tagCells = new WeakMap<object, string>();

function tagsCell(tags: Record<string, string> | undefined): string {
  if (!tags) return '';
  let cell = tagCells.get(tags);
  if (cell === undefined) {
    cell = textCell(
      Object.entries(tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(';'),
    );
    tagCells.set(tags, cell);
  }
  return cell;
}

let isoSecond = NaN;
let isoPrefix = '';

/** `new Date(t).toISOString()`, with the date and time up to the second made once per second. */
export function isoTime(t: number): string {
  const ms = Math.floor(t);
  const sec = Math.floor(ms / 1000);
  if (sec !== isoSecond) {
    isoSecond = sec;
    isoPrefix = new Date(sec * 1000).toISOString().slice(0, -5); // without ".000Z"
  }
  const frac = ms - sec * 1000;
  return `${isoPrefix}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
}

export function csvRow(p: LoggedPoint): string {
  const t = p.timestamp;
  return `${isoTime(t)},${t},${textCell(p.metric)},${valueCell(p.value)},${tagsCell(p.tags)}\r\n`;
}

/**
 * The rows of a piece of the run's log (lines joined by "\n"): a metric line's fields copied as
 * the client wrote them (a number's text is what String() gives, the row's own form), any other
 * line through its parsed point. Returns the rows and how many.
 */
export function csvRowsOfLines(body: string, reader: PointLineReader): { rows: string; n: number } {
  let rows = '';
  let n = 0;
  let pos = 0;
  let tagsJson = '';
  let tagsText = '';
  while (pos < body.length) {
    METRIC_LINE.lastIndex = pos;
    const m = METRIC_LINE.exec(body);
    if (m) {
      const json = m[4] ?? '';
      if (json !== tagsJson) {
        tagsJson = json;
        tagsText = json === '' ? '' : tagsCell(reader.tags(json));
      }
      rows += `${isoTime(Number(m[3]))},${m[3]},${metricCell(m[1]!)},${m[2]},${tagsText}\r\n`;
      pos = METRIC_LINE.lastIndex + 1;
    } else {
      let nl = body.indexOf('\n', pos);
      if (nl === -1) nl = body.length;
      rows += csvRow(reader.read(body.slice(pos, nl), 0));
      pos = nl + 1;
    }
    n++;
  }
  return { rows, n };
}

const metricCells = new Map<string, string>();

function metricCell(metric: string): string {
  let cell = metricCells.get(metric);
  if (cell === undefined) {
    cell = textCell(metric);
    if (metricCells.size > 10_000) metricCells.clear();
    metricCells.set(metric, cell);
  }
  return cell;
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
