// The line parsers' number recognition: decimal forms, ranges of a string, exact agreement with
// Number(), and the not-finite spellings.
import { describe, expect, it } from 'vitest';
import { classifyNumber, isNotFiniteText, parseNumber, scanNumber } from '../../src/main/devices/parsers';

describe('numbers', () => {
  it('reads decimal forms, with surrounding blanks trimmed', () => {
    const cases: Array<[string, number]> = [
      ['-4', -4],
      ['+1.5', 1.5],
      ['.5', 0.5],
      ['-.5', -0.5],
      ['12.', 12],
      ['1e-3', 0.001],
      ['2E+6', 2e6],
      [' 7 ', 7],
      ['\t3.25\r', 3.25],
      ['007', 7],
      ['0.000123', 0.000123],
      ['123456789012345678', 123456789012345680],
      ['1.7976931348623157e308', 1.7976931348623157e308],
      ['-0', -0],
    ];
    for (const [text, value] of cases) {
      expect(scanNumber(text, 0, text.length), text).toBe(value);
      expect(parseNumber(text), text).toBe(value);
      expect(classifyNumber(text), text).toBe('number');
    }
  });

  it('reads a range of a longer string without looking outside it', () => {
    const s = 'a:12.5,b:7';
    expect(scanNumber(s, 2, 6)).toBe(12.5);
    expect(scanNumber(s, 9, 10)).toBe(7);
    expect(scanNumber(s, 2, 2)).toBeNaN();
    expect(scanNumber(s, 0, 6)).toBeNaN();
  });

  it('agrees exactly with Number() on random decimals (fast and slow paths)', () => {
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const digits = (n: number): string => Array.from({ length: n }, () => String(Math.floor(rand() * 10))).join('');
    for (let i = 0; i < 20_000; i++) {
      const sign = rand() < 0.3 ? '-' : rand() < 0.1 ? '+' : '';
      const int = digits(Math.floor(rand() * 12));
      const frac = rand() < 0.7 ? `.${digits(Math.floor(rand() * 12))}` : '';
      const exp = rand() < 0.2 ? `e${rand() < 0.5 ? '-' : ''}${Math.floor(rand() * 40)}` : '';
      const text = `${sign}${int}${frac}${exp}`;
      const expected = /\d/.test(int + frac) ? Number(text) : NaN;
      const got = scanNumber(text, 0, text.length);
      if (!Object.is(got, expected)) expect(got, text).toBe(expected);
    }
  });

  it('refuses trailing text, hex, separators and incomplete forms', () => {
    for (const text of [
      '12abc',
      '0x1F',
      '0b101',
      '1_000',
      '1,5',
      '',
      '   ',
      '.',
      '-',
      '+',
      'e5',
      '1e',
      '1e+',
      '--1',
      '1..2',
      '1.2.3',
      '- 4',
      'abc',
    ]) {
      expect(scanNumber(text, 0, text.length), text).toBeNaN();
      expect(parseNumber(text), text).toBeUndefined();
      expect(classifyNumber(text), text).toBe('non-numeric');
    }
  });

  it('classifies NaN / infinity spellings and overflow as not-finite', () => {
    for (const text of [
      'nan',
      'NaN',
      '-nan',
      'inf',
      '-inf',
      '+INF',
      'Infinity',
      '-Infinity',
      'ovf',
      ' ovf ',
      '1.#INF',
      '-1.#IND',
      '-nan(ind)',
      '1e999',
      '-1e400',
    ]) {
      expect(classifyNumber(text), text).toBe('not-finite');
      expect(isNotFiniteText(text), text).toBe(true);
    }
    for (const text of ['nano', 'info', 'infinite', 'n', 'Ovfl', '1e308'])
      expect(isNotFiniteText(text), text).toBe(false);
  });
});
