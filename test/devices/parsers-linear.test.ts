// No parser, and not format detection, may take time super-linear in a line's length: a serial
// device can send any 64 KiB (the line splitter's limit) of spaces, quotes, backslashes, `=`, `:`
// or digits, and the reader parses on the main process's event loop. (Detection used to take 8 s
// on `x` + 65,000 spaces + `x`: a backtracking regular expression.)
//
// For every parser and for detectParser, each adversarial line is built at 16 KiB and at 64 KiB
// and timed (after a warm-up at 4 KiB). Linear code takes about 4× as long for the 64 KiB line;
// quadratic code 16×. Asserted: the 64 KiB line takes less than 8× the 16 KiB one plus a small
// constant, and well under a second. Times are this process's CPU time, not the wall clock: on a
// loaded machine (two cores, other test files, other processes) the wall clock also counts the
// time the process waited for a core, which is noise of tens of ms. The 16 KiB time is the best of
// a few runs; the 64 KiB line is run until one run meets the bound (at most as many runs): the
// best of five is under the bound exactly when one of them is, so stopping early decides the same. The sink reads each field name whole, the way
// the line reader and the client's validation do (a Map lookup, its UTF-8 length), and the
// characters of the emitted names and texts must grow linearly too: a parser that emits a long name
// once per field (`{"<30,000 characters>":[1,1,…]}`) hands on output quadratic in the line's length.
import { describe, expect, it } from 'vitest';
import { createParser, detectParser, MAX_JSON_NAME_CHARS, PARSER_KINDS } from '../../src/main/devices/parsers';
import type { FieldSink, FieldValue, ParserKind } from '../../src/main/devices/types';

const SMALL = 16 * 1024;
const LARGE = 64 * 1024;
/** The 64 KiB line may take at most this many times the 16 KiB one (linear: ≈ 4, quadratic: ≈ 16)… */
const MAX_RATIO = 8;
/** …plus this much (ms), for timer and garbage-collection noise on tiny times. */
const SLACK_MS = 15;
/** Any line, even 64 KiB, is parsed (or detected) in less than this (ms). */
const MAX_MS = 1000;
const RUNS = 5;

/** Repeats `unit` (and then `tail`) to exactly `n` characters. */
function fill(unit: string, n: number, head = '', tail = ''): string {
  const body = n - head.length - tail.length;
  return head + unit.repeat(Math.ceil(body / unit.length)).slice(0, body) + tail;
}

interface Case {
  name: string;
  make: (n: number) => string;
  /** Lines the parser sees first (a CSV header). */
  before?: string[];
}

