// The line splitter: any chunking gives the same lines; bad bytes are reported, never passed on.
import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE_BYTES } from '../../src/main/devices/lines/line-splitter';
import type { ProblemKind } from '../../src/main/devices/types';

function run(chunks: Buffer[], max?: number): { lines: string[]; problems: ProblemKind[] } {
  const s = new LineSplitter(max);
  const lines: string[] = [];
  const problems: ProblemKind[] = [];
  for (const c of chunks) s.push(c, { line: (l) => lines.push(l), problem: (k) => problems.push(k) });
  return { lines, problems };
}

describe('line splitter', () => {
  it('splits on \\n and \\r\\n, skipping empty lines', () => {
    expect(run([Buffer.from('a:1\r\nb:2\n\n\r\nc:3\n')]).lines).toEqual(['a:1', 'b:2', 'c:3']);
  });

  it('gives the same lines for every way of cutting the stream, multi-byte characters included', () => {
    const text = Buffer.from('température:21.5\r\n温度:22\nx:1\n');
    for (let cut = 1; cut < text.length; cut++) {
      expect(run([text.subarray(0, cut), text.subarray(cut)]).lines).toEqual(['température:21.5', '温度:22', 'x:1']);
    }
    const bytes = [...text].map((b) => Buffer.from([b]));
    expect(run(bytes).lines).toEqual(['température:21.5', '温度:22', 'x:1']);
  });

  it('skips a line of invalid UTF-8 or with control bytes, keeping its neighbours', () => {
    const r = run([
      Buffer.from('a:1\n'),
      Buffer.from([0xc3, 0x28, 0x0a]),
      Buffer.from('b:2\n'),
      Buffer.from([0x00, 0x01, 0x41, 0x0a]),
      Buffer.from('c:3\n'),
    ]);
    expect(r.lines).toEqual(['a:1', 'b:2', 'c:3']);
    expect(r.problems).toEqual(['invalid-utf8', 'garbage']);
  });

  it('cuts off a line longer than the limit, across chunks, and resumes at the next line end', () => {
    const big = Buffer.alloc(MAX_LINE_BYTES + 10, 0x41);
    const r = run([Buffer.from('a:1\n'), big.subarray(0, 40_000), big.subarray(40_000), Buffer.from('tail\nb:2\n')]);
    expect(r.lines).toEqual(['a:1', 'b:2']);
    expect(r.problems).toEqual(['overlong']);
  });

  it('cuts off a long line that arrives in one chunk too, and accepts one just under the limit', () => {
    const r = run([Buffer.concat([Buffer.alloc(100, 0x42), Buffer.from('\nok\n')])], 50);
    expect(r).toEqual({ lines: ['ok'], problems: ['overlong'] });
    const edge = run([Buffer.concat([Buffer.alloc(50, 0x42), Buffer.from('\n')])], 50);
    expect(edge.lines).toEqual(['B'.repeat(50)]);
  });

  it('keeps no memory of an unterminated overlong line (memory stays bounded)', () => {
    const s = new LineSplitter(1000);
    const sink = { line: () => {}, problem: () => {} };
    for (let i = 0; i < 1000; i++) s.push(Buffer.alloc(10_000, 0x41), sink);
    expect((s as unknown as { partialBytes: number }).partialBytes).toBe(0);
  });
});
