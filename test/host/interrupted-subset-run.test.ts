// A run that recorded only some sources and was cut short by SIGKILL: after the restart it counts
// the points it holds, not its whole stretch of the log (which also holds the other sources').
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { bundleFixture, removeBundles } from '../helpers/bundle';
import { killMidRun } from '../helpers/crash-child';
import { startHost, stopHosts } from '../helpers/host';
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
    const runId = await killMidRun(CHILD, dir, 400);

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
