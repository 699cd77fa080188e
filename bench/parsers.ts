// Line-parser throughput (lines/s on one core) for each format, called by the devices bench
// (bench/devices.bench.ts). Each parser gets pre-generated, realistic lines of 8 values — decoded
// from one Buffer and split, like the serial reader hands them over — and a sink that only
// accumulates. Two warm-up passes, then `runs` timed passes; the median is reported.
//
// Quick manual run: node --require tsx/cjs bench/parsers.ts [lines] [runs]

import { createParser } from '../src/main/devices/parsers';
import { rng } from '../test/helpers/rng';
import type { FieldSink, FieldValue, LineParser, ParserKind } from '../src/main/devices/types';

export interface ParserBenchResult {
  plotter_lines_per_s: number;
  csv_lines_per_s: number;
  jsonl_lines_per_s: number;
  kv_lines_per_s: number;
  details: string[];
}

const VALUES_PER_LINE = 8;
const NAMES = Array.from({ length: VALUES_PER_LINE }, (_, i) => `v${i + 1}`);

/** Sensor-like values: voltages, currents, temperatures, counters — 0 to 3 decimals, some negative. */
function values(rand: () => number): string[] {
  return NAMES.map((_, i) => {
    switch (i % 4) {
      case 0:
        return (11.5 + rand()).toFixed(2); // a supply voltage
      case 1:
        return (rand() * 2 - 0.5).toFixed(3); // a current, sometimes negative
      case 2:
        return (18 + rand() * 10).toFixed(1); // a temperature
      default:
        return String(Math.floor(rand() * 1024)); // an ADC count
    }
  });
}

function format(kind: ParserKind, vals: string[]): string {
  switch (kind) {
    case 'plotter':
      return vals.map((v, i) => `${NAMES[i]}:${v}`).join(',');
    case 'csv':
      return vals.join(',');
    case 'jsonl':
      return `{${vals.map((v, i) => `"${NAMES[i]}":${v}`).join(',')}}`;
    case 'kv':
      return vals.map((v, i) => `${NAMES[i]}=${v}`).join(' ');
  }
}

/** `count` lines of one format, decoded from one Buffer and split like a reader would. */
function makeLines(kind: ParserKind, count: number): { header: string | null; lines: string[] } {
  const rand = rng(0x5eed);
  const text: string[] = [];
  for (let i = 0; i < count; i++) text.push(format(kind, values(rand)));
  const lines = Buffer.from(text.join('\n'), 'utf8').toString('utf8').split('\n');
  return { header: kind === 'csv' ? NAMES.join(',') : null, lines };
}

class AccumulatingSink implements FieldSink {
  fields = 0;
  sum = 0;
  field(_name: string, value: FieldValue): void {
    this.fields++;
    if (typeof value === 'number') this.sum += value;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Lines per call of parseRange: the timed loop is a plain function called often, not one long on-stack-replaced loop. */
const CHUNK = 1000;

/** Parses lines[from, to); returns how many had problems. */
function parseRange(parser: LineParser, lines: string[], from: number, to: number, sink: FieldSink): number {
  let problems = 0;
  for (let i = from; i < to; i++) if (parser.parse(lines[i]!, sink) !== null) problems++;
  return problems;
}

function measure(kind: ParserKind, lineCount: number, runs: number): { perS: number; detail: string } {
  const { header, lines } = makeLines(kind, lineCount);
  const parser = createParser(kind);
  const sink = new AccumulatingSink();
  if (header !== null) parser.parse(header, sink);
  const pass = (): { ms: number; problems: number } => {
    let problems = 0;
    const t0 = performance.now();
    for (let i = 0; i < lines.length; i += CHUNK) {
      problems += parseRange(parser, lines, i, Math.min(i + CHUNK, lines.length), sink);
    }
    return { ms: performance.now() - t0, problems };
  };
  // Warm-up (JIT, string flattening), checking the parser reads every value.
  const warm = pass();
  if (warm.problems > 0 || sink.fields !== lines.length * VALUES_PER_LINE) {
    throw new Error(`${kind}: ${warm.problems} problem lines and ${sink.fields} fields on the warm-up pass`);
  }
  pass();
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) rates.push((lines.length / pass().ms) * 1000);
  const perS = Math.round(median(rates));
  const spread = rates.map((x) => Math.round(x / 1000).toLocaleString('en-US')).join(' / ');
  return {
    perS,
    detail:
      `${kind.padEnd(7)} ${perS.toLocaleString('en-US').padStart(10)} lines/s ` +
      `(median of ${runs} runs of ${lines.length.toLocaleString('en-US')} lines × ${VALUES_PER_LINE} values; ` +
      `runs ${spread} k lines/s; e.g. ${JSON.stringify(lines[0])})`,
  };
}

/** Single-threaded parser throughput, lines/s per format (median of `runs`, default 3). */
export function measureParsers(opts: { lines?: number; runs?: number } = {}): ParserBenchResult {
  const lineCount = opts.lines ?? 200_000;
  const runs = opts.runs ?? 3;
  const plotter = measure('plotter', lineCount, runs);
  const csv = measure('csv', lineCount, runs);
  const jsonl = measure('jsonl', lineCount, runs);
  const kv = measure('kv', lineCount, runs);
  return {
    plotter_lines_per_s: plotter.perS,
    csv_lines_per_s: csv.perS,
    jsonl_lines_per_s: jsonl.perS,
    kv_lines_per_s: kv.perS,
    details: [plotter.detail, csv.detail, jsonl.detail, kv.detail],
  };
}

if (require.main === module) {
  const arg = (i: number): number | undefined => {
    const n = Number(process.argv[i]);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  };
  const opts: { lines?: number; runs?: number } = {};
  const lines = arg(2);
  const runs = arg(3);
  if (lines !== undefined) opts.lines = lines;
  if (runs !== undefined) opts.runs = runs;
  const r = measureParsers(opts);
  for (const d of r.details) console.log(d);
  const { details: _details, ...figures } = r;
  console.log(JSON.stringify(figures));
}
