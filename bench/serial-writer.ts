// The device side of the serial end-to-end bench (bench/serial-e2e.bench.ts): a process of its own,
// like a real device, that writes `count` 8-value plotter lines to the device end of a pty as fast
// as the pty takes them. The lines are built before the start signal, so the timed part is only
// writing. Blocking writes: a full pty simply makes this process wait, never drops.
//
//   node --require tsx/cjs bench/serial-writer.ts <pty path> <count>
//   stdin "go\n" → stdout "start <wall ms>", then "end <wall ms> <bytes> <maxRSS MB>"; the pty stays
//   open until stdin closes (closing it at once could end socat before the host read everything)

import { closeSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

const wallNow = (): number => performance.timeOrigin + performance.now();

/**
 * Line i: `i v2 … v8` (bare values, named value1…value8 by the plotter parser). value1 is the
 * line number, so the bench can check that every line arrived; the rest look like sensor values.
 */
export function plotterLine(i: number): string {
  const f = i % 1000;
  return (
    `${i} ${(11.5 + f / 1000).toFixed(2)} ${(f / 500 - 0.5).toFixed(3)} ${(18 + f / 100).toFixed(1)} ` +
    `${(i * 7) % 1024} ${(4.9 + f / 10000).toFixed(3)} ${(f / 10).toFixed(1)} ${f % 2}\n`
  );
}

function main(): void {
  const [path, countText] = process.argv.slice(2);
  const count = Number(countText);
  if (!path || !Number.isInteger(count) || count <= 0) throw new Error('usage: serial-writer.ts <pty> <count>');
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(plotterLine(i));
  const data = Buffer.from(parts.join(''));
  const fd = openSync(path, 'w');
  process.stdout.write('ready\n');
  const input = createInterface({ input: process.stdin });
  input.once('line', () => {
    process.stdout.write(`start ${wallNow()}\n`);
    // 64 KiB at a time: a pty takes a few KiB per write; writeSync returns how much it took.
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off, Math.min(65_536, data.length - off));
    const end = wallNow();
    process.stdout.write(`end ${end} ${data.length} ${process.resourceUsage().maxRSS / 1024}\n`);
  });
  input.once('close', () => {
    closeSync(fd);
    process.exit(0);
  });
}

if (require.main === module) main();
