// A run cut short — the recorder killed with SIGKILL mid-run, or closed while recording — is
// marked interrupted in the run log, and ends where its last point was recorded, not at the restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Plexus } from '../../src/main/plexus';
import { bundleFixture, removeBundles } from '../helpers/bundle';
import { killMidRun } from '../helpers/crash-child';
import { readLog, sleep } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

let CHILD: string;
beforeAll(async () => {
  CHILD = await bundleFixture(join(__dirname, '..', 'fixtures', 'run-crash-child.ts'));
});

afterAll(() => {
  cleanupTempDirs();
  removeBundles();
});

describe('interrupted runs', () => {
  it('a run killed with SIGKILL is marked interrupted and ends at its last stored point', async () => {
    const dir = tempDir();
    const runId = await killMidRun(CHILD, dir, 300);
    const killedAt = Date.now();
    await sleep(1500); // a restart later: the run must not end "now"

    const points = readLog(dir).filter((p) => p.tags?.run_id === runId);
    const lastPointAt = Math.max(...points.map((p) => p.timestamp));
    const c = new Plexus({ apiKey: null, sourceId: 'crash-rig', dataDir: dir });
    try {
      const run = c.runs(10).find((r) => r.id === runId);
      expect(run).toBeDefined();
      expect(run!.interrupted).toBe(true);
      expect(run!.endedAt).toBe(lastPointAt);
      expect(run!.endedAt!).toBeLessThanOrEqual(killedAt);
      expect(run!.points).toBe(points.length);
      // A run that ended normally is not marked.
      c.startRun('normal');
      c.send('p', 1);
      c.endRun();
      expect(c.runs(10).find((r) => r.name === 'normal')?.interrupted).toBeUndefined();
    } finally {
      await c.close();
    }
  }, 60_000);

  it('a run still recording when the recorder closes is marked interrupted too', async () => {
    const dir = tempDir();
    const c = new Plexus({ apiKey: null, sourceId: 'quit-rig', dataDir: dir });
    const run = c.startRun('quit mid-run');
    c.send('p', 1);
    await c.close();
    const again = new Plexus({ apiKey: null, sourceId: 'quit-rig', dataDir: dir });
    try {
      const r = again.runs(10).find((x) => x.id === run.id);
      expect(r?.interrupted).toBe(true);
      expect(r?.endedAt).not.toBeNull();
      const end = readLog(dir).find((p) => p.metric === 'run.end');
      expect(end?.value).toMatchObject({ interrupted: 'the recorder quit while recording' });
    } finally {
      await again.close();
    }
  });
});
