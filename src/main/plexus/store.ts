// The durable buffer: a SQLite file (WAL) holding the append-only log of points.
//
// Points are written in *blocks*: one row per group commit, holding that commit's point lines
// joined by "\n". A block row costs SQLite the same as a single-point row, which is what lets
// send() sustain hundreds of thousands of points per second with every point on disk within a
// few milliseconds. A point's identity is its sequence number: block.first_seq + index.

import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { StorageError } from './errors';
import { privateDir, privateFile } from './private-files';

import type { BlockRow } from './client-types';
export type { BlockRow };

import { interruptedKey, type RunRow } from './runs';
export type { RunRow };

export interface ClockRow {
  at: number;
  offsetMs: number;
  uncertaintyMs: number | null;
  rttMs: number | null;
  source: string;
}

const SCHEMA_VERSION = 1;

/** The buffer file cannot be read as a database: it must be set aside and salvaged. */
export class DamagedBufferError extends StorageError {
  constructor(
    readonly path: string,
    /** What SQLite said. */
    readonly reason: string,
  ) {
    super(`the buffer at ${path} is damaged: ${reason}`);
  }
}

/** SQLite's word for a file that is not (or no longer) a sound database. */
export function isDamage(e: unknown): boolean {
  const code = String((e as { code?: unknown }).code ?? '');
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return true;
  // Our own schema, partly unreadable: a damaged first page can look like a different database.
  return code === 'SQLITE_ERROR' && /no such (table|column)/.test((e as Error).message);
}

export class Store {
  readonly db: Database.Database;
  private readonly st: ReturnType<Store['prepare']>;

