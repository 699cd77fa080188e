// Writing a stream of lines (a CSV export) to a file: with backpressure, and with a write error
// (a full disk, a read-only folder, a directory in the way) as a rejected promise, never a crash.

import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Writes the lines; resolves with how many were written. */
export async function writeLines(path: string, lines: Iterable<string>): Promise<number> {
  let n = 0;
  const counted = (function* () {
    for (const l of lines) {
      n++;
      yield l;
    }
  })();
  try {
    await pipeline(Readable.from(counted), createWriteStream(path));
  } catch (e) {
    throw new Error(`cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
  return n;
}
