// A damaged buffer.db must never stop the recorder from starting. The damaged file (with its
// -wal and -shm) is set aside under a new name — never deleted, never written — and every row
// that can still be read from a copy of it is carried into a fresh buffer: blocks of points, runs,
// clock history, quarantine and the device's identity (meta). Then the client starts as usual and
// reports what it recovered and where the old file is.
//
// Reading a damaged SQLite file: SQLite reads it page by page and refuses only the rows whose
// pages are damaged, so rows are read in rowid order and, where a read fails, the damaged stretch
// is stepped over by probing further rowids (see readRows). A file whose first page is damaged
// cannot even be opened; its first page is rebuilt from a fresh buffer's (same schema, same table
// roots: every buffer is created by the same statements) before reading.

import Database from 'better-sqlite3';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { privateFile } from './private-files';
import { DamagedBufferError, Store } from './store';

import type { RecoveryInfo } from './recovery-info';
export type { RecoveryInfo };

type Row = Record<string, unknown> & { _r: number };

/** Largest rowid probed when stepping over damage (rowids are JS-safe integers here). */
const MAX_ROWID = Number.MAX_SAFE_INTEGER;

function stamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Move the damaged file and its companions aside; returns the new path of the main file. */
export function setAside(path: string): string {
  let target = `${path}.damaged-${stamp()}`;
  for (let k = 2; existsSync(target); k++) target = `${path}.damaged-${stamp()}-${k}`;
  renameSync(path, target);
  for (const ext of ['-wal', '-shm']) if (existsSync(path + ext)) renameSync(path + ext, target + ext);
  // Still this user's recordings: as private as the buffer was meant to be.
  for (const ext of ['', '-wal', '-shm']) privateFile(target + ext, false);
  return target;
}

function renameBack(movedTo: string, path: string): void {
  for (const ext of ['', '-wal', '-shm']) {
    try {
      rmSync(path + ext, { force: true });
      if (existsSync(movedTo + ext)) renameSync(movedTo + ext, path + ext);
    } catch {
      // the damaged file stays where it was moved; the error thrown says why nothing started
    }
  }
}

// ── opening what is left ──────────────────────────────────────────────────────────────────

/** The first page of a fresh, empty buffer: a known-good header and schema. */
function templatePage(workDir: string): Buffer {
  const path = join(workDir, 'template.db');
  new Store(path).close();
  const head = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 100, 0);
    const size = head.readUInt16BE(16) === 1 ? 65536 : head.readUInt16BE(16);
    const page = Buffer.alloc(size);
    readSync(fd, page, 0, size, 0);
    return page;
  } finally {
    closeSync(fd);
  }
}

/** Put `bytes` (a header or a whole first page) over the copy, with the page count of the copy. */
function patchFirstPage(copy: string, fileSize: number, bytes: Buffer): void {
  const page = Buffer.from(bytes);
  const pageSize = page.readUInt16BE(16) === 1 ? 65536 : page.readUInt16BE(16);
  page.writeUInt32BE(Math.max(1, Math.ceil(fileSize / pageSize)), 28);
  // "Version valid for" = change counter: SQLite then trusts the page count above.
  page.writeUInt32BE(page.readUInt32BE(24), 92);
  const fd = openSync(copy, 'r+');
  try {
    writeSync(fd, page, 0, page.length, 0);
  } finally {
    closeSync(fd);
  }
}

function openable(path: string): Database.Database | null {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true });
    const names = (
      db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as Array<{ name: string }>
    ).map((r) => r.name);
    if (names.includes('blocks')) return db;
  } catch {
    // not like this
  }
  db?.close();
  return null;
}

/** A working copy of the damaged file that SQLite can open, or null when nothing can be read. */
function openCopy(damaged: string, workDir: string): Database.Database | null {
  const copy = join(workDir, 'damaged.db');
  copyFileSync(damaged, copy);
  if (existsSync(`${damaged}-wal`)) copyFileSync(`${damaged}-wal`, `${copy}-wal`);
  const fileSize = statSync(copy).size;
  const as = openable(copy);
  if (as) return as;
  if (fileSize < 512) return null;
  const page = templatePage(workDir);
  // Only the 100-byte header damaged: the schema on the first page still points at the tables.
  patchFirstPage(copy, fileSize, page.subarray(0, 100));
  const patched = openable(copy);
  if (patched) return patched;
  // The whole first page damaged: every buffer has the same schema and table roots.
  patchFirstPage(copy, fileSize, page);
  return openable(copy);
}

