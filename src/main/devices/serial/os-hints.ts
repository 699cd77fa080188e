// Turning a failed open into a message a person can act on: which group to join when access is
// denied, which process holds the port when it is busy.

import { readFileSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';

/** The name of the group owning `path` (Linux: from /etc/group), or null. */
export function owningGroup(path: string): string | null {
  try {
    const gid = statSync(path).gid;
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && Number(id) === gid) return name;
    }
  } catch {
    // not on Linux, or the file went away
  }
  return null;
}

/** Processes (other than this one) that hold `path` open — Linux /proc scan, best effort. */
export function processesHolding(path: string): Array<{ pid: number; name: string }> {
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return [];
  }
  const out: Array<{ pid: number; name: string }> = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // not ours to look at, or gone
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) {
          let name = '?';
          try {
            name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
          } catch {
            // gone meanwhile
          }
          out.push({ pid: Number(pid), name });
          break;
        }
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return out;
}

/** A person-readable explanation of an open() failure, with what to do. */
export function explainOpenError(
  path: string,
  err: Error & { code?: string; errno?: number },
): { kind: 'missing' | 'denied' | 'busy' | 'other'; message: string } {
  const msg = err.message ?? String(err);
  if (err.code === 'ENOENT' || /No such file or directory|cannot find|File not found/i.test(msg)) {
    return { kind: 'missing', message: `${path} is not there (unplugged?)` };
  }
  if (err.code === 'EACCES' || /Permission denied|Access denied/i.test(msg)) {
    const group = owningGroup(path);
    const how = group
      ? `join the "${group}" group (sudo usermod -aG ${group} $USER), then log out and in again`
      : 'give your user access to the port (on Linux usually the "dialout" group)';
    return { kind: 'denied', message: `permission denied opening ${path}: ${how}` };
  }
  if (err.code === 'EBUSY' || /Cannot lock port|Resource temporarily unavailable|busy|Access is denied/i.test(msg)) {
    const holders = processesHolding(path);
    const who = holders.length
      ? `in use by ${holders.map((h) => `${h.name} (pid ${h.pid})`).join(', ')}`
      : 'in use by another program (a serial monitor, another recorder?)';
    return { kind: 'busy', message: `${path} is busy: ${who}; close it there and try again` };
  }
  return { kind: 'other', message: `cannot open ${path}: ${msg}` };
}
