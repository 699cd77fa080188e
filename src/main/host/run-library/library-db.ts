// The run library's file: <data dir>/runs.db, apart from the client's buffer. The buffer forgets a
// point some time after the platform confirmed it; the library keeps every point of a run, with
// the run's details, until the technician deletes the run (or the disk quota has to, see
// run-quota.ts). Three kinds of rows per run:
//   lines   — the run's points exactly as the log holds them (JSON lines), in pieces of ~64 KiB,
//             read back in recording order for exports;
//   moments — its markers and events (time, name, text), for the review's list and lines;
//   series  — its numeric points, chunked for decimated plotting (series-index.ts).

import Database from 'better-sqlite3';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { privateDir, privateFile } from '../../plexus/private-files';
import { isDamage } from '../../plexus/store';

export interface LibraryRunRow {
  id: string;
  name: string;
  startedAt: number;
  operator: string;
  description: string;
  /** JSON object of the technician's fields. */
  fields: string;
  /** JSON array of the recorded sources' names; [] = all. */
  sources: string;
  /** Bytes of its lines and moments (the series index counts its own). */
  bytes: number;
  lastSeq: number;
}

export interface LineRow {
  firstSeq: number;
  n: number;
  body: Buffer;
  /** The lines' seqs (Float64Array bytes) when they are not consecutive; null when they are. */
  seqs: Buffer | null;
}

/** Opens <data dir>/runs.db; one that is damaged is set aside (named in `setAside`) for a fresh one. */
export function openLibraryDb(dataDir: string): { db: Database.Database; setAside: string | null } {
  privateDir(dataDir);
  const path = join(dataDir, 'runs.db');
  try {
    return { db: openAt(path), setAside: null };
  } catch (e) {
    if (!isDamage(e) && !(e instanceof DamagedLibraryError)) throw e;
    // Kept for support (what can be read of it is there); the recorder goes on with a new one.
    const aside = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const end of ['', '-wal', '-shm']) if (existsSync(path + end)) renameSync(path + end, aside + end);
    return { db: openAt(path), setAside: aside };
  }
}

class DamagedLibraryError extends Error {}

function openAt(path: string): Database.Database {
  privateFile(path, true);
  const db = new Database(path);
  try {
    // Before any table exists (it only takes on a new file): deleting a run gives its pages back
    // to the disk (incremental_vacuum after a delete), so the quota sees the space it freed.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    const check = db.pragma('quick_check(1)', { simple: true });
    if (check !== 'ok') throw new DamagedLibraryError(String(check));
    db.exec(SCHEMA);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

const SCHEMA = `
    CREATE TABLE IF NOT EXISTS lib_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS lib_runs (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      started_at REAL NOT NULL,
      operator TEXT NOT NULL DEFAULT '',
      description TEXT NOT NULL DEFAULT '',
      fields TEXT NOT NULL DEFAULT '{}',
      sources TEXT NOT NULL DEFAULT '[]',
      bytes INTEGER NOT NULL DEFAULT 0,
      last_seq INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS lib_deleted (id TEXT PRIMARY KEY, at REAL NOT NULL);
    CREATE TABLE IF NOT EXISTS lib_lines (
      run_id TEXT NOT NULL,
      first_seq INTEGER NOT NULL,
      n INTEGER NOT NULL,
      body BLOB NOT NULL,
      seqs BLOB,
      PRIMARY KEY (run_id, first_seq)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS lib_moments (
      run_id TEXT NOT NULL,
      t REAL NOT NULL,
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      text TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS lib_moments_run ON lib_moments (run_id, t);
`;

type Stmt<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>;
type Moment = { t: number; kind: 'marker' | 'event'; name: string; text: string };

/** The library's prepared statements, typed. */
export interface LibraryStatements {
  getMeta: Stmt<[string], { value: string }>;
  setMeta: Stmt;
  getRun: Stmt<[string], LibraryRunRow>;
  allRuns: Stmt<[], LibraryRunRow>;
  insertRun: Stmt;
  updateMeta: Stmt;
  grow: Stmt;
  insertLines: Stmt;
  linesAfter: Stmt<[string, number], LineRow>;
  insertMoment: Stmt;
  moments: Stmt<[string, number], Moment>;
  deleteRun: Stmt;
  deleteLines: Stmt;
  deleteMoments: Stmt;
  markDeleted: Stmt;
  deletedIds: Stmt<[], { id: string }>;
  resetBytes: Stmt;
  shiftStart: Stmt;
  lineCount: Stmt<[string], { n: number | null }>;
}

export function libraryStatements(db: Database.Database): LibraryStatements {
  return {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM lib_meta WHERE key = ?'),
    setMeta: db.prepare(
      'INSERT INTO lib_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ),
    getRun: db.prepare<[string], LibraryRunRow>(
      `SELECT id, name, started_at AS startedAt, operator, description, fields, sources, bytes, last_seq AS lastSeq
         FROM lib_runs WHERE id = ?`,
    ),
    allRuns: db.prepare<[], LibraryRunRow>(
      `SELECT id, name, started_at AS startedAt, operator, description, fields, sources, bytes, last_seq AS lastSeq
         FROM lib_runs ORDER BY started_at`,
    ),
    insertRun: db.prepare(
      `INSERT INTO lib_runs (id, name, started_at, operator, description, fields, sources) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO NOTHING`,
    ),
    updateMeta: db.prepare('UPDATE lib_runs SET name = ?, operator = ?, description = ?, fields = ? WHERE id = ?'),
    grow: db.prepare('UPDATE lib_runs SET bytes = bytes + ?, last_seq = MAX(last_seq, ?) WHERE id = ?'),
    insertLines: db.prepare(
      'INSERT OR REPLACE INTO lib_lines (run_id, first_seq, n, body, seqs) VALUES (?, ?, ?, ?, ?)',
    ),
    linesAfter: db.prepare<[string, number], LineRow>(
      'SELECT first_seq AS firstSeq, n, body, seqs FROM lib_lines WHERE run_id = ? AND first_seq > ? ORDER BY first_seq LIMIT 32',
    ),
    insertMoment: db.prepare('INSERT INTO lib_moments (run_id, t, kind, name, text) VALUES (?, ?, ?, ?, ?)'),
    moments: db.prepare<[string, number], Moment>(
      'SELECT t, kind, name, text FROM lib_moments WHERE run_id = ? ORDER BY t, rowid LIMIT ?',
    ),
    deleteRun: db.prepare('DELETE FROM lib_runs WHERE id = ?'),
    deleteLines: db.prepare('DELETE FROM lib_lines WHERE run_id = ?'),
    deleteMoments: db.prepare('DELETE FROM lib_moments WHERE run_id = ?'),
    markDeleted: db.prepare('INSERT OR REPLACE INTO lib_deleted (id, at) VALUES (?, ?)'),
    deletedIds: db.prepare<[], { id: string }>('SELECT id FROM lib_deleted'),
    resetBytes: db.prepare('UPDATE lib_runs SET bytes = 0 WHERE id = ?'),
    shiftStart: db.prepare('UPDATE lib_runs SET started_at = started_at + ? WHERE id = ?'),
    lineCount: db.prepare<[string], { n: number | null }>('SELECT SUM(n) AS n FROM lib_lines WHERE run_id = ?'),
  };
}
