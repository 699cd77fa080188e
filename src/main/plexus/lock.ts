// One client per data dir: two writers would hand out the same sequence numbers. A lock file
// holds the owner's pid (and, on Linux, its start time); a lock left by a process that died is
// taken over — also when its pid now belongs to another process (the start time tells), and when
// the owner is a zombie (killed, not yet reaped: it holds nothing any more).
//
// Every step that decides ownership is a single atomic file-system operation, so processes
// starting together cannot both win:
//   · a lock is created with link(): it appears complete, with its content, or not at all;
//   · a stale lock is replaced with rename(), but only by the one process that first created the
//     claim file `client.lock.takeover-<inode>` for that very lock (again with link()). Losers of
//     the claim wait and look again; the winner checks the lock is still the stale one it judged.
//   · a claim whose taker died is itself stale and is taken over the same way, one level down.

import {
  closeSync,
  fstatSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors';
import { privateDir } from './private-files';

const heldHere = new Set<string>();

/** An empty lock file younger than this may still be being written by an older client: wait. */
const EMPTY_GRACE_MS = 1000;
/** Give up (and say so) when the lock does not settle within this long. */
const SETTLE_MS = 5000;
/** Claims on claims on …: deeper than this means something other than crashes is going on. */
const MAX_DEPTH = 4;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/** A process's state and start time (clock ticks since boot), where the OS says (Linux); else null. */
function procStat(pid: number): { state: string; start: string | undefined } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces, so count from its closing parenthesis.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: f[0] ?? '', start: f[19] };
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockFile {
  content: string;
  ino: number;
  mtimeMs: number;
}

function readLock(path: string): LockFile | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const st = fstatSync(fd);
    return { content: readFileSync(fd, 'utf8'), ino: st.ino, mtimeMs: st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

type Verdict = { kind: 'live'; pid: number } | { kind: 'stale' } | { kind: 'wait' };

function judge(f: LockFile): Verdict {
  const text = f.content.trim();
  // Written by an older client (create, then write): wait for its content before judging.
  if (text === '') return Date.now() - f.mtimeMs < EMPTY_GRACE_MS ? { kind: 'wait' } : { kind: 'stale' };
  const [pidText, started] = text.split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return { kind: 'stale' };
  // Our own pid: left by this process and never released (heldHere guards the live case).
  if (pid === process.pid || !alive(pid)) return { kind: 'stale' };
  const st = procStat(pid);
  // A zombie (Z) or a dying process (X) has closed its files: it holds nothing.
  if (st && (st.state === 'Z' || st.state === 'X')) return { kind: 'stale' };
  // The pid was reused by another process.
  if (started !== undefined && st?.start !== undefined && st.start !== started) return { kind: 'stale' };
  return { kind: 'live', pid };
}

/** File systems without hard links (FAT, exFAT, some network shares) refuse link() with these. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_LINKS.has(code)) throw e;
  }
  // No hard links here: create exclusively and write at once (an empty file is waited for).
  let fd: number;
  try {
    fd = openSync(to, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, readFileSync(from));
  } finally {
    closeSync(fd);
  }
  return true;
}

function unlinkIfIno(path: string, ino: number): void {
  try {
    if (statSync(path).ino === ino) unlinkSync(path);
  } catch {
    // already gone
  }
}

type Outcome = { kind: 'won' } | { kind: 'live'; pid: number } | { kind: 'retry' };

/** A private, complete copy of our lock content, to be renamed into place. */
function writePrivate(path: string, content: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

/**
 * Make `path` hold our lock (a link to our complete temp file `mine`), unless a live process
 * holds it. A stale holder is replaced only under the claim described at the top of the file.
 */
function acquire(path: string, mine: string, me: string, depth: number): Outcome {
  if (tryLink(mine, path)) return { kind: 'won' };
  const cur = readLock(path);
  if (!cur) return { kind: 'retry' }; // released meanwhile
  const v = judge(cur);
  if (v.kind !== 'stale') return v.kind === 'live' ? v : { kind: 'retry' };
  if (depth >= MAX_DEPTH) return { kind: 'retry' };
  const claim = `${path}.takeover-${cur.ino}`;
  if (acquire(claim, mine, me, depth + 1).kind !== 'won') return { kind: 'retry' }; // another is taking it over
  const claimIno = statSync(claim).ino;
  try {
    const again = readLock(path);
    // Still the very lock we judged stale? Only the claim holder may replace it, so it stays so.
    if (!again || again.ino !== cur.ino || again.content !== cur.content) return { kind: 'retry' };
    const swap = `${mine}.${depth}.swap`;
    writePrivate(swap, me);
    renameSync(swap, path);
    return { kind: 'won' };
  } finally {
    unlinkIfIno(claim, claimIno);
  }
}

/** Remove temp files and claims left by takers that died; they would only clutter the folder. */
function sweep(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('client.lock.')) continue;
    const path = join(dir, name);
    try {
      const f = readLock(path);
      if (f && judge(f).kind === 'stale' && Date.now() - f.mtimeMs > EMPTY_GRACE_MS) unlinkSync(path);
    } catch {
      // raced with its owner: fine
    }
  }
}

/** Take the data dir's lock; returns the function that releases it. */
export function lockDataDir(dir: string): () => void {
  privateDir(dir);
  const path = join(dir, 'client.lock');
  if (heldHere.has(path)) {
    throw new ConfigError(
      `data dir ${dir} is already used by another Plexus client in this process; close it first or use another dataDir`,
    );
  }
  const me = `${process.pid} ${procStat(process.pid)?.start ?? ''}`.trim();
  const mine = join(dir, `client.lock.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  let held: number;
  try {
    writePrivate(mine, me);
    const deadline = Date.now() + SETTLE_MS;
    for (let pause = 2; ; pause = Math.min(50, pause * 2)) {
      const r = acquire(path, mine, me, 0);
      if (r.kind === 'won') break;
      if (r.kind === 'live') {
        throw new ConfigError(
          `data dir ${dir} is in use by another Plexus client (process ${r.pid}); if none is running, delete ${path}`,
        );
      }
      if (Date.now() > deadline) {
        throw new ConfigError(
          `cannot lock data dir ${dir}: its lock file ${path} did not settle within ${SETTLE_MS / 1000} s; if no Plexus client is running, delete it`,
        );
      }
      sleepSync(pause);
    }
    held = statSync(path).ino;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot lock data dir ${dir}: ${(e as Error).message}`);
  } finally {
    try {
      unlinkSync(mine);
    } catch {
      // already gone
    }
  }
  heldHere.add(path);
  sweep(dir);
  return () => {
    heldHere.delete(path);
    // Only our own lock: never one that replaced it.
    unlinkIfIno(path, held);
  };
}
