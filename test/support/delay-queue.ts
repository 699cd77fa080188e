// FIFO of actions, each run no earlier than (time it was pushed + the delay in force then).
//
// Used for injected network latency: one queue for what a connection receives, one for what it
// sends. Order is never changed, even when the delay shrinks while items are waiting (an item is
// never due before the one ahead of it), which is what a TCP stream guarantees. With no delay and
// nothing waiting, the action runs synchronously: the zero-latency path costs nothing extra.

export class DelayQueue {
  private items: Array<{ due: number; run: () => void }> = [];
  private head = 0;
  private lastDue = 0;
  private timer: NodeJS.Timeout | null = null;
  private draining = false;

  constructor(
    private readonly delayMs: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get pending(): number {
    return this.items.length - this.head;
  }

  push(run: () => void): void {
    const now = performance.now();
    const due = Math.max(this.lastDue, now + this.delayMs());
    this.lastDue = due;
    if (this.pending === 0 && !this.draining && due <= now) {
      this.runSafely(run);
      return;
    }
    this.items.push({ due, run });
    if (!this.draining) this.schedule();
  }

  /** Drops everything still waiting (the connection is gone, or the process "died"). */
  clear(): void {
    this.items = [];
    this.head = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  // A bug in the fake must not kill the test process from a timer: report it and go on.
  private runSafely(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.onError(err);
    }
  }

  private schedule(): void {
    if (this.timer || this.pending === 0) return;
    const first = this.items[this.head];
    if (!first) return;
    const wait = Math.max(0, first.due - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.drain();
    }, Math.ceil(wait));
  }

  private drain(): void {
    this.draining = true;
    try {
      for (;;) {
        const item = this.items[this.head];
        if (!item || item.due > performance.now()) break;
        this.items[this.head] = undefined as never; // let the closure be collected
        this.head++;
        this.runSafely(item.run);
      }
    } finally {
      this.draining = false;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (this.pending === 0) {
        this.items = [];
        this.head = 0;
      }
      this.schedule();
    }
  }
}
