// A minimal BMP reader (uncompressed 24- and 32-bit, the formats cameras and screen grabbers
// write), because sharp/libvips in its prebuilt form does not read BMP.

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

export const isBmp = (b: Uint8Array): boolean => b.length > 54 && b[0] === 0x42 && b[1] === 0x4d;

/** Decode a BMP to top-down RGB(A) pixels; throws a message naming what is unsupported. */
export function decodeBmp(input: Uint8Array): RawImage {
  const b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const offset = b.readUInt32LE(10);
  const headerSize = b.readUInt32LE(14);
  if (headerSize < 40) throw new Error('BMP: only BITMAPINFOHEADER (or newer) files are supported');
  const width = b.readInt32LE(18);
  const rawHeight = b.readInt32LE(22);
  const bpp = b.readUInt16LE(28);
  const compression = b.readUInt32LE(30);
  // 0 = BI_RGB; 3 = BI_BITFIELDS, which for 32 bpp is the usual BGRA layout.
  if (compression !== 0 && !(compression === 3 && bpp === 32))
    throw new Error(`BMP: compression ${compression} is not supported`);
  if (bpp !== 24 && bpp !== 32) throw new Error(`BMP: ${bpp}-bit images are not supported (24 or 32 bit only)`);
  if (width <= 0 || rawHeight === 0) throw new Error('BMP: invalid dimensions');
  const height = Math.abs(rawHeight);
  const bottomUp = rawHeight > 0;
  const inBytes = bpp / 8;
  const stride = Math.ceil((width * inBytes) / 4) * 4;
  if (offset + stride * height > b.length) throw new Error('BMP: file is truncated');
  const channels = bpp === 32 ? 4 : 3;
  const out = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    const src = offset + (bottomUp ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const s = src + x * inBytes;
      const d = (y * width + x) * channels;
      out[d] = b[s + 2]!;
      out[d + 1] = b[s + 1]!;
      out[d + 2] = b[s]!;
      if (channels === 4) out[d + 3] = b[s + 3]!;
    }
  }
  return { data: out, width, height, channels };
}
