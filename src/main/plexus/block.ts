// Compact in-memory forms of the log, kept as bytes rather than JS strings.
//
// A point's JSON line is written into a byte buffer the moment send() accepts it; the string it
// was built from dies young. A Block is a run of committed lines: their UTF-8 bytes joined by
// "\n" in one Buffer, with line end offsets in a typed array. A Batch is a run of points handed
// to a transport, described as line ranges over blocks, and encoded straight into one frame
// Buffer. At hundreds of thousands of points per second this keeps the V8 heap nearly free of
// long-lived garbage (the memory lives outside the heap and is released as soon as it is done).

const NL = 0x0a;
const COMMA = 0x2c;

/**
 * Where send() writes point lines until the next group commit. Reused from commit to commit.
 * A commit may take only the oldest lines (a full disk takes what fits): those are consumed from
 * the head, the rest stay.
 */
export class PendingLines {
  private buf = Buffer.allocUnsafe(256 * 1024);
  private len = 0;
  /** Exclusive end offset in `buf` of each line (lines before `head` are consumed). */
  private ends = new Uint32Array(4096);
  private n = 0;
  private head = 0;
  private headByte = 0;

  get count(): number {
    return this.n - this.head;
  }

  /** UTF-8 bytes of the pending lines, without separators. */
  get bytes(): number {
    return this.len - this.headByte - this.count;
  }

  /** Append one line; returns its UTF-8 byte length. */
  push(line: string): number {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
    if (this.len + line.length * 3 + 1 > this.buf.length) {
      this.compact();
      const need = this.len + line.length * 3 + 1;
      if (need > this.buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
        this.buf.copy(bigger, 0, 0, this.len);
        this.buf = bigger;
      }
    }
    const written = this.buf.write(line, this.len, 'utf8');
    this.len += written;
    this.buf[this.len++] = NL;
    if (this.n === this.ends.length) {
      this.compact();
      if (this.n === this.ends.length) {
        const more = new Uint32Array(this.ends.length * 2);
        more.set(this.ends);
        this.ends = more;
      }
    }
    this.ends[this.n++] = this.len - 1;
    return written;
  }

  /** Move the pending lines to the front of the buffers. */
  private compact(): void {
    if (this.head === 0) return;
    this.buf.copy(this.buf, 0, this.headByte, this.len);
    for (let i = this.head; i < this.n; i++) this.ends[i - this.head] = this.ends[i]! - this.headByte;
    this.n -= this.head;
    this.len -= this.headByte;
    this.head = 0;
    this.headByte = 0;
  }

  /**
   * The oldest pending lines cut into blocks of about `blockBytes` each (copies), as many blocks
   * as make about `maxBytes` in all; the lines stay pending until consume().
   */
  peekBlocks(firstSeq: number, blockBytes: number, maxBytes = Infinity): Block[] {
    const out: Block[] = [];
    let startLine = this.head;
    let startByte = this.headByte;
    let taken = 0;
    for (let i = this.head; i < this.n && taken < maxBytes; i++) {
      const end = this.ends[i]!;
      if (end - startByte >= blockBytes || i === this.n - 1) {
        const data = Buffer.from(this.buf.subarray(startByte, end)); // lines without the last "\n"
        const ends = new Uint32Array(i + 1 - startLine);
        for (let k = startLine; k <= i; k++) ends[k - startLine] = this.ends[k]! - startByte;
        out.push(new Block(firstSeq + startLine - this.head, data, ends));
        taken += data.length;
        startLine = i + 1;
        startByte = end + 1;
      }
    }
    return out;
  }

  /** Forget the `k` oldest pending lines (they were committed). */
  consume(k: number): void {
    if (k >= this.count) return this.clear();
    this.head += k;
    this.headByte = this.ends[this.head - 1]! + 1;
  }

  /** Forget every pending line. */
  clear(): void {
    this.len = 0;
    this.n = 0;
    this.head = 0;
    this.headByte = 0;
  }

  /** Rewrite pending lines in place: `fn(index, line)` returns the line to keep (index 0 = oldest). */
  rewrite(fn: (i: number, line: string) => string): void {
    const lines: string[] = [];
    let from = this.headByte;
    for (let i = this.head; i < this.n; i++) {
      lines.push(fn(i - this.head, this.buf.toString('utf8', from, this.ends[i])));
      from = this.ends[i]! + 1;
    }
    this.clear();
    for (const l of lines) this.push(l);
  }
}

