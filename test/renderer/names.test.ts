// Names the window suggests and checks (src/renderer/src/run/runName.ts, sources/sourceName.ts).
import { describe, expect, it } from 'vitest';
import { incrementName, suggestRunName, timestampName } from '../../src/renderer/src/run/runName';
import { freeName, sourceNameProblem } from '../../src/renderer/src/sources/sourceName';
import type { RunView } from '../../src/shared/contract';

const run = (name: string, startedAt: number): RunView => ({ id: name, name, startedAt, endedAt: null, points: 0 });

describe('run names', () => {
  it('increments a trailing counter, keeping its zero padding', () => {
    expect(incrementName('thermal-cycle-003')).toBe('thermal-cycle-004');
    expect(incrementName('run9')).toBe('run10');
    expect(incrementName('t-099')).toBe('t-100');
    expect(incrementName('t-999')).toBe('t-1000'); // the padding grows when it must
    expect(incrementName('7')).toBe('8');
  });

  it('leaves names without a counter, with long digit runs (dates, serials) or timestamps alone', () => {
    expect(incrementName('warmup')).toBeNull();
    expect(incrementName('batch-20250101')).toBeNull();
    expect(incrementName('sn12345')).toBeNull();
    expect(incrementName('run-20250314-140327')).toBeNull();
    expect(incrementName('')).toBeNull();
  });

  it('stamps the local date and time, padded', () => {
    expect(timestampName(new Date(2025, 0, 2, 3, 4, 5))).toBe('run-20250102-030405');
  });

  it('suggests the next name after the most recently started run, else a timestamp', () => {
    const now = new Date(2025, 2, 14, 14, 3, 27);
    expect(suggestRunName([], now)).toBe('run-20250314-140327');
    // Order in the list does not matter: the latest start wins.
    expect(suggestRunName([run('cycle-002', 2000), run('cycle-007', 1000)], now)).toBe('cycle-003');
    expect(suggestRunName([run('cycle-002', 1000), run('warmup', 2000)], now)).toBe('run-20250314-140327');
  });
});

describe('source names', () => {
  it('accepts a lowercase name that is free', () => {
    expect(sourceNameProblem('psu-2', new Set())).toBeNull();
  });

  it('explains what is wrong: empty, uppercase, other characters, taken', () => {
    expect(sourceNameProblem('', new Set())).toBe('enter a name');
    expect(sourceNameProblem('PSU', new Set())).toMatch(/^lowercase letters only/);
    expect(sourceNameProblem('p s u', new Set())).not.toBeNull();
    expect(sourceNameProblem('-psu', new Set())).not.toBeNull();
    expect(sourceNameProblem('a'.repeat(64), new Set())).not.toBeNull();
    expect(sourceNameProblem('a'.repeat(63), new Set())).toBeNull();
    expect(sourceNameProblem('psu', new Set(['psu']))).toMatch(/another source is named "psu"/);
  });

  it('freeName takes the base, or the first free -2, -3…', () => {
    expect(freeName('psu', new Set())).toBe('psu');
    expect(freeName('psu', new Set(['psu']))).toBe('psu-2');
    expect(freeName('psu', new Set(['psu', 'psu-2', 'psu-4']))).toBe('psu-3');
  });
});
