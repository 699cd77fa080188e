// The process tree of a process plugin, and ending all of it. A plugin may start helpers of its
// own (a `sleep &` in a shell script, a Python subprocess, a daemon that calls setsid); none of
// them may outlive the plugin, even when the recorder itself is killed without warning.
//
// On POSIX the plugin runs in a process group of its own, behind a small /bin/sh shim whose
// background watcher holds one end of an extra pipe (fd 3). When the recorder dies, the kernel
// closes our end, the watcher reads EOF and kills the plugin's tree and group. While the recorder
// lives, stopping walks /proc (Linux) for descendants that left the group, so they go too.

import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Run as `/bin/sh -c SHIM plexus-plugin <command> <args…>` with fd 3 a pipe from the recorder.
 *
 * The watcher (the subshell in the background) uses shell builtins only, so it works whatever the
 * plugin's PATH is. It ignores TERM/INT/HUP: a graceful stop signals the whole group, and if the
 * recorder dies during the grace period the watcher must still be there to clean up. Its own stdio
 * is /dev/null, so it never holds the plugin's stdout/stderr open. It blocks reading fd 3 (nothing
 * is ever written there) until EOF, which comes when the recorder died or closed it (the plugin
 * ended). If the plugin is still its parent (the recorder died), it freezes the plugin (so it cannot
 * die of a broken pipe and orphan its children meanwhile), kills every descendant found through
 * /proc (those that called setsid left the group), then kills the group, itself included.
 *
 * The main shell closes fd 3 (the plugin never sees it) and execs the command: the plugin keeps
 * the shell's pid, which is also the process group id and the `$$` the watcher walks from.
 */
export const SHIM = `
tree() {
  all=
  for f in /proc/[0-9]*/stat; do
    read -r s < "$f" || continue
    set -- \${s%% *} \${s##*") "}
    all="$all $1:$3"
  done
  seen=" $$ "
  more=1
  while [ $more = 1 ]; do
    more=0
    for e in $all; do
      case $seen in *" \${e#*:} "*) case $seen in *" \${e%:*} "*) ;; *) seen="$seen\${e%:*} "; more=1 ;; esac ;; esac
    done
  done
  echo $seen
}
(
  trap '' TERM INT HUP
  while read -r _ <&3; do :; done
  read -r me _ _ up _ < /proc/self/stat
  if [ "$up" = "$$" ]; then
    kill -STOP $$
    for p in $(tree); do [ "$p" = "$me" ] || kill -KILL $p; done
  fi
  kill -KILL 0
) </dev/null >/dev/null 2>&1 &
exec 3<&-
exec "$@"
`;

/** A process as seen at one moment; `start` tells it apart from a later one with the same pid. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Start time since boot (Linux), '' where it is unknown. */
  start: string;
}

/** Every process (pid → info), or null where there is no /proc. */
function procTable(): Map<number, ProcInfo> | null {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return null;
  }
  const table = new Map<number, ProcInfo>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const info = readStat(Number(name));
    if (info) table.set(info.pid, info);
  }
  return table;
}

function readStat(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid … starttime(22): comm may hold spaces and ')', so split after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), start: f[19] ?? '' };
  } catch {
    return null; // it ended while we looked
  }
}

/** macOS and the BSDs: ask ps (no start times there, so no check against pid reuse). */
function psTable(): Map<number, ProcInfo> {
  const table = new Map<number, ProcInfo>();
  const r = spawnSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { encoding: 'utf8', timeout: 5000 });
  for (const line of (r.stdout ?? '').split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid && ppid !== undefined) table.set(pid, { pid, ppid, start: '' });
  }
  return table;
}

/** Every descendant of `root` alive now (children, their children…), including zombies. */
export function descendants(root: number): ProcInfo[] {
  if (process.platform === 'win32') return [];
  const table = procTable() ?? psTable();
  const children = new Map<number, ProcInfo[]>();
  for (const p of table.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const out: ProcInfo[] = [];
  const queue = [root];
  const seen = new Set(queue);
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const c of children.get(pid) ?? []) {
      if (seen.has(c.pid)) continue;
      seen.add(c.pid);
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/** Still the same process as when it was seen (not ended, its pid not given to another one). */
function stillThere(p: ProcInfo): boolean {
  if (!p.start) return true;
  return readStat(p.pid)?.start === p.start;
}

/**
 * Signal the process group `group` and every process in `known` that is still the one we saw.
 * Errors (already gone, not ours) are ignored: this runs while things are ending.
 */
export function signalTree(group: number, known: ProcInfo[], signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {}
  const done = new Set<number>();
  for (const p of known) {
    if (done.has(p.pid) || !stillThere(p)) continue;
    done.add(p.pid);
    try {
      process.kill(p.pid, signal);
    } catch {}
  }
}

/** Windows: end `pid` and its children with taskkill (there are no process groups to signal). */
export function taskkill(pid: number, force: boolean): Promise<void> {
  const args = ['/pid', String(pid), '/T', ...(force ? ['/F'] : [])];
  return new Promise((resolve) => execFile('taskkill', args, { windowsHide: true, timeout: 10_000 }, () => resolve()));
}
