// The quota's decision on its own: when it warns, what it deletes (oldest delivered first, just
// enough), and what it never deletes (the run recording, runs not yet delivered).
import { describe, expect, it } from 'vitest';
import { quotaDecision, type QuotaRun } from '../../src/main/host/run-library/run-quota';

const GB = 1e9;
const run = (id: string, startedAt: number, bytes: number, delivered = true, active = false): QuotaRun => ({
  id,
  name: id,
  startedAt,
  bytes,
  delivered,
  active,
});
const runs = [run('c', 3, 5 * GB), run('a', 1, 2 * GB), run('b', 2, 3 * GB), run('live', 4, 1 * GB, false, true)];
const disk = (freeGb: number) => ({ freeBytes: freeGb * GB, totalBytes: 100 * GB });

describe('the run quota', () => {
  it('is silent while the disk has room, and warns ten points above the line, naming the first to go', () => {
    expect(quotaDecision(disk(20), runs, 10)).toEqual({ delete: [], warning: null });
    const d = quotaDecision(disk(19.9), runs, 10);
    expect(d.delete).toEqual([]);
    expect(d.warning).toBe(
      'The disk has 19.9 % free. Below 10 % the oldest delivered runs are deleted, starting with "a". Export or delete runs you no longer need.',
    );
  });

  it('below the line deletes the oldest delivered runs until it is cleared, and no more', () => {
    const d = quotaDecision(disk(8), runs, 10);
    expect(d.delete.map((r) => r.id)).toEqual(['a']); // 8 + 2 = 10 GB free: enough
    expect(d.warning).toBe('The disk had only 8 % free: 1 oldest delivered run was deleted to keep 10 % free.');
    expect(quotaDecision(disk(6), runs, 10).delete.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('never deletes the run recording or one not delivered, and says what it keeps', () => {
    const kept = [run('old', 1, 1 * GB, false), run('live', 2, 1 * GB, false, true), run('done', 3, 1 * GB)];
    const d = quotaDecision(disk(1), kept, 10);
    expect(d.delete.map((r) => r.id)).toEqual(['done']);
    expect(d.warning).toBe(
      'The disk has only 2 % free and no more runs can be deleted (1 not yet delivered is kept until the platform has it). Free some space on the disk.',
    );
  });

  it('speaks of a byte budget as such', () => {
    const d = quotaDecision({ freeBytes: -5, totalBytes: 100 }, [run('x', 1, 50, false)], 10, "The runs' byte budget");
    expect(d.warning).toBe(
      "The runs' byte budget has only 0 % free and no more runs can be deleted (1 not yet delivered is kept until the platform has it). Export and delete runs, or raise the budget.",
    );
  });
});
