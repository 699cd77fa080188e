// Reading a JPEG's size from its header, without decoding: walk the marker segments up to the
// first start-of-frame (SOFn) and read its height and width.

export interface ImageSize {
  width: number;
  height: number;
}

export const isJpeg = (b: Uint8Array): boolean => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

const isSof = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Width and height from a JPEG's SOF segment, or null when the header is not a readable JPEG. */
export function jpegSize(b: Uint8Array): ImageSize | null {
  if (!isJpeg(b)) return null;
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    // Standalone markers carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image / start of scan before any SOF
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    if (len < 2) return null;
    if (isSof(marker)) {
      if (i + 8 >= b.length) return null;
      const height = (b[i + 5]! << 8) | b[i + 6]!;
      const width = (b[i + 7]! << 8) | b[i + 8]!;
      return width > 0 && height > 0 ? { width, height } : null;
    }
    i += 2 + len;
  }
  return null;
}