// ── reading rows around the damage ────────────────────────────────────────────────────────

/**
 * Every row of `table` that can be read, in rowid order. A row whose own pages are damaged is
 * skipped; a damaged stretch of the table's tree is stepped over by probing ever further rowids
 * (doubling), then narrowing down (bisection) to the first rowid past it that can be read.
 */
function readRows(db: Database.Database, table: string, cols: string): { rows: Row[]; skips: number } {
  const rows: Row[] = [];
  let skips = 0;
  let q: Database.Statement;
  let probeQ: Database.Statement;
  try {
    q = db.prepare(`SELECT rowid AS _r, ${cols} FROM ${table} WHERE rowid > ? ORDER BY rowid`);
    probeQ = db.prepare(`SELECT rowid AS _r FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT 1`);
  } catch {
    return { rows, skips: 1 };
  }
  /** The first readable rowid after `x`: a number, 'end', or 'fail' when the way there is damaged. */
  const probe = (x: number): number | 'end' | 'fail' => {
    try {
      const r = probeQ.get(x) as Row | undefined;
      return r ? r._r : 'end';
    } catch {
      return 'fail';
    }
  };
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    try {
      for (const r of q.iterate(after) as IterableIterator<Row>) {
        rows.push(r);
        after = r._r;
      }
      return { rows, skips };
    } catch {
      skips++;
    }
    const next = probe(after);
    if (next === 'end') return { rows, skips };
    if (typeof next === 'number') {
      after = next; // that one row is unreadable (its own pages): skip it
      continue;
    }
    let lo = after;
    let step = 1;
    for (; probe(lo + step) === 'fail'; step *= 2) {
      lo += step;
      if (lo >= MAX_ROWID - 2 * step) return { rows, skips };
    }
    let hi = lo + step;
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (probe(mid) === 'fail') lo = mid;
      else hi = mid;
    }
    const past = probe(hi);
    if (past === 'end' || past === 'fail') return { rows, skips };
    after = past - 1; // read `past` itself next
  }
}

// ── carrying rows into the fresh buffer ───────────────────────────────────────────────────

