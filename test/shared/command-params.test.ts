// A plugin command's values as the window sends them (src/shared/command-params.ts): each typed
// into the input its declared type calls for, turned into that type's value, and the envelope the
// contract accepts.
import { describe, expect, it } from 'vitest';
import { CommandParamsSchema, paramInput, paramValue } from '../../src/shared/command-params';

describe('command values', () => {
  it('picks an input for the declared type', () => {
    expect(['int', 'Integer', 'float', 'number', 'bool', 'string', 'json', 'anything'].map(paramInput)).toEqual([
      'integer',
      'integer',
      'number',
      'number',
      'boolean',
      'text',
      'json',
      'text',
    ]);
  });

  it('turns what was typed into the value, or says why it does not fit', () => {
    expect(paramValue('string', 'VOLT 12.0')).toEqual({ value: 'VOLT 12.0' });
    expect(paramValue('string', '')).toEqual({});
    expect(paramValue('float', ' 12.5 ')).toEqual({ value: 12.5 });
    expect(paramValue('float', '')).toEqual({});
    expect(paramValue('float', '12 V')).toEqual({ problem: 'must be a number' });
    expect(paramValue('int', '2.5')).toEqual({ problem: 'must be a whole number' });
    expect(paramValue('int', '7')).toEqual({ value: 7 });
    expect(paramValue('bool', true)).toEqual({ value: true });
    expect(paramValue('bool', false)).toEqual({ value: false });
    expect(paramValue('json', '{"a":[1,2]}')).toEqual({ value: { a: [1, 2] } });
    expect(paramValue('json', 'not json')).toEqual({ value: 'not json' });
  });

  it('the contract takes a bounded set of name → value', () => {
    expect(CommandParamsSchema.parse(undefined)).toEqual({});
    expect(CommandParamsSchema.parse({ line: 'VOLT 12.0', n: 2 })).toEqual({ line: 'VOLT 12.0', n: 2 });
    const why = (v: unknown): string | undefined => CommandParamsSchema.safeParse(v).error?.issues[0]?.message;
    expect(why('VOLT')).toBe('must be a set of name → value');
    expect(why(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`p${i}`, i])))).toBe(
      'at most 32 values, got 33',
    );
    expect(why({ line: 'x'.repeat(17_000) })).toMatch(/^at most 16 KB in all/);
    expect(why({ '': 1 })).toBe('a value’s name is 1–64 characters');
  });
});
