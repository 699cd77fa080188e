// The window's number and time formatting (src/renderer/src/live/decimals.ts, formatValue.ts and
// common/format.ts): stable decimals, separators, NaN/∞, rounding and clipping.
import { describe, expect, it } from 'vitest';
import { DecimalsTracker, decimalsNeeded } from '../../src/renderer/src/live/decimals';
import { formatNumber, formatValue } from '../../src/renderer/src/live/formatValue';
import {
  brief,
  clockTime,
  clockTimeMs,
  count,
  dateTime,
  duration,
  shortMs,
} from '../../src/renderer/src/common/format';

describe('decimalsNeeded', () => {
  it('is 0 for integers, zero, NaN and ±Infinity', () => {
    for (const v of [0, -0, 7, -42, 1e21, NaN, Infinity, -Infinity]) expect(decimalsNeeded(v), String(v)).toBe(0);
  });

  it('is as few as represent the value exactly', () => {
    expect(decimalsNeeded(82.3)).toBe(1);
    expect(decimalsNeeded(82.31)).toBe(2);
    expect(decimalsNeeded(-0.5)).toBe(1);
    expect(decimalsNeeded(0.1 + 0.2)).toBe(1); // 0.30000000000000004 is 0.3 on a display
  });

  it('stops at 5 significant digits and 6 decimals; what is below 1e-9 of the value is noise', () => {
    expect(decimalsNeeded(Math.PI)).toBe(4); // 3.1416
    expect(decimalsNeeded(12345.678)).toBe(0);
    expect(decimalsNeeded(1234.5678)).toBe(1);
    expect(decimalsNeeded(0.000123456)).toBe(6);
    // Below what 6 decimals can show, a value reads as a whole number (0), not as 0.000000.
    expect(decimalsNeeded(1e-12)).toBe(0);
    expect(decimalsNeeded(1.0000000001)).toBe(0);
  });
});

describe('DecimalsTracker', () => {
  it('adopts more decimals at once, and fewer only after 10 s without needing them', () => {
    const d = new DecimalsTracker();
    d.observe(82.31, 0);
    expect(d.value).toBe(2);
    d.observe(82.3, 1000); // needs 1: keeps 2 (no jitter)
    d.observe(82, 5000);
    expect(d.value).toBe(2);
    d.observe(82.4, 10_001); // more than 10 s since 2 decimals were last needed
    expect(d.value).toBe(1); // the most needed meanwhile (82.3, 82.4)
    d.observe(82.125, 10_002);
    expect(d.value).toBe(3);
  });

  it('a value needing the current decimals again restarts the hold', () => {
    const d = new DecimalsTracker();
    d.observe(1.25, 0);
    d.observe(1, 9000);
    d.observe(1.75, 9500); // needs 2 again: the 10 s start over
    d.observe(2, 15_000);
    expect(d.value).toBe(2);
    d.observe(3, 19_501);
    expect(d.value).toBe(0);
  });
});

describe('formatNumber / formatValue', () => {
  it('fixes the decimals and groups thousands', () => {
    expect(formatNumber(1234567.891, 2)).toBe('1,234,567.89');
    expect(formatNumber(82, 1)).toBe('82.0');
    expect(formatNumber(-0.05, 1)).toBe('-0.1'); // rounds half away from zero
    expect(formatNumber(2.5, 0)).toBe('3');
    expect(formatNumber(1e21, 0)).toBe('1,000,000,000,000,000,000,000');
  });

  it('says NaN, ∞ and −∞ instead of formatting them', () => {
    expect(formatNumber(NaN, 2)).toBe('NaN');
    expect(formatNumber(Infinity, 2)).toBe('∞');
    expect(formatNumber(-Infinity, 2)).toBe('−∞');
  });

  it('shows strings and booleans as text, and null as a dash', () => {
    expect(formatValue(null, 2)).toBe('—');
    expect(formatValue('RUNNING', 2)).toBe('RUNNING');
    expect(formatValue(false, 2)).toBe('false');
    expect(formatValue(3.14159, 3)).toBe('3.142');
  });

  it('gives the same text for the same decimals after a different count was used (cached formatters)', () => {
    expect(formatNumber(1.5, 3)).toBe('1.500');
    expect(formatNumber(1.5, 0)).toBe('2');
    expect(formatNumber(1.5, 3)).toBe('1.500');
  });
});

describe('count, duration, shortMs, brief', () => {
  it('count groups thousands and rounds to a whole number', () => {
    expect(count(0)).toBe('0');
    expect(count(1234567)).toBe('1,234,567');
    expect(count(999.6)).toBe('1,000');
  });

  it('duration shows hh:mm:ss, truncating to the second; negatives are zero; hours pass 99', () => {
    expect(duration(0)).toBe('00:00:00');
    expect(duration(999)).toBe('00:00:00');
    expect(duration(12 * 60_000 + 31_999)).toBe('00:12:31');
    expect(duration(-5000)).toBe('00:00:00');
    expect(duration(100 * 3_600_000 + 61_000)).toBe('100:01:01');
  });

  it('shortMs picks ms, s or min by magnitude, keeping the sign', () => {
    expect(shortMs(0.25)).toBe('0.3 ms');
    expect(shortMs(-0.25)).toBe('-0.3 ms');
    expect(shortMs(3.4)).toBe('3 ms');
    expect(shortMs(999.4)).toBe('999 ms');
    expect(shortMs(1234)).toBe('1.2 s');
    expect(shortMs(-59_949)).toBe('-59.9 s');
    expect(shortMs(240_000)).toBe('4 min');
    expect(shortMs(-3_600_000)).toBe('-60 min');
  });

  it('brief: strings as they are, anything else as JSON, clipped to max with an ellipsis', () => {
    expect(brief('short')).toBe('short');
    expect(brief({ a: 1, b: [2] })).toBe('{"a":1,"b":[2]}');
    expect(brief(undefined)).toBe('undefined');
    const long = brief('x'.repeat(500), 10);
    expect(long).toBe(`${'x'.repeat(9)}…`);
    expect(long).toHaveLength(10);
    expect(brief('x'.repeat(10), 10)).toBe('x'.repeat(10)); // exactly max: not clipped
  });

  it('brief survives values JSON cannot write (a cycle, a BigInt)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(brief(cyclic)).toBe('[object Object]');
    expect(brief(10n)).toBe('10');
  });
});

describe('clock times (local time)', () => {
  // Built from local fields, so the expectations hold in any time zone.
  const t = new Date(2025, 2, 14, 9, 3, 7, 481).getTime();

  it('clockTime and clockTimeMs pad every field', () => {
    expect(clockTime(t)).toBe('09:03:07');
    expect(clockTimeMs(t)).toBe('09:03:07.481');
    expect(clockTimeMs(t - 481 + 5)).toBe('09:03:07.005');
  });

  it('clockTimeMs truncates fractional milliseconds', () => {
    expect(clockTimeMs(t + 0.9)).toBe('09:03:07.481');
  });

  it('dateTime shows the local date and minutes', () => {
    expect(dateTime(t)).toBe('2025-03-14 09:03');
  });
});