const CASES: Case[] = [
  { name: 'x, spaces, x', make: (n) => fill(' ', n, 'x', 'x') },
  { name: 'x, tabs, x', make: (n) => fill('\t', n, 'x', 'x') },
  { name: 'x, no-break spaces, x', make: (n) => fill('\u00a0', n, 'x', 'x') },
  { name: 'spaces then =', make: (n) => fill(' ', n, 'x', '=') },
  { name: '= then spaces', make: (n) => fill(' ', n, '=', 'x') },
  { name: '" then \\" runs, unclosed', make: (n) => fill('\\"', n, '"') },
  { name: '\\" runs', make: (n) => fill('\\"', n) },
  { name: 'backslashes', make: (n) => fill('\\', n, '"') },
  { name: 'quotes', make: (n) => fill('"', n) },
  { name: 'quote, comma runs', make: (n) => fill('",', n) },
  { name: 'a="x\\" pairs', make: (n) => fill('a="x\\" ', n) },
  { name: '= runs', make: (n) => fill('=', n) },
  { name: ' = runs', make: (n) => fill(' =', n) },
  { name: 'a= runs', make: (n) => fill('a= ', n) },
  { name: 'a=1 pairs', make: (n) => fill('a=1 ', n) },
  { name: ': runs', make: (n) => fill(':', n) },
  { name: 'a: runs', make: (n) => fill('a: ', n) },
  { name: 'tab colon runs', make: (n) => fill('\t:', n) },
  { name: 'v:1 tokens', make: (n) => fill('v:1,', n) },
  { name: 'separators', make: (n) => fill(',; \t', n, 'x', 'x') },
  { name: 'commas', make: (n) => fill(',', n) },
  { name: 'semicolons', make: (n) => fill(';', n) },
  { name: 'digits', make: (n) => fill('1', n) },
  { name: 'digits, point, digits, letter', make: (n) => fill('1', n / 2, '', '.') + fill('1', n / 2, '', 'x') },
  { name: 'digits with exponent runs', make: (n) => fill('1e', n) },
  { name: 'minus runs', make: (n) => fill('-', n) },
  { name: 'nan tokens', make: (n) => fill('nan,', n) },
  { name: 'binary noise', make: (n) => fill('\u0001\ufffd ', n) },
  { name: 'nested arrays', make: (n) => fill('[', n, '{"a":', '}') },
  { name: 'nested objects', make: (n) => fill('{"a":', n) },
  {
    name: 'nested objects, closed',
    make: (n) => {
      const depth = Math.floor((n - 1) / 6);
      return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`.padEnd(n);
    },
  },
  { name: 'wide object', make: (n) => `{${fill('"k":1,', n - 7)}"z":1}` },
  { name: 'NaN words', make: (n) => `{${fill('"k":NaN,', n - 7)}"z":1}` },
  { name: 'long key over an array', make: (n) => `{"${'k'.repeat(n / 2)}":[${fill('1,', n / 2 - 8)}1]}` },
  {
    name: 'long key over an object',
    make: (n) => {
      let members = '';
      for (let i = 0; members.length < n / 2 - 24; i++) members += `"k${i}":1,`;
      return `{"${'k'.repeat(n / 2)}":{${members}"b":1}}`.padEnd(n);
    },
  },
  {
    name: 'key at the name limit over an array',
    make: (n) => `{"${'k'.repeat(MAX_JSON_NAME_CHARS - 8)}":[${fill('1,', n - MAX_JSON_NAME_CHARS)}1]}`,
  },
  { name: 'semicolon cells, a comma at the end', make: (n) => fill('x;', n, '', ','), before: ['a;b'] },
  { name: 'semicolon cells with commas', make: (n) => fill(',;', n), before: ['a;b'] },
  { name: 'CSV numbers after a header', make: (n) => fill('1,', n, '', '1'), before: ['a,b,c'] },
  { name: 'CSV header cells', make: (n) => fill('a,', n, '', 'a') },
  {
    name: 'CSV quoted cells',
    make: (n) => {
      const cells = Math.floor((n - 1) / 7);
      return `${'"a""b",'.repeat(cells)}${'1'.padStart(n - 7 * cells)}`;
    },
    before: ['a,b'],
  },
  { name: 'CSV unclosed quote, commas', make: (n) => fill(',', n, '"') },
];

/**
 * Handles each field as the reader and the client's validation do — a Map lookup of the name
 * (hashing it) and its UTF-8 length (against the gateway's 256-byte limit) — and counts the
 * characters of the names and text values emitted.
 */
class ReaderLikeSink implements FieldSink {
  private readonly names = new Map<string, number>();
  chars = 0;

  field(name: string, value: FieldValue): void {
    if (this.names.get(name) === undefined && Buffer.byteLength(name) <= 256 && this.names.size < 100) {
      this.names.set(name, 1);
    }
    this.chars += name.length + (typeof value === 'string' ? value.length : 0);
  }
}

/** CPU time (ms) this process spends in `run`: unlike the wall clock, not inflated by waiting for a core. */
function cpuMs(run: () => void): number {
  const t0 = process.cpuUsage();
  run();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

/**
 * Best time (ms) of up to RUNS runs, and the characters the line's fields hold. With `goodEnough`,
 * stops at the first run under it (the best of all runs could only be lower).
 */
function measure(run: (sink: ReaderLikeSink) => void, goodEnough = 0): { ms: number; chars: number } {
  let best = Infinity;
  let chars = 0;
  for (let i = 0; i < RUNS; i++) {
    const sink = new ReaderLikeSink();
    const ms = cpuMs(() => run(sink));
    best = Math.min(best, ms);
    chars = sink.chars;
    if (ms > MAX_MS) break; // already too slow to pass: do not wait for more runs
    if (best < goodEnough) break;
  }
  return { ms: best, chars };
}

function parseOnce(kind: ParserKind, c: Case, line: string, sink: ReaderLikeSink): void {
  const parser = createParser(kind);
  for (const b of c.before ?? []) parser.parse(b, sink);
  parser.parse(line, sink);
}

function detectOnce(c: Case, line: string): void {
  // As the reader calls it: the first lines, here the adversarial one twice.
  detectParser([...(c.before ?? []), line, line]);
}

interface Timing {
  name: string;
  small: { ms: number; chars: number };
  large: { ms: number; chars: number };
}

function timeCases(run: (c: Case, line: string, sink: ReaderLikeSink) => void): Timing[] {
  return CASES.map((c) => {
    run(c, c.make(4096), new ReaderLikeSink()); // warm-up (compiles the code paths this line takes)
    const small = c.make(SMALL);
    const large = c.make(LARGE);
    expect(small.length, c.name).toBe(SMALL);
    expect(large.length, c.name).toBe(LARGE);
    const smallTiming = measure((sink) => run(c, small, sink));
    return {
      name: c.name,
      small: smallTiming,
      large: measure((sink) => run(c, large, sink), Math.min(MAX_MS, MAX_RATIO * smallTiming.ms + SLACK_MS)),
    };
  });
}

/** Time, and the size of what the parser emitted, grow linearly from the 16 KiB line to the 64 KiB one. */
function expectLinear(timings: Timing[]): void {
  const slow = timings
    .filter((t) => t.large.ms >= MAX_MS || t.large.ms >= MAX_RATIO * t.small.ms + SLACK_MS)
    .map((t) => `${t.name}: 16 KiB ${t.small.ms.toFixed(1)} ms, 64 KiB ${t.large.ms.toFixed(1)} ms`);
  const big = timings
    .filter((t) => t.large.chars > MAX_RATIO * t.small.chars + 1000)
    .map((t) => `${t.name}: fields of 16 KiB ${t.small.chars} characters, of 64 KiB ${t.large.chars}`);
  expect([...slow, ...big]).toEqual([]);
}

describe('parsers take time linear in the line length', () => {
  for (const kind of PARSER_KINDS) {
    it(`${kind}: every adversarial 64 KiB line in < 8× the time of its 16 KiB one, and < 1 s`, () => {
      expectLinear(timeCases((c, line, sink) => parseOnce(kind, c, line, sink)));
    });
  }

  it('detectParser: every adversarial 64 KiB line in < 8× the time of its 16 KiB one, and < 1 s', () => {
    expectLinear(timeCases(detectOnce));
  });

  it('detection of x + 65,000 spaces + x (five of them, as a serial port sent them) takes well under a second', () => {
    const line = `x${' '.repeat(65_000)}x`;
    let d: ReturnType<typeof detectParser> | undefined;
    const ms = cpuMs(() => (d = detectParser([line, line, line, line, line])));
    expect(d!.kind).toBe('plotter');
    expect(ms).toBeLessThan(MAX_MS);
  });
});

/**
 * A line that counts the characters its reader looks at: one per charCodeAt, and for indexOf the
 * characters from where the search starts to where it ends (the match, or the line's end).
 */
class CountingLine extends String {
  reads = 0;

  override charCodeAt(index: number): number {
    this.reads++;
    return super.charCodeAt(index);
  }

  override indexOf(search: string, position = 0): number {
    const from = Math.min(Math.max(0, position), this.length);
    const at = super.indexOf(search, position);
    this.reads += (at < 0 ? this.length : at + search.length) - from;
    return at;
  }
}

/** The most characters a parser may look at per character of a line (every one today: ≤ 10). */
const MAX_READS_PER_CHAR = 16;

// Counted on the 16 KiB lines: a count has no noise, and a parser that rescans the rest of the line
// per token or per field already reads hundreds of characters per character there. (Counting runs
// ~20× slower than parsing, the overridden methods defeat the string fast paths.) The milder
// super-linear costs that only show at 64 KiB are the timing test's: it compares 16 with 64 KiB.
describe('parsers look at each character of a line a bounded number of times', () => {
  for (const kind of PARSER_KINDS) {
    it(`${kind}: at most ${MAX_READS_PER_CHAR} reads per character of every adversarial 16 KiB line`, () => {
      const bad: string[] = [];
      for (const c of CASES) {
        const parser = createParser(kind);
        const sink = new ReaderLikeSink();
        for (const b of c.before ?? []) parser.parse(b, sink);
        const line = new CountingLine(c.make(SMALL));
        parser.parse(line as unknown as string, sink);
        if (line.reads > MAX_READS_PER_CHAR * SMALL)
          bad.push(`${c.name}: ${(line.reads / SMALL).toFixed(1)} per character`);
      }
      expect(bad).toEqual([]);
    });
  }
});

describe('detection results on the lines the linear scans replaced regular expressions for', () => {
  const kind = (lines: string[]): ParserKind => detectParser(lines).kind;

  it('treats blanks around = (any \\s, tabs and no-break spaces too) as part of a pair', () => {
    expect(kind(['a = 1 b\t=\t2', 'c =3 d= 4'])).toBe('kv');
    expect(kind(['a\u00a0=\u00a01 b\u3000= 2'])).toBe('kv');
    expect(kind(['a = b = c'])).toBe('kv');
    expect(kind(['= 1 = 2 = 3'])).toBe('plotter'); // no key
  });

  it('reads quoted values with escapes as one token, and leaves an unclosed quote alone', () => {
    expect(kind(['msg="door open, now" x=1'])).toBe('kv');
    expect(kind(['msg="say \\"hi\\" and go" x=1'])).toBe('kv');
    // Unclosed: the quote stays, so `"a` is no pair and the spaces split tokens.
    expect(kind(['x=1 "a b c d'])).toBe('plotter');
    expect(kind(['"k=1 b=2'])).toBe('kv'); // `"k=1` is no pair, b=2 is: 1 of 2
    // A backslash before a line terminator ends no escape: the quoted value is not closed there.
    expect(kind(['k="a\\\u2028" x y z'])).toBe('plotter');
  });

  it('splits plotter tokens at any blank or comma', () => {
    expect(detectParser(['a:1\u00a0b:2']).reason).toMatch(/^1 of 1 line hold numbers/);
    expect(detectParser(['x\u3000y']).reason).toMatch(/^no format fits/);
    expect(detectParser(['x:y,z:5']).reason).toMatch(/^1 of 1 line hold numbers/);
  });
});
