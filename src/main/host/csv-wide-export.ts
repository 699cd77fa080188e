// A run as a wide CSV: one row per time, one column per metric (names sorted, the unit in the
// header: `demo.supply_v [V]`), an empty cell where a metric has no value at that time. Cells are
// written as in the long CSV (numbers as numbers, text guarded against formula injection).
//
// Events and markers are kept, as text columns after the metrics (`marker (event)`): a marker is
// how a technician finds a moment again, and a spreadsheet without them would send them to a
// second file. Tags are left out: a column per tag value would multiply the columns, and the long
// CSV keeps them. A metric recorded twice in the same millisecond gets a second row with that
// time rather than losing one of its values.
//
// The run log is in recording order, which is not time order across sources (a serial device and
// a plugin stamp their own times), so rows need sorting; a long run does not fit in memory, so
// the points go through a scratch SQLite file (its page cache bounded) and come back ordered by
// time from an index. The file is removed afterwards.

import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LoggedPoint } from '../plexus';
import { isoTime, textCell, valueCell } from './csv-export';
import type { ExportSink } from './export-sink';

/** Rows inserted per transaction; the event loop gets a turn between them. */
const BATCH = 10_000;
/** The scratch file's page cache, in KiB (SQLite spills the rest to the file). */
const CACHE_KIB = 16 * 1024;

export interface WideCsvOptions {
  /** A metric's unit, when the recorder knows one. */
  unit(metric: string): string | undefined;
  /** A folder for the scratch file (on the data disk: the system's temp folder may be in RAM). */
  scratchDir: string;
}

interface Column {
  id: number;
  name: string;
  event: boolean;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Writes the wide CSV; resolves with the number of points it holds. */
export async function writeWideCsv(
  points: Iterable<LoggedPoint>,
  opts: WideCsvOptions,
  sink: ExportSink,
): Promise<number> {
  const file = join(opts.scratchDir, `.wide-${randomBytes(6).toString('hex')}.sqlite`);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.exec('CREATE TABLE p (t INTEGER NOT NULL, seq INTEGER NOT NULL, col INTEGER NOT NULL, cell TEXT NOT NULL)');
    const { columns, count } = await fill(db, points);
    db.exec('CREATE INDEX p_time ON p (t, seq)');
    await writeRows(db, columns, opts, sink);
    return count;
  } finally {
    db.close();
    rmSync(file, { force: true });
  }
}

/** Pass 1: every point into the scratch table, in batches; the columns as they were met. */
async function fill(
  db: Database.Database,
  points: Iterable<LoggedPoint>,
): Promise<{ columns: Column[]; count: number }> {
  const insert = db.prepare('INSERT INTO p (t, seq, col, cell) VALUES (?, ?, ?, ?)');
  const byKey = new Map<string, Column>();
  const columns: Column[] = [];
  let batch: Array<[number, number, number, string]> = [];
  let count = 0;
  const commit = db.transaction((rows: typeof batch) => {
    for (const r of rows) insert.run(r);
  });
  for (const p of points) {
    const event = p.class === 'event';
    const key = `${event ? 'e' : 'm'}:${p.metric}`;
    let col = byKey.get(key);
    if (!col) {
      col = { id: columns.length, name: p.metric, event };
      byKey.set(key, col);
      columns.push(col);
    }
    batch.push([p.timestamp, p.seq, col.id, valueCell(p.value)]);
    count++;
    if (batch.length >= BATCH) {
      commit(batch);
      batch = [];
      await turn();
    }
  }
  commit(batch);
  return { columns, count };
}

/** Metrics by name, then events by name. */
function byPlace(a: Column, b: Column): number {
  if (a.event !== b.event) return a.event ? 1 : -1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function wideHeader(columns: readonly Column[], unit: (metric: string) => string | undefined): string {
  const names = columns.map((c) => {
    if (c.event) return textCell(`${c.name} (event)`);
    const u = unit(c.name);
    return textCell(u ? `${c.name} [${u}]` : c.name);
  });
  return ['time_utc', 'epoch_ms', ...names].join(',') + '\r\n';
}

/** Pass 2: the rows in time order (recording order within a millisecond). */
async function writeRows(
  db: Database.Database,
  columns: Column[],
  opts: WideCsvOptions,
  sink: ExportSink,
): Promise<void> {
  const ordered = [...columns].sort(byPlace);
  const place = new Array<number>(columns.length);
  ordered.forEach((c, i) => (place[c.id] = i));
  await sink.text(wideHeader(ordered, opts.unit));
  const cells = new Array<string>(ordered.length).fill('');
  // Which cells hold a value (an empty text value is a value, though its cell looks empty).
  const taken = new Uint8Array(ordered.length);
  let filled = 0;
  let rowT: number | null = null;
  const flush = async (): Promise<void> => {
    if (rowT === null || filled === 0) return;
    await sink.text(`${isoTime(rowT)},${rowT},${cells.join(',')}\r\n`);
    cells.fill('');
    taken.fill(0);
    filled = 0;
  };
  const rows = db.prepare('SELECT t, col, cell FROM p ORDER BY t, seq').raw(true);
  for (const [t, col, cell] of rows.iterate() as IterableIterator<[number, number, string]>) {
    const i = place[col]!;
    if (t !== rowT || taken[i]) {
      await flush();
      rowT = t;
    }
    cells[i] = cell;
    taken[i] = 1;
    filled++;
  }
  await flush();
}
