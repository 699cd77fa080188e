// A run's options on the client: tags every point of it carries (the technician's fields), sources
// left out of it by their metric prefix, tags changed while it records, a past run deleted, and
// the log read from a seq onward by a follower that holds it from being pruned.
import { afterEach, describe, expect, it } from 'vitest';
import { Plexus, ValidationError } from '../../src/main/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

afterEach(() => cleanupTempDirs());

const local = (): Plexus => new Plexus({ apiKey: null, sourceId: 'opts-rig', dataDir: tempDir() });

describe('run options', () => {
  it('tags the run’s points with its fields and records only the chosen sources', async () => {
    const c = local();
    try {
      const run = c.startRun('subset', { tags: { part: 'PSU-7' }, onlyPrefixes: ['psu.'] });
      c.send('psu.volts', 12);
      c.send('thermo.temp', 40);
      c.send('psu_b.volts', 41); // a prefix is whole: "psu." does not take "psu_b."
      c.sendBatch([
        { metric: 'psu.amps', value: 1 },
        { metric: 'thermo.temp', value: 42 },
      ]);
      c.send('thermo.temp', 43, { tags: { probe: 'b' } });
      c.event('marker', 'in the run'); // the recorder's own points are always in it
      c.event('run.details', { operator: 'Ana' });
      // A point's own tag wins over a field of the same name; the run id never yields.
      c.send('psu.volts', 12.2, { tags: { part: 'own', run_id: 'forged' } });
      c.setRunTags({ part: 'PSU-8', fixture: 'B' });
      c.send('psu.volts', 12.5);
      const ended = c.endRun()!;
      await c.persisted();
      const inRun = [...c.runPoints(run.id)];
      const r = run.id;
      expect(inRun.map((p) => [p.metric, p.tags])).toEqual([
        ['run.start', { part: 'PSU-7', run_id: r }],
        ['psu.volts', { part: 'PSU-7', run_id: r }],
        ['psu.amps', { part: 'PSU-7', run_id: r }],
        ['marker', { part: 'PSU-7', run_id: r }],
        ['run.details', { part: 'PSU-7', run_id: r }],
        ['psu.volts', { part: 'own', run_id: r }],
        ['psu.volts', { part: 'PSU-8', fixture: 'B', run_id: r }],
        ['run.end', { part: 'PSU-8', fixture: 'B', run_id: r }],
      ]);
      // The run counts its own points only; the others are in the log, untagged by it.
      expect(ended.points).toBe(inRun.length);
      const all = c.logBlocksAfter(0).flatMap((b) => b.body.toString('utf8').split('\n'));
      expect(all.filter((l) => /"(thermo\.temp|psu_b\.volts)"/.test(l)).map((l) => JSON.parse(l).tags)).toEqual([
        undefined,
        undefined,
        undefined,
        { probe: 'b' },
      ]);
    } finally {
      await c.close();
    }
  });

  it('never gets a point refused for the run’s fields: its own tags and the run id come first', async () => {
    const c = local();
    try {
      const run = c.startRun('full', { tags: { part: 'PSU-7', fixture: 'B' } });
      const own = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`t${i}`, String(i)]));
      c.send('dev.x', 1, { tags: own });
      c.send('dev.x', 2, { tags: { ...own, t14: '14' } });
      // Sixteen of its own and the run id make 17: that one is the device's to fix.
      expect(() => c.send('dev.x', 3, { tags: { ...own, t14: '14', t15: '15' } })).toThrow('at most 16 pairs');
      c.endRun();
      await c.persisted();
      const tags = [...c.runPoints(run.id)].filter((p) => p.metric === 'dev.x').map((p) => p.tags!);
      expect(tags[0]).toEqual({ part: 'PSU-7', ...own, run_id: run.id }); // room for one field
      expect(tags[1]).toEqual({ ...own, t14: '14', run_id: run.id }); // none for fields
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
