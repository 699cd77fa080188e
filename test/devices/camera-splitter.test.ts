// The MJPEG splitter: real JPEGs (with FF 00 stuffing and markers inside) cut at every byte
// boundary, garbage between frames, truncated and oversized frames, and the copy discipline.
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { MjpegSplitter } from '../../src/main/devices/camera';
import { jpegSize } from '../../src/main/plexus/jpeg';

let jpegs: Buffer[] = [];

beforeAll(async () => {
  // Noisy pictures: plenty of FF bytes in the entropy-coded data (stuffed as FF 00).
  const noisy = (w: number, h: number, seed: number): Buffer => {
    const b = Buffer.alloc(w * h * 3);
    let x = seed;
    for (let i = 0; i < b.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      b[i] = x >>> 24;
    }
    return b;
  };
  jpegs = await Promise.all(
    [
      [16, 16],
      [40, 30],
      [33, 17],
    ].map(([w, h], i) =>
      sharp(noisy(w!, h!, i + 1), { raw: { width: w!, height: h!, channels: 3 } })
        .jpeg({ quality: 95 })
        .toBuffer(),
    ),
  );
  // The test is only meaningful if FF bytes occur inside the frames.
  for (const j of jpegs) expect(j.subarray(4, -2).filter((b) => b === 0xff).length).toBeGreaterThan(3);
});

function collect(max?: number): { frames: Buffer[]; s: MjpegSplitter } {
  const frames: Buffer[] = [];
  return { frames, s: new MjpegSplitter((f) => frames.push(Buffer.from(f)), max) };
}

describe('MjpegSplitter', () => {
  it('finds every frame wherever the stream is cut in two, garbage around and between frames', () => {
    const garbage = Buffer.from([0x00, 0xff, 0x12, 0xff, 0xff, 0xd9, 0x34, 0xff]); // stray FF, even an FF D9
    const stream = Buffer.concat([garbage, jpegs[0]!, garbage, jpegs[1]!, jpegs[2]!, garbage]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const { frames, s } = collect();
      s.push(stream.subarray(0, cut));
      s.push(stream.subarray(cut));
      expect(frames.length, `cut at ${cut}`).toBe(3);
      for (let i = 0; i < 3; i++) expect(frames[i]!.equals(jpegs[i]!), `frame ${i}, cut at ${cut}`).toBe(true);
      expect(s.stats).toEqual({ frames: 3, garbageBytes: 3 * garbage.length, truncated: 0, oversized: 0 });
    }
  });

  it('works fed one byte at a time and in random chunk sizes', () => {
    const stream = Buffer.concat([jpegs[2]!, Buffer.from('noise'), jpegs[0]!, jpegs[1]!]);
    const one = collect();
    for (let i = 0; i < stream.length; i++) one.s.push(stream.subarray(i, i + 1));
    expect(one.frames.map((f) => jpegSize(f))).toEqual([
      { width: 33, height: 17 },
      { width: 16, height: 16 },
      { width: 40, height: 30 },
    ]);
    let seed = 7;
    for (let round = 0; round < 50; round++) {
      const r = collect();
      let i = 0;
      while (i < stream.length) {
        seed = (seed * 48271) % 2147483647;
        const n = 1 + (seed % 700);
        r.s.push(stream.subarray(i, i + n));
        i += n;
      }
      expect(r.frames.length).toBe(3);
      expect(Buffer.concat(r.frames).equals(Buffer.concat([jpegs[2]!, jpegs[0]!, jpegs[1]!]))).toBe(true);
    }
  });

  it('hands out a frame inside one chunk without copying, and copies a spanning frame once', () => {
    const seen: Buffer[] = [];
    const s = new MjpegSplitter((f) => seen.push(f));
    // Unpooled copies, so buffer identity says where the bytes live.
    const own = (b: Buffer): Buffer => {
      const c = Buffer.alloc(b.length);
      b.copy(c);
      return c;
    };
    const chunk = own(Buffer.concat([Buffer.from([1, 2, 3]), jpegs[0]!, jpegs[1]!.subarray(0, 100)]));
    s.push(chunk);
    expect(seen.length).toBe(1);
    expect(seen[0]!.buffer).toBe(chunk.buffer); // a view of the chunk
    expect(seen[0]!.byteOffset).toBe(chunk.byteOffset + 3);
    const rest = own(jpegs[1]!.subarray(100));
    s.push(rest);
    expect(seen.length).toBe(2);
    expect(seen[1]!.buffer).not.toBe(chunk.buffer);
    expect(seen[1]!.buffer).not.toBe(rest.buffer);
    expect(seen[1]!.equals(jpegs[1]!)).toBe(true);
  });

  it('drops a frame cut short by a new SOI, also when the SOI is split across chunks', () => {
    const cutShort = jpegs[1]!.subarray(0, 200);
    const stream = Buffer.concat([cutShort, jpegs[0]!]);
    for (const cut of [100, cutShort.length, cutShort.length + 1]) {
      const { frames, s } = collect();
      s.push(stream.subarray(0, cut));
      s.push(stream.subarray(cut));
      expect(frames.length).toBe(1);
      expect(frames[0]!.equals(jpegs[0]!)).toBe(true);
      expect(s.stats.truncated).toBe(1);
    }
  });

  it('drops frames over maxFrameBytes and resyncs on the next SOI', () => {
    const max = jpegs[0]!.length + 10;
    const { frames, s } = collect(max);
    const big = jpegs[1]!; // larger than max
    expect(big.length).toBeGreaterThan(max);
    const stream = Buffer.concat([big, jpegs[0]!, big, jpegs[0]!]);
    for (let i = 0; i < stream.length; i += 50) s.push(stream.subarray(i, i + 50));
    expect(frames.length).toBe(2);
    expect(frames.every((f) => f.equals(jpegs[0]!))).toBe(true);
    expect(s.stats.oversized).toBe(2);
    // A big frame within one chunk is refused too.
    const one = collect(max);
    one.s.push(Buffer.concat([big, jpegs[0]!]));
    expect(one.frames.length).toBe(1);
    expect(one.s.stats.oversized).toBe(1);
  });

  it('reset() forgets a partial frame', () => {
    const { frames, s } = collect();
    s.push(jpegs[0]!.subarray(0, 50));
    s.reset();
    s.push(jpegs[0]!.subarray(50)); // the tail alone is garbage: no SOI
    s.push(jpegs[1]!);
    expect(frames.length).toBe(1);
    expect(frames[0]!.equals(jpegs[1]!)).toBe(true);
  });
});
