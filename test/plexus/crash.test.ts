// kill -9 at random moments, ten times: every point a process had been told was stored reaches
// the gateway after a restart. Duplicates (points confirmed but not yet marked so on disk) are
// counted and reported; losses must be zero.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TestGateway } from '../support/gateway';
import { bundleFixture, removeBundles } from '../helpers/bundle';
import { until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

/** crash-child.ts, bundled: it is started eleven times in a row, each a second or more under tsx. */
let CHILD: string;
beforeAll(async () => {
  CHILD = await bundleFixture(join(__dirname, '..', 'fixtures', 'crash-child.ts'));
});

function startChild(
  args: string[],
  onLine: (l: string) => void,
): { proc: ChildProcess; ready: Promise<void>; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  createInterface({ input: proc.stdout }).on('line', (l) => {
    if (l === 'ready') readyResolve();
    onLine(l);
  });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, ready, exited };
}

afterAll(() => {
  cleanupTempDirs();
  removeBundles();
});

describe('durability across kill -9', () => {
  it('loses no stored point over 10 kills at random moments', async () => {
    const gw = await TestGateway.start();
    const dir = tempDir();
    const storedMax = new Map<number, number>();
    const onLine = (l: string): void => {
      const m = /^stored (\d+) (\d+)$/.exec(l);
      if (m) storedMax.set(Number(m[1]), Math.max(storedMax.get(Number(m[1])) ?? -1, Number(m[2])));
    };
    try {
      for (let life = 0; life < 10; life++) {
        const child = startChild([dir, gw.url, gw.wsUrl, String(life), '5000'], onLine);
        await child.ready;
        // Mid-stream: once this life has 1,000 points stored (however slow a loaded machine makes
        // it), then at a random moment up to 1.2 s later.
        await until(() => (storedMax.get(life) ?? -1) >= 999, 30_000, `life ${life} to store 1,000 points`);
        await new Promise((r) => setTimeout(r, Math.random() * 1200));
        child.proc.kill('SIGKILL');
        await child.exited;
      }
      let flushed = '';
      const last = startChild([dir, gw.url, gw.wsUrl, '-1'], (l) => {
        if (l.startsWith('flushed')) flushed = l;
      });
      expect(await last.exited).toBe(0);
      expect(flushed).toMatch(/^flushed true 0/);

      const seen = new Map<number, number>();
      for (const p of gw.points)
        if (p.metric === 'p') seen.set(p.value as number, (seen.get(p.value as number) ?? 0) + 1);
      let stored = 0;
      const lost: number[] = [];
      for (const [life, max] of storedMax) {
        for (let i = 0; i <= max; i++) {
          stored++;
          if (!seen.has(life * 1e7 + i)) lost.push(life * 1e7 + i);
        }
      }
      const duplicates = [...seen.values()].reduce((a, n) => a + n - 1, 0);
      console.log(
        `kill -9 × 10: ${stored} points reported stored, ${lost.length} lost, ${duplicates} duplicates at the gateway`,
      );
      expect(storedMax.size).toBe(10); // (each life had at least 1,000 points stored: waited for above)
      expect(lost).toEqual([]);
    } finally {
      await gw.close();
    }
  }, 120_000);
});
