// Cutting a serial line's bytes into Modbus RTU answers. A serial port hands over bytes in chunks
// that say nothing about frames, and RTU frames carry no length; but the master knows the answer
// it waits for: the unit and function it just asked, and from the request how long the answer is
// (or an exception, always 5 bytes). So the framer is told each request and gives back the answer
// once all of it is there. modbus-serial checks the CRC of what it gets: a garbled answer of the
// right length is passed on, to be counted as a CRC error; one that never completes times out.

/** Longest RTU frame (the standard's 256 bytes); more held means we are out of step. */
const MAX_FRAME = 256;
const EXCEPTION_LENGTH = 5;

export class RtuFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private unit = -1;
  private fn = -1;
  /** The answer's length in bytes; 0: no answer expected. */
  private length = 0;
  /** When the line last carried a byte, and when the last request went out (ms, the clock given). */
  lastByteAt = -Infinity;
  sentAt = -Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Whether the line is in step: the last request was answered (or none was sent). A request
   * that timed out may still be answered late, and an RTU answer does not say which request it
   * answers: until the line has been quiet a while, anything on it could be that late answer.
   */
  inStep(): boolean {
    return this.length === 0;
  }

  /** Drops what was awaited and what is on the line: bytes until the next request are noise. */
  discard(): void {
    this.buffer = Buffer.alloc(0);
    this.length = 0;
  }

  /** A request is going out: what answers it, and how long that answer is. */
  request(frame: Uint8Array): void {
    // Bytes before the request cannot be its answer (a late answer to a request that timed out).
    this.buffer = Buffer.alloc(0);
    this.sentAt = this.now();
    this.unit = frame[0] ?? -1;
    this.fn = frame[1] ?? -1;
    this.length = frame.length >= 6 ? answerLength(this.fn, (frame[4]! << 8) | frame[5]!) : 0;
  }

  /** Bytes from the line; returns the answer when it is complete (at most one per request). */
  push(chunk: Uint8Array): Buffer | null {
    this.lastByteAt = this.now();
    if (this.length === 0) return null;
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > 2 * MAX_FRAME) this.buffer = this.buffer.subarray(-MAX_FRAME);
    // The answer may follow noise: look for the unit and function (or its exception) anywhere.
    for (let i = 0; i + 1 < this.buffer.length; i++) {
      if (this.buffer[i] !== this.unit) continue;
      const fn = this.buffer[i + 1];
      const length = fn === this.fn ? this.length : fn === (0x80 | this.fn) ? EXCEPTION_LENGTH : 0;
      if (length === 0) continue;
      if (i + length > this.buffer.length) return null; // its start is here: wait for the rest
      const answer = Buffer.from(this.buffer.subarray(i, i + length));
      this.buffer = Buffer.alloc(0);
      this.length = 0;
      return answer;
    }
    return null;
  }
}

/** The length of the answer to function `fn` with `count` (registers or bits), CRC included. */
export function answerLength(fn: number, count: number): number {
  switch (fn) {
    case 1: // coils
    case 2: // discrete inputs: 8 to a byte
      return 3 + Math.ceil(count / 8) + 2;
    case 3: // holding registers
    case 4: // input registers: 2 bytes each
      return 3 + 2 * count + 2;
    case 5:
    case 6:
    case 15:
    case 16: // writes echo address and value (or count)
      return 8;
    default:
      return 0; // not one this plugin sends
  }
}
