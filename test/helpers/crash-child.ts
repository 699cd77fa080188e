// A recorder in a child process that records a run and reports "ready <run id>" then "stored N"
// at each group commit, killed with SIGKILL once it has stored enough: the crash a restart must
// recover from.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { until } from './plexus';

/** Runs the bundled child on `dir` until it stored `points`, kills it; resolves with its run id. */
export async function killMidRun(child: string, dir: string, points: number): Promise<string> {
  const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let runId = '';
  let stored = 0;
  createInterface({ input: proc.stdout }).on('line', (l) => {
    const ready = /^ready (\S+)$/.exec(l);
    if (ready) runId = ready[1]!;
    const m = /^stored (\d+)$/.exec(l);
    if (m) stored = Math.max(stored, Number(m[1]));
  });
  const exited = new Promise((r) => proc.on('exit', r));
  await until(() => runId !== '' && stored >= points, 30_000, `the child to store ${points} points of its run`);
  proc.kill('SIGKILL');
  await exited;
  return runId;
}
