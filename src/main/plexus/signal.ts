// A wake-up signal for the client's loops: wait until notified, or until a timeout.

export class Signal {
  private waiters: Array<() => void> = [];

  /** Resolve on the next notify(), or after `ms` if given. */
  wait(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
      if (ms !== undefined && Number.isFinite(ms)) {
        timer = setTimeout(
          () => {
            const i = this.waiters.indexOf(done);
            if (i >= 0) this.waiters.splice(i, 1);
            resolve();
          },
          Math.max(0, ms),
        );
      }
    });
  }

  notify(): void {
    const w = this.waiters;
    if (w.length === 0) return;
    this.waiters = [];
    for (const f of w) f();
  }
}
