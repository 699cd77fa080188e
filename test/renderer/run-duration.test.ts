// A finished run's duration in the past runs list: to the nearest second, never truncated.
import { describe, expect, it } from 'vitest';
import { runDuration } from '../../src/renderer/src/run/PastRuns';

describe('past run durations', () => {
  it('rounds to the nearest second: 9.9 s is 00:00:10, 9.4 s is 00:00:09', () => {
    expect(runDuration(9900)).toBe('00:00:10');
    expect(runDuration(9400)).toBe('00:00:09');
    expect(runDuration(59_500)).toBe('00:01:00');
    expect(runDuration(3_599_600)).toBe('01:00:00');
    expect(runDuration(0)).toBe('00:00:00');
  });
});
