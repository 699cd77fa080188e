// A run's options on the client: tags every point of it carries (the technician's fields), sources
// left out of it by their metric prefix, tags changed while it records, a past run deleted, and
// the log read from a seq onward by a follower that holds it from being pruned.
import { afterEach, describe, expect, it } from 'vitest';
import { Plexus, ValidationError } from '../../src/main/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

afterEach(() => cleanupTempDirs());

const local = (): Plexus => new Plexus({ apiKey: null, sourceId: 'opts-rig', dataDir: tempDir() });

describe('run options', () => {
  it('tags the run’s points with its fields and leaves the excluded sources out of it', async () => {
    const c = local();
    try {
      const run = c.startRun('subset', { tags: { part: 'PSU-7' }, excludePrefixes: ['thermo.'] });
      c.send('psu.volts', 12);
      c.send('thermo.temp', 40);
      c.send('thermo_b.temp', 41); // a prefix is whole: "thermo." does not match "thermo_b."
      c.sendBatch([
        { metric: 'psu.amps', value: 1 },
        { metric: 'thermo.temp', value: 42 },
      ]);
      c.send('thermo.temp', 43, { tags: { probe: 'b' } });
      c.event('marker', 'in the run');
      c.setRunTags({ part: 'PSU-8', fixture: 'B' });
      c.send('psu.volts', 12.5);
      const ended = c.endRun()!;
      await c.persisted();
      const inRun = [...c.runPoints(run.id)];
      expect(inRun.map((p) => [p.metric, p.tags])).toEqual([
        ['run.start', { part: 'PSU-7', run_id: run.id }],
        ['psu.volts', { part: 'PSU-7', run_id: run.id }],
        ['thermo_b.temp', { part: 'PSU-7', run_id: run.id }],
        ['psu.amps', { part: 'PSU-7', run_id: run.id }],
        ['marker', { part: 'PSU-7', run_id: run.id }],
        ['psu.volts', { part: 'PSU-8', fixture: 'B', run_id: run.id }],
        ['run.end', { part: 'PSU-8', fixture: 'B', run_id: run.id }],
      ]);
      // The run counts its own points only; the left-out ones are in the log, untagged by it.
      expect(ended.points).toBe(inRun.length);
      const all = c.logBlocksAfter(0).flatMap((b) => b.body.toString('utf8').split('\n'));
      expect(all.filter((l) => l.includes('"thermo.temp"')).map((l) => JSON.parse(l).tags)).toEqual([
        undefined,
        undefined,
        { probe: 'b' },
      ]);
      // After the run, no tags at all.
      c.send('psu.volts', 13);
      await c.persisted();
      expect(
        JSON.parse(
          c
            .logBlocksAfter(ended.points + 3)
            .at(-1)!
            .body.toString('utf8')
            .split('\n')
            .at(-1)!,
        ).tags,
      ).toBe(undefined);
    } finally {
      await c.close();
    }
  });

  it('refuses fields a tag cannot hold before anything is recorded, and a field named run_id cannot replace the id', async () => {
    const c = local();
    try {
      expect(() => c.startRun('x', { tags: { part: 'x'.repeat(300) } })).toThrow(ValidationError);
      expect(c.currentRun()).toBeNull();
      const run = c.startRun('y', { tags: { run_id: 'forged' } });
      c.send('a', 1);
      expect(() => c.setRunTags({ big: 'x'.repeat(300) })).toThrow('run fields: tag "big" must be at most 256 bytes');
      c.endRun();
      await c.persisted();
      expect([...c.runPoints(run.id)].every((p) => p.tags?.run_id === run.id)).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('deletes a past run from the run log, never the one recording', async () => {
    const c = local();
    try {
      const a = c.startRun('a');
      c.endRun();
      const b = c.startRun('b');
      expect(() => c.deleteRun(b.id)).toThrow('the run is still recording; stop it first');
      c.deleteRun(a.id);
      expect(c.runs().map((r) => r.id)).toEqual([b.id]);
    } finally {
      await c.close();
    }
  });

  it('hands a follower the committed blocks after a seq, oldest first', async () => {
    const c = local();
    try {
      for (let i = 0; i < 5; i++) {
        c.send('x', i);
        await c.persisted();
      }
      const blocks = c.logBlocksAfter(2);
      expect(blocks.map((b) => b.firstSeq)).toEqual([3, 4, 5]);
      c.send('x', 5); // pending, not committed: only with commit = true
      expect(c.logBlocksAfter(5)).toEqual([]);
      expect(c.logBlocksAfter(5, true).map((b) => b.firstSeq)).toEqual([6]);
    } finally {
      await c.close();
    }
  });
});
