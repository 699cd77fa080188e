// A run's points of one name read back from the local log (what a restarted recorder lists as the
// last run's markers): only that run's, in recording order, across many blocks read in slices,
// not fooled by an object value holding the same bytes, and stopped by close().
import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError, Plexus } from '../../src/main/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

afterEach(() => cleanupTempDirs());

/** A local-only client whose run A has 150 blocks (one per commit) with markers among them. */
async function recorded(): Promise<{ c: Plexus; runA: string; runB: string; markers: Array<[number, string]> }> {
  const c = new Plexus({ apiKey: null, sourceId: 'named-rig', dataDir: tempDir() });
  c.event('marker', 'before any run');
  const runA = c.startRun('a').id;
  const markers: Array<[number, string]> = [];
  for (let i = 0; i < 150; i++) {
    c.send('x', i);
    c.send('marker.count', i);
    // An object value holding the bytes a marker line holds: a decoy for the byte search.
    if (i % 10 === 3) c.event('log', { metric: 'marker', i });
    if (i % 25 === 0) markers.push([c.event('marker', `m${i}`), `m${i}`]);
    await c.persisted(); // a block per round: the run spans many slices
  }
  c.endRun();
  c.event('marker', 'between runs');
  const runB = c.startRun('b').id;
  c.event('marker', 'in run b');
  c.endRun();
  await c.persisted();
  return { c, runA, runB, markers };
}

describe('runPointsNamed', () => {
  it('reads only the run’s points of that name, in order, with their sequence numbers', async () => {
    const { c, runA, runB, markers } = await recorded();
    try {
      const found = await c.runPointsNamed(runA, 'marker');
      expect(found.map((p) => [p.seq, p.value])).toEqual(markers);
      expect(found.every((p) => p.metric === 'marker' && p.class === 'event' && p.tags?.run_id === runA)).toBe(true);
      expect((await c.runPointsNamed(runB, 'marker')).map((p) => p.value)).toEqual(['in run b']);
      expect((await c.runPointsNamed(runA, 'marker', 2)).map((p) => p.value)).toEqual(['m0', 'm25']);
      expect(await c.runPointsNamed(runA, 'nothing-of-that-name')).toEqual([]);
      await expect(c.runPointsNamed('no-such-run', 'marker')).rejects.toThrow(/no run with id/);
    } finally {
      await c.close();
    }
  });

  it('stops with a ClosedError when the client closes while it reads', async () => {
    const { c, runA } = await recorded();
    const reading = c.runPointsNamed(runA, 'marker');
    const closing = c.close();
    await expect(reading).rejects.toBeInstanceOf(ClosedError);
    await closing;
  });
});
