// Control-tier messages (command results) waiting for a session: sent in order once one is open,
// paced by the session's control bucket (the gateway allows 60, refilled 20/s: protocol §2), and
// given up when too old to matter (commands are not queued for offline devices either: §5).

import type { WsSession } from './ws-session';

interface Queued {
  msg: Record<string, unknown>;
  expiresAt: number;
}

export class ControlQueue {
  private queue: Queued[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `session()` is the open session to send on, if any; asked again on every flush. */
  constructor(private readonly session: () => WsSession | null) {}

  push(msg: Record<string, unknown>, ttlMs: number): void {
    this.queue.push({ msg, expiresAt: Date.now() + ttlMs });
    this.flush();
  }

  /** Send what the bucket allows now; the rest when it has refilled. */
  flush(): void {
    if (this.timer) return;
    const s = this.session();
    while (this.queue.length > 0 && s?.open) {
      const head = this.queue[0]!;
      if (head.expiresAt < Date.now()) {
        this.queue.shift();
        continue;
      }
      if (!s.sendControl(head.msg)) {
        this.timer = setTimeout(
          () => {
            this.timer = null;
            this.flush();
          },
          Math.max(5, s.controlBucket.waitMs()),
        );
        return;
      }
      this.queue.shift();
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
