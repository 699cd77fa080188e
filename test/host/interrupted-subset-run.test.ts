// A run that recorded only some sources and was cut short by SIGKILL: after the restart it counts
// the points it holds, not its whole stretch of the log (which also holds the other sources').
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { bundleFixture, removeBundles } from '../helpers/bundle';
import { startHost, stopHosts } from '../helpers/host';
import { until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

let CHILD: string;
beforeAll(async () => {
  CHILD = await bundleFixture(join(__dirname, '..', 'fixtures', 'subset-crash-child.ts'));
});

afterAll(async () => {
  await stopHosts();
  cleanupTempDirs();
  removeBundles();
});

describe('an interrupted run of chosen sources', () => {
  it('counts its own points after a SIGKILL', async () => {
    const dir = tempDir();
    const proc = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let runId = '';
    let stored = 0;
    createInterface({ input: proc.stdout }).on('line', (l) => {
      const ready = /^ready (\S+)$/.exec(l);
      if (ready) runId = ready[1]!;
      const m = /^stored (\d+)$/.exec(l);
      if (m) stored = Math.max(stored, Number(m[1]));
    });
    const exited = new Promise((r) => proc.on('exit', r));
    await until(() => runId !== '' && stored >= 400, 30_000, 'the child to store 400 points');
    proc.kill('SIGKILL');
    await exited;

    const h = await startHost(dir);
    await h.library.caughtUp();
    const run = h.state().runs.find((r) => r.id === runId);
    expect(run?.interrupted).toBe(true);
    // What the run holds, counted from the log itself: the lines that carry its id.
    const lines: string[] = [];
    let after = 0;
    for (;;) {
      const blocks = h.client.logBlocksAfter(after);
      if (blocks.length === 0) break;
      for (const b of blocks) lines.push(...b.body.toString('utf8').split('\n'));
      const last = blocks[blocks.length - 1]!;
      after = last.firstSeq + last.n - 1;
    }
    const own = lines.filter((l) => l.includes(`"run_id":"${runId}"`)).length;
    const others = lines.filter((l) => l.includes('"thermo.temp"')).length;
    expect(others).toBeGreaterThan(100); // the other source did record meanwhile, outside the run
    expect(own).toBeGreaterThan(100);
    expect(run!.points).toBe(own);
    expect(h.library.pointCount(runId)).toBe(own);
  }, 90_000);
});