function isPointLine(line: string): boolean {
  if (line.length < 20 || line.charCodeAt(0) !== 0x7b) return false;
  try {
    const p = JSON.parse(line) as Record<string, unknown>;
    return (
      (p.class === 'metric' || p.class === 'event') &&
      typeof p.metric === 'string' &&
      'value' in p &&
      typeof p.timestamp === 'number'
    );
  } catch {
    return false;
  }
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';
const numOrNull = (v: unknown): boolean => v === null || num(v);

interface Salvaged {
  points: number;
  runs: number;
  clockSyncs: number;
  identity: boolean;
  skips: number;
}

function carry(src: Database.Database, store: Store): Salvaged {
  const out: Salvaged = { points: 0, runs: 0, clockSyncs: 0, identity: false, skips: 0 };
  const dst = store.db;
  const blocks = readRows(src, 'blocks', 'first_seq AS firstSeq, n, body');
  const runs = readRows(src, 'runs', 'id, name, started_at, ended_at, first_seq, last_seq, points');
  const clock = readRows(src, 'clock_syncs', 'at, offset_ms, uncertainty_ms, rtt_ms, source');
  const meta = readRows(src, 'meta', 'key, value');
  const quarantine = readRows(src, 'quarantine', 'seq, line, reason, at');
  out.skips = blocks.skips + runs.skips + clock.skips + meta.skips + quarantine.skips;
  let maxSeq = 0;
  store.transaction(() => {
    const insBlock = dst.prepare('INSERT INTO blocks (first_seq, n, bytes, body) VALUES (?, ?, ?, ?)');
    for (const r of blocks.rows) {
      const first = r.firstSeq;
      const n = r.n;
      if (!num(first) || !num(n) || n < 1 || !Buffer.isBuffer(r.body) || first <= maxSeq) continue;
      // Keep each unbroken stretch of sound lines as a block of its own: a damaged line is lost,
      // its neighbours are not, and every point keeps its sequence number.
      const lines = r.body.toString('utf8').split('\n').slice(0, n);
      let run: string[] = [];
      let runFirst = first;
      const flush = (): void => {
        if (run.length === 0) return;
        const body = Buffer.from(run.join('\n'));
        insBlock.run(runFirst, run.length, body.length - (run.length - 1), body);
        out.points += run.length;
        maxSeq = runFirst + run.length - 1;
        run = [];
      };
      lines.forEach((line, i) => {
        if (isPointLine(line)) {
          if (run.length === 0) runFirst = first + i;
          run.push(line);
        } else flush();
      });
      flush();
    }
    const insRun = dst.prepare(
      'INSERT OR IGNORE INTO runs (id, name, started_at, ended_at, first_seq, last_seq, points) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const r of runs.rows) {
      if (!str(r.id) || !str(r.name) || !num(r.started_at) || !numOrNull(r.ended_at) || !num(r.first_seq)) continue;
      if (!numOrNull(r.last_seq) || !num(r.points)) continue;
      out.runs += insRun.run(r.id, r.name, r.started_at, r.ended_at, r.first_seq, r.last_seq, r.points).changes;
    }
    for (const r of clock.rows) {
      if (!num(r.at) || !num(r.offset_ms) || !numOrNull(r.uncertainty_ms) || !numOrNull(r.rtt_ms) || !str(r.source))
        continue;
      store.insertClock({
        at: r.at,
        offsetMs: r.offset_ms,
        uncertaintyMs: r.uncertainty_ms as number | null,
        rttMs: r.rtt_ms as number | null,
        source: r.source,
      });
      out.clockSyncs++;
    }
    for (const r of meta.rows) {
      if (!str(r.key) || !str(r.value)) continue;
      store.setMeta(r.key, r.value);
      if (r.key === 'install_id') out.identity = true;
    }
    const insQ = dst.prepare('INSERT OR REPLACE INTO quarantine (seq, line, reason, at) VALUES (?, ?, ?, ?)');
    for (const r of quarantine.rows) {
      if (num(r.seq) && str(r.line) && str(r.reason) && num(r.at)) insQ.run(r.seq, r.line, r.reason, r.at);
    }
    // Never hand out a sequence number again that a salvaged point holds.
    const next = Number(store.getMeta('next_seq') ?? 1);
    if (!(next > maxSeq)) store.setMeta('next_seq', maxSeq + 1);
  });
  return out;
}

const count = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * Open the buffer at `path`; when it is damaged, set it aside, salvage what can be read into a
 * fresh one and say so. Errors other than damage (permissions, a full disk) are thrown as before.
 */
export function openBuffer(
  path: string,
  durability: 'process' | 'power',
): { store: Store; recovery: RecoveryInfo | null } {
  let reason: string;
  try {
    return { store: new Store(path, durability), recovery: null };
  } catch (e) {
    if (!(e instanceof DamagedBufferError)) throw e;
    // quick_check speaks in pages and trees, over several lines: one line is enough here.
    reason = e.reason
      .replace(/\*\*\* in database \w+ \*\*\*/g, '')
      .replace(/\s+/g, ' ')
      .trim();
  }
  const movedTo = setAside(path);
  let store: Store;
  try {
    store = new Store(path, durability);
  } catch (e) {
    // No new buffer (a full disk, say): put the damaged one back, so the next start salvages it.
    renameBack(movedTo, path);
    throw e;
  }
  let got: Salvaged = { points: 0, runs: 0, clockSyncs: 0, identity: false, skips: 0 };
  let failure = '';
  const workDir = mkdtempSync(join(dirname(path), '.salvage-'));
  try {
    const src = openCopy(movedTo, workDir);
    if (src) {
      try {
        got = carry(src, store);
      } finally {
        src.close();
      }
    } else failure = 'nothing in it could be read';
  } catch (e) {
    failure = `salvaging it failed: ${(e as Error).message}`;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const kept = [count(got.points, 'point'), count(got.runs, 'run'), count(got.clockSyncs, 'clock sync')];
  const recovered =
    got.points + got.runs + got.clockSyncs === 0 && !got.identity
      ? `Nothing could be recovered from it (${failure || 'no readable rows'}).`
      : `Recovered from it: ${kept.join(', ')}${got.identity ? ' and this device’s identity' : ''}` +
        (got.skips > 0 ? '; some parts could not be read and are lost.' : '.');
  const message =
    `The local buffer file ${basename(path)} was damaged (${reason}) and could not be used. ` +
    `It was moved to ${movedTo} — kept, not deleted — and recording continues in a new buffer. ${recovered}`;
  return {
    store,
    recovery: { movedTo, points: got.points, runs: got.runs, clockSyncs: got.clockSyncs, message },
  };
}
