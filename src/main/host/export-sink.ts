// Where an export's bytes go (a file, an HTTP download): written with backpressure, so a run of
// millions of points never piles up in memory ahead of a slow disk or a slow browser, and a
// failing write (a full disk, a read-only folder, a closed download) becomes a rejected promise
// in a technician's words, never a crash.

import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** Text is gathered into pieces of about this size before it is written (fewer, larger writes). */
const PIECE_BYTES = 64 * 1024;

export class ExportSink {
  private bytes = 0n;
  private failure: Error | null = null;
  private pending: string[] = [];
  private pendingChars = 0;

  constructor(private readonly out: Writable) {
    out.on('error', (e) => (this.failure ??= e));
    out.on('close', () => {
      if (!out.writableFinished) this.failure ??= new Error('the receiving end closed before the export was complete');
    });
  }

  /** Bytes handed to the stream so far (MCAP records its offsets with them). */
  position(): bigint {
    return this.bytes;
  }

  /** Text, gathered and written in pieces (call flushText() or end() to write the rest). */
  async text(s: string): Promise<void> {
    this.pending.push(s);
    this.pendingChars += s.length;
    if (this.pendingChars >= PIECE_BYTES) await this.flushText();
  }

  async flushText(): Promise<void> {
    if (this.pending.length === 0) return;
    const piece = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    await this.write(Buffer.from(piece, 'utf8'));
  }

  /** Bytes, written now; waits while the stream's buffer is full. */
  async write(chunk: Uint8Array): Promise<void> {
    this.check();
    this.bytes += BigInt(chunk.byteLength);
    if (this.out.write(chunk)) return;
    await this.drained();
    this.check();
  }

  /** The stream took what it buffered, or failed, or closed (listeners removed either way). */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('close', done);
        this.out.off('error', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
      this.out.on('error', done);
    });
  }

  /** The rest, then the end of the stream; resolves once everything reached its destination. */
  async end(): Promise<void> {
    await this.flushText();
    this.check();
    this.out.end();
    await finished(this.out);
    this.check();
  }

  /** Gives up (an export that failed half way): the stream is closed with the error. */
  abort(e: Error): void {
    this.out.destroy(e);
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}

/** The failure of a write, as a technician reads it: what, where, and the system's own code. */
export function writeProblem(path: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EACCES: 'this user may not write there',
    EPERM: 'this user may not write there',
    EROFS: 'the disk is read-only',
    EISDIR: 'a folder of that name is in the way',
    ENOENT: 'the folder does not exist',
    ENOTDIR: 'part of the path is a file, not a folder',
  };
  const words = (err.code && why[err.code]) ?? err.message;
  const code = err.code && why[err.code] ? ` (${err.code})` : '';
  return new Error(`cannot write ${path}: ${words}${code}`, { cause: e });
}

/**
 * Writes an export to a file; resolves with what `write` resolved with (the points written). A
 * file left half written is removed: a truncated export would read as a shorter run.
 */
export async function writeExportFile(path: string, write: (sink: ExportSink) => Promise<number>): Promise<number> {
  const out = createWriteStream(path);
  let opened = false;
  out.once('open', () => (opened = true));
  const sink = new ExportSink(out);
  try {
    const n = await write(sink);
    await sink.end();
    return n;
  } catch (e) {
    sink.abort(e as Error);
    await finished(out).catch(() => {});
    if (opened) await unlink(path).catch(() => {});
    throw writeProblem(path, e);
  }
}
