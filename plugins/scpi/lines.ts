// Bytes from the instrument, cut into answer lines. SCPI ends every answer with a newline; some
// instruments send "\r\n", so a trailing "\r" is dropped. A line can never grow without bound: an
// instrument sending endless bytes without a newline (wrong baud rate, binary block data) would
// otherwise fill the plugin's memory.

export const MAX_LINE_BYTES = 64 * 1024;

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowing = false;

  constructor(
    private readonly onLine: (line: string) => void,
    /** Told once per over-long line, which is then skipped up to its newline. */
    private readonly onOverflow: (bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      if (!this.overflowing) {
        if (this.size + piece.length > MAX_LINE_BYTES) {
          this.overflowing = true;
          this.onOverflow(this.size + piece.length);
          this.parts = [];
          this.size = 0;
        } else if (piece.length > 0) {
          this.parts.push(piece);
          this.size += piece.length;
        }
      }
      if (nl === -1) return;
      if (!this.overflowing) {
        const line = Buffer.concat(this.parts, this.size).toString('utf8');
        this.parts = [];
        this.size = 0;
        this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      }
      this.overflowing = false;
      start = nl + 1;
    }
  }

  /** Forget a partial line (a new connection starts clean). */
  reset(): void {
    this.parts = [];
    this.size = 0;
    this.overflowing = false;
  }
}
