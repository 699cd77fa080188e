// Bytes from a serial port → text lines. Frames on "\n" (a trailing "\r" is dropped, so "\r\n"
// works too). Never trusts the device: a line of invalid UTF-8 or with control bytes is reported
// and skipped, and a "line" that runs past 64 KiB without an end is cut off and skipped up to the
// next line end, so a stream of noise can neither grow memory nor stall the lines after it.

import { isUtf8 } from 'node:buffer';
import type { ProblemKind } from '../types';

export const MAX_LINE_BYTES = 64 * 1024;

export interface SplitterSink {
  line(text: string): void;
  problem(kind: ProblemKind, message: string): void;
}

const NL = 0x0a;
const CR = 0x0d;

/** Index of the first control byte other than tab (and a final CR), or -1. */
function controlByteAt(b: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return i;
  }
  return -1;
}

function preview(b: Buffer, start: number, end: number): string {
  const n = Math.min(end - start, 24);
  let hex = '';
  for (let i = 0; i < n; i++) hex += b[start + i]!.toString(16).padStart(2, '0') + ' ';
  return `${hex.trim()}${end - start > n ? ' …' : ''}`;
}

export class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Inside an overlong line: drop bytes until the next line end. */
  private discarding = false;

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  push(chunk: Buffer, sink: SplitterSink): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NL, pos);
      if (nl === -1) {
        this.keep(chunk, pos, chunk.length, sink);
        return;
      }
      if (this.discarding) {
        this.discarding = false;
      } else if (this.partialBytes > 0) {
        if (this.partialBytes + (nl - pos) > this.maxLineBytes) {
          this.overlong(this.partialBytes + (nl - pos), sink);
        } else {
          this.partial.push(chunk.subarray(pos, nl));
          const whole = Buffer.concat(this.partial, this.partialBytes + (nl - pos));
          this.partial = [];
          this.partialBytes = 0;
          this.emit(whole, 0, whole.length, sink);
        }
        this.partial = [];
        this.partialBytes = 0;
      } else if (nl - pos > this.maxLineBytes) {
        this.overlong(nl - pos, sink);
      } else {
        this.emit(chunk, pos, nl, sink);
      }
      pos = nl + 1;
    }
  }

  /** Bytes without a line end yet: keep them, unless the line is already too long. */
  private keep(chunk: Buffer, start: number, end: number, sink: SplitterSink): void {
    if (this.discarding) return;
    const n = end - start;
    if (this.partialBytes + n > this.maxLineBytes) {
      this.overlong(this.partialBytes + n, sink, true);
      this.partial = [];
      this.partialBytes = 0;
      this.discarding = true;
      return;
    }
    // Copy: the port reuses its read buffers.
    this.partial.push(Buffer.from(chunk.subarray(start, end)));
    this.partialBytes += n;
  }

  private overlong(bytes: number, sink: SplitterSink, open = false): void {
    sink.problem(
      'overlong',
      `${open ? 'more than ' : ''}${bytes.toLocaleString('en-US')} bytes without a line end (limit ${this.maxLineBytes.toLocaleString('en-US')}): skipped to the next line end`,
    );
  }

  private emit(b: Buffer, start: number, end: number, sink: SplitterSink): void {
    if (end > start && b[end - 1] === CR) end--;
    if (end === start) return;
    const slice = b.subarray(start, end);
    if (!isUtf8(slice)) {
      sink.problem('invalid-utf8', `line is not valid UTF-8: ${preview(b, start, end)}`);
      return;
    }
    const ctl = controlByteAt(b, start, end);
    if (ctl !== -1) {
      sink.problem(
        'garbage',
        `line holds control byte 0x${b[ctl]!.toString(16).padStart(2, '0')}: ${preview(b, start, end)}`,
      );
      return;
    }
    sink.line(slice.toString('utf8'));
  }

  /** Forget a partial line (the port closed: what comes after a reopen is a new stream). */
  reset(): void {
    this.partial = [];
    this.partialBytes = 0;
    this.discarding = false;
  }
}
