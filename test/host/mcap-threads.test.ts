// The MCAP export's chunks built on worker threads are the chunks it builds on its own thread,
// byte for byte, and a thread that cannot build its chunk fails the export with the reason.
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { ExportSink } from '../../src/main/host/export-sink';
import { writeMcap, type McapRunInfo } from '../../src/main/host/mcap-export';
import type { LinePiece } from '../../src/main/host/run-library/metric-line';
import { PointEncoder, encodeTags } from '../../src/main/plexus/validate';
import type { RunView } from '../../src/shared/contract';

const enc = new PointEncoder();
const RUN: RunView = {
  id: 'run-1',
  name: 'threads',
  startedAt: 1_790_000_000_000,
  endedAt: 1_790_000_100_000,
  points: 0,
};
const INFO: McapRunInfo = { run: RUN, device: 'rig', unit: (m) => (m === 'psu.v' ? 'V' : undefined) };

/** 300,000 lines in pieces of 4,096, as the library gives them: numbers of two metrics, some events. */
function pieces(): LinePiece[] {
  const out: LinePiece[] = [];
  let lines: string[] = [];
  const tags = encodeTags({ probe: 'Prüfstand' }, { run_id: RUN.id });
  for (let i = 0; i < 300_000; i++) {
    const t = RUN.startedAt + i / 3;
    lines.push(
      i % 1000 === 7
        ? enc.encode('event', enc.metricJson('door'), JSON.stringify({ open: i % 2 === 0 }), t, tags)
        : enc.encode('metric', enc.metricJson(i % 3 === 0 ? 'psu.a' : 'psu.v'), String(Math.sin(i) * 12), t, tags),
    );
    if (lines.length === 4096) {
      out.push({ body: lines.join('\n'), firstSeq: i - 4095, seqs: null });
      lines = [];
    }
  }
  if (lines.length) out.push({ body: lines.join('\n'), firstSeq: 300_000 - lines.length, seqs: null });
  return out;
}

async function write(p: LinePiece[], threads: number, numberMetrics = ['psu.v', 'psu.a']): Promise<Buffer> {
  const parts: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      done();
    },
  });
  const sink = new ExportSink(out);
  const n = await writeMcap(p, INFO, sink, () => {}, { numberMetrics, threads });
  await sink.end();
  expect(n).toBe(p.reduce((s, x) => s + x.body.split('\n').length, 0));
  return Buffer.concat(parts);
}

describe('MCAP chunks on worker threads', () => {
  it('are the same bytes as the chunks built on the export’s own thread', async () => {
    const p = pieces();
    const here = await write(p, 0);
    const threaded = await write(p, 2);
    expect(threaded.length).toBe(here.length);
    expect(threaded.equals(here)).toBe(true);
  }, 60_000);

  it('a chunk a thread cannot build fails the export with the reason', async () => {
    const bad: LinePiece[] = [
      { body: '{"class":"metric","metric":"x","value":1,"timestamp":1}\nnot a line', firstSeq: 1, seqs: null },
    ];
    await expect(write(bad, 1, ['x'])).rejects.toThrow(/an MCAP export thread could not build a chunk: .*JSON/);
  });
});
