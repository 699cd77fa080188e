// libxdf, the C++ XDF reader, as a test's second opinion: read-xdf.cpp is compiled with g++ against
// the system's libxdf (Debian's libxdf-dev) once per test file, run on a file, and its lines parsed.
// A machine without them fails in words (CI installs both): a skipped check would pass silently.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCE = join(__dirname, 'read-xdf.cpp');

export interface LibxdfStream {
  index: number;
  name: string;
  type: string;
  format: string;
  channelCount: number;
  srate: number;
  header: string;
  footer: string;
  channels: { label: string; unit: string; type: string }[];
  offsets: { time: number; value: number }[];
  /** Numeric samples: time stamps after libxdf's clock sync, values as libxdf holds them (float32). */
  samples: { t: number; values: number[] }[];
  /** String samples (libxdf's eventMap), time stamps after its clock sync. */
  events: { t: number; text: string }[];
}

/** Compiles the reader into a folder of its own; returns the program and a way to remove it. */
export function buildLibxdfReader(): { program: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'plexus-xdf-reader-'));
  const program = join(dir, 'read-xdf');
  const r = spawnSync('g++', ['-std=c++17', '-O1', '-o', program, SOURCE, '-lxdf'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    const why = r.error ? `g++ did not run (${r.error.message})` : `g++ failed:\n${r.stderr}`;
    throw new Error(
      `The XDF export test needs g++ and libxdf (Debian: apt-get install g++ libxdf-dev) to build ${SOURCE}: ${why}`,
    );
  }
  return { program, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function unescape(s: string): string {
  return s.replace(/\\([\\tnr])/g, (_, c: string) => ({ '\\': '\\', t: '\t', n: '\n', r: '\r' })[c]!);
}

/** Loads the file with libxdf; its streams in file order, each with its samples or events. */
export function readWithLibxdf(program: string, file: string): LibxdfStream[] {
  const r = spawnSync(program, [file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) throw new Error(`read-xdf failed on ${file}: ${r.error?.message ?? r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('@'));
  if (lines.at(-1) !== '@end') throw new Error(`read-xdf stopped early:\n${r.stdout.slice(-2000)}`);
  const streams: LibxdfStream[] = [];
  const at = (i: string): LibxdfStream => streams[Number(i)]!;
  for (const line of lines) {
    const [kind, i, ...f] = line.split('\t');
    switch (kind) {
      case '@stream':
        streams.push({
          index: Number(i),
          name: unescape(f[0]!),
          type: unescape(f[1]!),
          format: f[2]!,
          channelCount: Number(f[3]),
          srate: Number(f[4]),
          header: '',
          footer: '',
          channels: [],
          offsets: [],
          samples: [],
          events: [],
        });
        break;
      case '@header':
        at(i!).header = unescape(f[0]!);
        break;
      case '@footer':
        at(i!).footer = unescape(f[0]!);
        break;
      case '@channel':
        at(i!).channels.push({ label: unescape(f[0]!), unit: unescape(f[1]!), type: unescape(f[2]!) });
        break;
      case '@offset':
        at(i!).offsets.push({ time: Number(f[0]), value: Number(f[1]) });
        break;
      case '@sample':
        at(i!).samples.push({ t: Number(f[0]), values: f.slice(1).map((v) => (/nan/i.test(v) ? NaN : Number(v))) });
        break;
      case '@event':
        at(i!).events.push({ t: Number(f[0]), text: unescape(f.slice(1).join('\t')) });
        break;
    }
  }
  return streams;
}
