// The bytes of an XDF 1.0 file (https://github.com/sccn/xdf/wiki/Specifications): after the magic
// code `XDF:`, a sequence of chunks, each [NumLengthBytes][Length][Tag u16][Content], all little
// endian. Lengths and counts are variable-length integers: a byte saying 1, 4 or 8, then the number
// in that many bytes (libxdf reads no other widths). Only what the export writes is here.

export const MAGIC = Buffer.from('XDF:', 'ascii');

/** The chunk tags the export writes (5, Boundary, is optional and left out). */
export const TAG = { FileHeader: 1, StreamHeader: 2, Samples: 3, ClockOffset: 4, StreamFooter: 6 } as const;
type Tag = (typeof TAG)[keyof typeof TAG];

/** A growing little-endian byte buffer (a Samples chunk's body is built in one). */
export class Bytes {
  private buf: Buffer;
  length = 0;

  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf.writeUInt8(v, this.length);
    this.length += 1;
  }

  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16LE(v, this.length);
    this.length += 2;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.length);
    this.length += 8;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** A variable-length integer: the narrowest of 1, 4 or 8 bytes that holds it. */
  varLen(n: number): void {
    if (n < 0x100) {
      this.u8(1);
      this.u8(n);
    } else if (n < 0x1_0000_0000) {
      this.u8(4);
      this.u32(n);
    } else {
      this.u8(8);
      this.room(8);
      this.buf.writeBigUInt64LE(BigInt(n), this.length);
      this.length += 8;
    }
  }

  /** A length-prefixed UTF-8 string (a value of a string stream). */
  text(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.varLen(b.length);
    this.bytes(b);
  }

  /** What was written so far (a view; copy it before the buffer is reused). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

/** A whole chunk: its length prefix, tag and content (the pieces, concatenated). */
export function chunk(tag: Tag, ...content: Uint8Array[]): Buffer {
  const size = 2 + content.reduce((n, c) => n + c.length, 0);
  const head = new Bytes(16);
  head.varLen(size);
  head.u16(tag);
  return Buffer.concat([head.view(), ...content]);
}

function streamId(id: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(id);
  return b;
}

export function fileHeaderChunk(xml: string): Buffer {
  return chunk(TAG.FileHeader, Buffer.from(xml, 'utf8'));
}

export function streamHeaderChunk(id: number, xml: string): Buffer {
  return chunk(TAG.StreamHeader, streamId(id), Buffer.from(xml, 'utf8'));
}

export function streamFooterChunk(id: number, xml: string): Buffer {
  return chunk(TAG.StreamFooter, streamId(id), Buffer.from(xml, 'utf8'));
}

/** A clock offset: at `time` on the stream's clock, add `value` to reach the recorder's (seconds). */
export function clockOffsetChunk(id: number, time: number, value: number): Buffer {
  const b = new Bytes(16);
  b.f64(time);
  b.f64(value);
  return chunk(TAG.ClockOffset, streamId(id), b.view());
}

/** `count` samples already encoded in `body` (each: [8][timestamp f64][values]). */
export function samplesChunk(id: number, count: number, body: Uint8Array): Buffer {
  const n = new Bytes(16);
  n.varLen(count);
  return chunk(TAG.Samples, streamId(id), n.view(), body);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** What XML 1.0 cannot hold at all: control characters but tab and line breaks, U+FFFE/FFFF, lone surrogates. */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text for XML: the special characters as entities, what XML cannot hold as U+FFFD (pyxdf's parser is strict). */
export function xmlText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!).replace(NOT_XML, '\ufffd');
}

/** Elements by tag: `{ name: 'x', ch: [{ unit: 'V' }, …] }` → `<name>x</name><ch><unit>V</unit></ch>…`. */
export type XmlTree = { [tag: string]: string | number | XmlTree | XmlTree[] };

export function xml(tree: XmlTree): string {
  let out = '';
  for (const [tag, v] of Object.entries(tree)) {
    if (Array.isArray(v)) for (const item of v) out += `<${tag}>${xml(item)}</${tag}>`;
    else if (typeof v === 'object') out += `<${tag}>${xml(v)}</${tag}>`;
    else out += `<${tag}>${xmlText(String(v))}</${tag}>`;
  }
  return out;
}