export class Block {
  constructor(
    readonly firstSeq: number,
    /** The lines' UTF-8 bytes joined by "\n". */
    readonly data: Buffer,
    /** Exclusive end offset (bytes) of each line. */
    private readonly ends: Uint32Array,
  ) {}

  get n(): number {
    return this.ends.length;
  }

  get lastSeq(): number {
    return this.firstSeq + this.ends.length - 1;
  }

  /** UTF-8 bytes of all lines, without separators. */
  get total(): number {
    return this.data.length - (this.ends.length - 1);
  }

  /** A block of the given lines (each a JSON line without "\n"). */
  static fromLines(firstSeq: number, lines: string[]): Block {
    return Block.fromData(firstSeq, Buffer.from(lines.join('\n')), lines.length);
  }

  /** Every line, oldest first. */
  lines(): string[] {
    return this.data.toString('utf8').split('\n');
  }

  /** A block read back from SQLite. */
  static fromData(firstSeq: number, data: Buffer, n: number): Block {
    const ends = new Uint32Array(n);
    let from = 0;
    for (let i = 0; i < n - 1; i++) {
      const nl = data.indexOf(NL, from);
      ends[i] = nl;
      from = nl + 1;
    }
    ends[n - 1] = data.length;
    return new Block(firstSeq, data, ends);
  }

  private start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]! + 1;
  }

  lineBytes(i: number): number {
    return this.ends[i]! - this.start(i);
  }

  /** UTF-8 bytes of lines [from, to), without separators. */
  bytesOf(from: number, to: number): number {
    return to <= from ? 0 : this.ends[to - 1]! - this.start(from) - (to - from - 1);
  }

  line(i: number): string {
    return this.data.toString('utf8', this.start(i), this.ends[i]);
  }

  /** Write lines [from, to) joined by "," into `buf` at `off`; returns the bytes written. */
  writeTo(buf: Buffer, off: number, from: number, to: number): number {
    const s = this.start(from);
    const e = this.ends[to - 1]!;
    this.data.copy(buf, off, s, e);
    // The separators: each "\n" between these lines becomes ",". (A JSON line never holds a raw "\n".)
    for (let i = from; i < to - 1; i++) buf[off + this.ends[i]! - s] = COMMA;
    return e - s;
  }
}

export interface BatchPart {
  block: Block;
  /** Line index range [from, to) within the block. */
  from: number;
  to: number;
}

export class Batch {
  constructor(
    readonly parts: BatchPart[],
    /** Points in the batch. */
    readonly count: number,
    /** UTF-8 bytes of the points' JSON, without separators. */
    readonly bytes: number,
  ) {}

  get firstSeq(): number {
    const p = this.parts[0]!;
    return p.block.firstSeq + p.from;
  }

  get lastSeq(): number {
    const p = this.parts[this.parts.length - 1]!;
    return p.block.firstSeq + p.to - 1;
  }

  /** `prefix` + the points joined by "," + `suffix`, as one Buffer (a frame or request body). */
  toJson(prefix: string, suffix: string): Buffer {
    const pre = Buffer.byteLength(prefix);
    const size = pre + this.bytes + Math.max(0, this.count - 1) + Buffer.byteLength(suffix);
    const buf = Buffer.allocUnsafe(size);
    let off = buf.write(prefix, 0, 'utf8');
    this.parts.forEach((p, i) => {
      if (i > 0) buf[off++] = COMMA;
      off += p.block.writeTo(buf, off, p.from, p.to);
    });
    off += buf.write(suffix, off, 'utf8');
    if (off !== size) throw new Error(`frame size mismatch: wrote ${off} of ${size} bytes`);
    return buf;
  }

  /** The single point of a one-point batch. */
  only(): { seq: number; line: string } {
    const p = this.parts[0]!;
    return { seq: p.block.firstSeq + p.from, line: p.block.line(p.from) };
  }

  /** Points [from, to) of this batch, by index. */
  slice(from: number, to: number): Batch {
    const parts: BatchPart[] = [];
    let bytes = 0;
    let count = 0;
    let idx = 0;
    for (const p of this.parts) {
      const len = p.to - p.from;
      const a = Math.max(from, idx);
      const b = Math.min(to, idx + len);
      if (a < b) {
        const part = { block: p.block, from: p.from + (a - idx), to: p.from + (b - idx) };
        parts.push(part);
        bytes += p.block.bytesOf(part.from, part.to);
        count += b - a;
      }
      idx += len;
    }
    return new Batch(parts, count, bytes);
  }
}
