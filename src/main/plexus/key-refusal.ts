// A refused API key, and when to try it again.
//
// The gateway caches a refusal for 10 s and checks at most 30 keys a minute per IP. A key fixed
// on the platform should work again within a minute, so: try again after 15 s, then 30 s, 60 s…
// up to `maxMs` (±10 %; the first try is never inside the 10 s cache, where it could only be
// refused again). A new key is tried at once (clear()).

import { Backoff } from '../../shared/util';

const FIRST_RETRY_MS = 15_000;

export class KeyRefusal {
  /** Why the gateway refused the key; null while it is not refused. */
  reason: string | null = null;
  /** When both transports may try the key again (Date.now() ms). */
  retryAt = 0;
  private readonly backoff: Backoff;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    maxMs: number,
    /** The wait is over: wake whatever sends. */
    private readonly onRetryDue: () => void,
  ) {
    const cap = Math.max(1, maxMs);
    this.backoff = new Backoff({ baseMs: Math.min(FIRST_RETRY_MS, cap), capMs: cap, jitter: 0.1 });
  }

  /** Refused, and not yet time to try again: nothing is sent. */
  get waiting(): boolean {
    return this.reason !== null && Date.now() < this.retryAt;
  }

  /**
   * The gateway refused the key. Both transports may be refused in the same round (they try
   * together): the second refusal does not stretch the wait again.
   */
  refused(reason: string): void {
    this.reason = reason;
    if (Date.now() < this.retryAt) return;
    this.retryAt = Date.now() + this.backoff.next();
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onRetryDue();
    }, this.retryAt - Date.now());
    this.timer.unref?.();
  }

  /** Try at once (a new gateway or name), keeping the refusal on show until an answer comes. */
  tryNow(): void {
    this.retryAt = 0;
  }

  /** The key works, or a new one came: no refusal, and the next one starts at the first wait again. */
  clear(): void {
    this.reason = null;
    this.retryAt = 0;
    this.backoff.reset();
    this.stop();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
