// flush(): callers waiting until the delivery cursor reaches a seq, or their timeout, whichever
// comes first.

export class FlushWaiters {
  private waiters: Array<{ seq: number; resolve: () => void }> = [];

  /** Resolves once cursorMoved() reported `seq` confirmed, or after `timeoutMs`. */
  async until(seq: number, timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.waiters.push({ seq, resolve })),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  /** Everything up to `confirmedSeq` is confirmed (or dropped, or quarantined). */
  cursorMoved(confirmedSeq: number): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.seq <= confirmedSeq);
    this.waiters = this.waiters.filter((w) => w.seq > confirmedSeq);
    for (const w of ready) w.resolve();
  }
}
