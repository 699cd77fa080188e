// Splits FFmpeg's MJPEG output (JPEG after JPEG on a pipe, in chunks of any size) into frames.
//
// A frame runs from SOI (FF D8) to EOI (FF D9). Inside a JPEG, FF followed by anything but 00
// (stuffing) or a restart marker is a marker, so FF D9 cannot occur inside the entropy-coded data
// and the first EOI after an SOI ends the frame — true for FFmpeg's encoder, which writes no
// embedded thumbnails (an EXIF thumbnail would carry its own SOI/EOI).
//
// Copies: a frame that lies in one chunk is handed out as a subarray of it (no copy); a frame that
// spans chunks is concatenated once. Bytes between frames are skipped and counted; a new SOI
// before the EOI drops the unfinished frame (truncated output); a frame growing past
// `maxFrameBytes` is dropped and the splitter resyncs on the next SOI.

const SOI = Buffer.from([0xff, 0xd8]);
const FF = Buffer.from([0xff]);

export interface SplitterStats {
  frames: number;
  /** Bytes outside any frame. */
  garbageBytes: number;
  /** Frames cut short by a new SOI before their EOI. */
  truncated: number;
  /** Frames dropped for growing past maxFrameBytes. */
  oversized: number;
}

export class MjpegSplitter {
  readonly stats: SplitterStats = { frames: 0, garbageBytes: 0, truncated: 0, oversized: 0 };
  /** Bytes of the current frame from earlier chunks (empty when the frame began in this chunk). */
  private parts: Buffer[] = [];
  private partsLen = 0;
  private inFrame = false;
  /** The previous chunk ended with FF: a marker may be split across the boundary. */
  private tailFF = false;

  constructor(
    private readonly onFrame: (frame: Buffer) => void,
    private readonly maxFrameBytes = 8 * 1024 * 1024,
  ) {}

  /** Feed the next chunk. Frames completed by it are delivered synchronously, in order. */
  push(chunk: Buffer): void {
    const n = chunk.length;
    if (n === 0) return;
    let pos = 0;
    /** Where the current frame's bytes begin in this chunk. */
    let start = 0;
    if (this.tailFF) {
      this.tailFF = false;
      const b = chunk[0];
      if (this.inFrame && b === 0xd9) {
        this.emit(chunk, 0, 1);
        pos = 1;
      } else if (b === 0xd8) {
        if (this.inFrame) this.stats.truncated++;
        else this.stats.garbageBytes--; // the FF counted as garbage belongs to this SOI
        this.parts = [FF];
        this.partsLen = 1;
        this.inFrame = true;
        pos = 1;
      }
    }
    while (pos < n) {
      if (!this.inFrame) {
        const s = chunk.indexOf(SOI, pos);
        if (s < 0) {
          this.stats.garbageBytes += n - pos;
          this.tailFF = chunk[n - 1] === 0xff;
          return;
        }
        this.stats.garbageBytes += s - pos;
        this.inFrame = true;
        this.parts = [];
        this.partsLen = 0;
        start = s;
        pos = s + 2;
        continue;
      }
      const f = chunk.indexOf(0xff, pos);
      if (f < 0 || f === n - 1) {
        this.tailFF = f === n - 1;
        break;
      }
      const m = chunk[f + 1];
      if (m === 0xd9) {
        this.emit(chunk, start, f + 2);
        pos = f + 2;
      } else if (m === 0xd8) {
        this.stats.truncated++;
        this.parts = [];
        this.partsLen = 0;
        start = f;
        pos = f + 2;
      } else {
        pos = m === 0xff ? f + 1 : f + 2; // FF FF is fill before a marker
      }
    }
    if (this.inFrame) this.keep(start === 0 ? chunk : chunk.subarray(start));
  }

  /** Forget a partial frame (e.g. when the producer restarts). */
  reset(): void {
    this.parts = [];
    this.partsLen = 0;
    this.inFrame = false;
    this.tailFF = false;
  }

  private keep(part: Buffer): void {
    this.parts.push(part);
    this.partsLen += part.length;
    if (this.partsLen > this.maxFrameBytes) {
      this.stats.oversized++;
      this.reset();
    }
  }

  private emit(chunk: Buffer, start: number, end: number): void {
    let frame: Buffer;
    if (this.partsLen === 0) {
      frame = chunk.subarray(start, end);
    } else {
      const total = this.partsLen + end - start;
      this.parts.push(chunk.subarray(start, end));
      frame = Buffer.concat(this.parts, total);
    }
    this.parts = [];
    this.partsLen = 0;
    this.inFrame = false;
    if (frame.length > this.maxFrameBytes) {
      this.stats.oversized++;
      return;
    }
    this.stats.frames++;
    this.onFrame(frame);
  }
}