  constructor(
    readonly path: string,
    durability: 'process' | 'power' = 'process',
  ) {
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:') {
        privateDir(dirname(path));
        privateFile(path, true);
      }
      db = new Database(path);
      this.db = db;
      db.pragma('journal_mode = WAL');
      // NORMAL survives a killed process (the WAL is in the OS page cache); FULL also survives
      // power loss, at the cost of an fsync per commit.
      db.pragma(`synchronous = ${durability === 'power' ? 'FULL' : 'NORMAL'}`);
      db.pragma('busy_timeout = 5000');
      // A damaged file must be found now, while it can be set aside untouched (so before the
      // migration writes anything), not by a read in mid-run. It reads every page: about 0.1 s
      // per 200 MB.
      const check = db.pragma('quick_check(1)', { simple: true });
      if (check !== 'ok') throw new DamagedBufferError(path, String(check));
      this.migrate();
      this.st = this.prepare();
      // SQLite gives the WAL and shared-memory files the database's mode; older ones may be wider.
      if (path !== ':memory:') for (const f of [`${path}-wal`, `${path}-shm`]) privateFile(f, false);
    } catch (e) {
      db?.close();
      if (e instanceof StorageError) throw e;
      if (isDamage(e)) throw new DamagedBufferError(path, (e as Error).message);
      throw new StorageError(`cannot open the buffer at ${path}: ${(e as Error).message}`);
    }
  }

  private migrate(): void {
    const v = this.db.pragma('user_version', { simple: true }) as number;
    if (v >= SCHEMA_VERSION) return;
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS blocks (
        first_seq INTEGER PRIMARY KEY,
        n INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        body BLOB NOT NULL
      );
      CREATE TABLE IF NOT EXISTS quarantine (
        seq INTEGER PRIMARY KEY,
        line TEXT NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS runs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL,
        first_seq INTEGER NOT NULL,
        last_seq INTEGER,
        points INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS clock_syncs (
        at REAL NOT NULL,
        offset_ms REAL NOT NULL,
        uncertainty_ms REAL,
        rtt_ms REAL,
        source TEXT NOT NULL
      );
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
  }

  private prepare() {
    const db = this.db;
    return {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      insertBlock: db.prepare('INSERT INTO blocks (first_seq, n, bytes, body) VALUES (?, ?, ?, ?)'),
      blockAt: db.prepare<[number], BlockRow>(
        'SELECT first_seq AS firstSeq, n, bytes, body FROM blocks WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1',
      ),
      blocksAfter: db.prepare<[number, number], BlockRow>(
        'SELECT first_seq AS firstSeq, n, bytes, body FROM blocks WHERE first_seq > ? ORDER BY first_seq LIMIT ?',
      ),
      // "first_seq <= ?" lets SQLite walk the primary key instead of scanning every block.
      blockMetaFrom: db.prepare<[{ c: number; limit: number }], { firstSeq: number; n: number; bytes: number }>(
        `SELECT first_seq AS firstSeq, n, bytes FROM blocks
          WHERE first_seq >= coalesce((SELECT first_seq FROM blocks WHERE first_seq <= @c + 1 ORDER BY first_seq DESC LIMIT 1), 0)
            AND first_seq + n - 1 > @c
          ORDER BY first_seq LIMIT @limit`,
      ),
      deliveredBlocks: db.prepare<[{ c: number; limit: number }], { firstSeq: number; n: number; bytes: number }>(
        'SELECT first_seq AS firstSeq, n, bytes FROM blocks WHERE first_seq <= @c AND first_seq + n - 1 <= @c ORDER BY first_seq LIMIT @limit',
      ),
      deleteBlock: db.prepare('DELETE FROM blocks WHERE first_seq = ?'),
      updateBlock: db.prepare('UPDATE blocks SET bytes = ?, body = ? WHERE first_seq = ?'),
      shiftRun: db.prepare(
        'UPDATE runs SET started_at = started_at + ?, ended_at = CASE WHEN ? THEN ended_at + ? ELSE ended_at END WHERE id = ?',
      ),
      deleteDeliveredUpTo: db.prepare<[{ c: number }], { n: number; bytes: number }>(
        'DELETE FROM blocks WHERE first_seq <= @c AND first_seq + n - 1 <= @c RETURNING n, bytes',
      ),
      totals: db.prepare<[], { n: number | null; bytes: number | null; maxSeq: number | null }>(
        'SELECT sum(n) AS n, sum(bytes) AS bytes, max(first_seq + n - 1) AS maxSeq FROM blocks',
      ),
      undelivered: db.prepare<[number, number, number], { n: number | null; bytes: number | null }>(
        // A block straddling the cursor counts only its undelivered part (bytes pro rata).
        `SELECT sum(n - max(0, ? - first_seq + 1)) AS n,
                sum(bytes * (n - max(0, ? - first_seq + 1)) / n) AS bytes
           FROM blocks WHERE first_seq + n - 1 > ?`,
      ),
      insertQuarantine: db.prepare('INSERT OR REPLACE INTO quarantine (seq, line, reason, at) VALUES (?, ?, ?, ?)'),
      quarantinedAfter: db.prepare<[number], { seq: number }>('SELECT seq FROM quarantine WHERE seq > ?'),
      quarantineCount: db.prepare<[], { c: number }>('SELECT count(*) AS c FROM quarantine'),
      quarantinedBetween: db.prepare<[number, number], { c: number }>(
        'SELECT count(*) AS c FROM quarantine WHERE seq BETWEEN ? AND ?',
      ),
      insertRun: db.prepare('INSERT INTO runs (id, name, started_at, first_seq) VALUES (?, ?, ?, ?)'),
      endRun: db.prepare('UPDATE runs SET ended_at = ?, last_seq = ?, points = ? WHERE id = ?'),
      openRuns: db.prepare<[], RunRow>(
        'SELECT id, name, started_at AS startedAt, ended_at AS endedAt, first_seq AS firstSeq, last_seq AS lastSeq, points FROM runs WHERE ended_at IS NULL',
      ),
      listRuns: db.prepare<[number], RunRow>(
        'SELECT id, name, started_at AS startedAt, ended_at AS endedAt, first_seq AS firstSeq, last_seq AS lastSeq, points FROM runs ORDER BY started_at DESC LIMIT ?',
      ),
      getRun: db.prepare<[string], RunRow>(
        'SELECT id, name, started_at AS startedAt, ended_at AS endedAt, first_seq AS firstSeq, last_seq AS lastSeq, points FROM runs WHERE id = ?',
      ),
      blocksBetween: db.prepare<[number, number, number], BlockRow>(
        `SELECT first_seq AS firstSeq, n, bytes, body FROM blocks
          WHERE first_seq <= ? AND first_seq + n - 1 >= ? AND first_seq > ? ORDER BY first_seq LIMIT 64`,
      ),
      insertClock: db.prepare(
        'INSERT INTO clock_syncs (at, offset_ms, uncertainty_ms, rtt_ms, source) VALUES (?, ?, ?, ?, ?)',
      ),
      lastClock: db.prepare<[], ClockRow>(
        'SELECT at, offset_ms AS offsetMs, uncertainty_ms AS uncertaintyMs, rtt_ms AS rttMs, source FROM clock_syncs ORDER BY rowid DESC LIMIT 1',
      ),
      clockBetween: db.prepare<[number, number], ClockRow>(
        'SELECT at, offset_ms AS offsetMs, uncertainty_ms AS uncertaintyMs, rtt_ms AS rttMs, source FROM clock_syncs WHERE at BETWEEN ? AND ? ORDER BY at',
      ),
    };
  }

  getMeta(key: string): string | undefined {
    return this.st.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string | number): void {
    this.st.setMeta.run(key, String(value));
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insertBlock(firstSeq: number, n: number, bytes: number, body: Buffer): void {
    this.st.insertBlock.run(firstSeq, n, bytes, body);
  }

  /** The block that holds `seq` (or the last one before it), if any. */
  blockAt(seq: number): BlockRow | undefined {
    return this.st.blockAt.get(seq);
  }

  blocksAfter(firstSeq: number, limit: number): BlockRow[] {
    return this.st.blocksAfter.all(firstSeq, limit);
  }

  /** Block sizes of blocks that still hold undelivered points, oldest first. */
  undeliveredBlockMeta(confirmedSeq: number, limit: number): Array<{ firstSeq: number; n: number; bytes: number }> {
    return this.st.blockMetaFrom.all({ c: confirmedSeq, limit });
  }

  deliveredBlockMeta(confirmedSeq: number, limit: number): Array<{ firstSeq: number; n: number; bytes: number }> {
    return this.st.deliveredBlocks.all({ c: confirmedSeq, limit });
  }

  deleteBlock(firstSeq: number): void {
    this.st.deleteBlock.run(firstSeq);
  }

  /** Replace a block's lines (same points, e.g. re-stamped). */
  updateBlock(firstSeq: number, bytes: number, body: Buffer): void {
    this.st.updateBlock.run(bytes, body, firstSeq);
  }

  /** Move a run's start (and, when asked, its end) by `deltaMs`. */
  shiftRun(id: string, deltaMs: number, end: boolean): void {
    this.st.shiftRun.run(deltaMs, end ? 1 : 0, deltaMs, id);
  }

  /** Delete every fully delivered block; returns what was removed. */
  deleteDeliveredUpTo(confirmedSeq: number): { points: number; bytes: number } {
    let points = 0;
    let bytes = 0;
    for (const r of this.st.deleteDeliveredUpTo.all({ c: confirmedSeq })) {
      points += r.n;
      bytes += r.bytes;
    }
    return { points, bytes };
  }

  totals(): { points: number; bytes: number; maxSeq: number } {
    const r = this.st.totals.get();
    return { points: r?.n ?? 0, bytes: r?.bytes ?? 0, maxSeq: r?.maxSeq ?? 0 };
  }

  undelivered(confirmedSeq: number): { points: number; bytes: number } {
    const r = this.st.undelivered.get(confirmedSeq, confirmedSeq, confirmedSeq);
    return { points: r?.n ?? 0, bytes: Math.round(r?.bytes ?? 0) };
  }

  quarantine(seq: number, line: string, reason: string): void {
    this.st.insertQuarantine.run(seq, line, reason, Date.now());
  }

  quarantinedAfter(seq: number): number[] {
    return this.st.quarantinedAfter.all(seq).map((r) => r.seq);
  }

  quarantinedBetween(from: number, to: number): number {
    return this.st.quarantinedBetween.get(from, to)?.c ?? 0;
  }

  quarantineCount(): number {
    return this.st.quarantineCount.get()?.c ?? 0;
  }

  insertRun(id: string, name: string, startedAt: number, firstSeq: number): void {
    this.st.insertRun.run(id, name, startedAt, firstSeq);
  }

  endRun(id: string, endedAt: number, lastSeq: number, points: number): void {
    this.st.endRun.run(endedAt, lastSeq, points, id);
  }

  openRuns(): RunRow[] {
    return this.st.openRuns.all();
  }

  listRuns(limit = 1000): RunRow[] {
    return this.st.listRuns.all(limit);
  }

  deleteRun(id: string): void {
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
    this.db.prepare('DELETE FROM meta WHERE key = ?').run(interruptedKey(id));
  }

  getRun(id: string): RunRow | undefined {
    return this.st.getRun.get(id);
  }

  /** Blocks overlapping [fromSeq, toSeq] whose first seq is above `after`, in order, 64 at a time. */
  blocksBetween(fromSeq: number, toSeq: number, after: number): BlockRow[] {
    return this.st.blocksBetween.all(toSeq, fromSeq, after);
  }

  insertClock(r: ClockRow): void {
    this.st.insertClock.run(r.at, r.offsetMs, r.uncertaintyMs, r.rttMs, r.source);
  }

  lastClock(): ClockRow | undefined {
    return this.st.lastClock.get();
  }

  clockBetween(from: number, to: number): ClockRow[] {
    return this.st.clockBetween.all(from, to);
  }

  close(): void {
    try {
      this.db.close();
    } catch {
      // already closed
    }
  }
}
