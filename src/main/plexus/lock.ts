// One client per data dir: two writers would hand out the same sequence numbers. A lock file
// holds the owner's pid (and, on Linux, its start time); a lock left by a killed process is taken
// over — also when its pid now belongs to another process, where the start time can tell.

import { openSync, closeSync, writeSync, readFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors';

const heldHere = new Set<string>();

/** A process's start time (clock ticks since boot), where the OS says (Linux); else null. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces, so count from its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
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

/** Take the data dir's lock; returns the function that releases it. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'client.lock');
  if (heldHere.has(path)) {
    throw new ConfigError(
      `data dir ${dir} is already used by another Plexus client in this process; close it first or use another dataDir`,
    );
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid} ${startTime(process.pid) ?? ''}`.trim());
      closeSync(fd);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError(`cannot lock data dir ${dir}: ${(e as Error).message}`);
      }
      const [pidText, started] = readFileSync(path, 'utf8').trim().split(' ');
      const pid = Number(pidText);
      const sameProcess = started === undefined || startTime(pid) === null || startTime(pid) === started;
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) && sameProcess) {
        throw new ConfigError(
          `data dir ${dir} is in use by another Plexus client (process ${pid}); if none is running, delete ${path}`,
        );
      }
      // Stale lock from a process that died (or from this process, never released): take it over.
      try {
        unlinkSync(path);
      } catch {
        // raced with another taker; the next attempt decides
      }
    }
  }
  throw new ConfigError(`cannot lock data dir ${dir}`);
}
