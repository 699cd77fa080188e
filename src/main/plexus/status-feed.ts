// The 'status' events: a change of state goes out at once; a message that only changed its
// numbers (points kept, seconds without an answer, seconds to the next retry) goes out at most
// every THROTTLE_MS, so a status line fed by events follows the buffer without an event per
// point. A slow tick catches what changes with time alone.

import type { StatusInfo } from './status';

const THROTTLE_MS = 250;
/** The hot path looks at most this often (a look is cheap, but there is a commit every few ms). */
const LOOK_MS = 50;
const TICK_MS = 1000;

export class StatusFeed {
  private lastKey = '';
  private lastMessage = '';
  private lastCheck = 0;
  private lastEmit = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(
    private readonly compute: () => StatusInfo,
    private readonly emit: (info: StatusInfo) => void,
  ) {}

  start(): void {
    if (this.ticker || this.stopped) return;
    this.ticker = setInterval(() => this.update(), TICK_MS);
    this.ticker.unref?.();
    this.update();
  }

  /** Look now: a new state is emitted at once, a new message within THROTTLE_MS. */
  update(): void {
    const info = this.compute();
    this.lastCheck = performance.now();
    const key = `${info.status}|${info.transport}|${info.detail}|${info.sourceId}`;
    if (key !== this.lastKey) {
      this.send(info, key);
      return;
    }
    if (info.message !== this.lastMessage) this.soon();
  }

  /** Something behind the numbers changed (hot path: points stored or confirmed): look soon. */
  soon(): void {
    if (this.timer || this.stopped) return;
    const now = performance.now();
    const wait = Math.max(0, this.lastEmit + THROTTLE_MS - now, this.lastCheck + LOOK_MS - now);
    this.timer = setTimeout(() => {
      this.timer = null;
      const info = this.compute();
      this.lastCheck = performance.now();
      const key = `${info.status}|${info.transport}|${info.detail}|${info.sourceId}`;
      if (key !== this.lastKey || info.message !== this.lastMessage) this.send(info, key);
    }, wait);
    this.timer.unref?.();
  }

  /** No more timers; update() still emits (the final 'closed'). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ticker) clearInterval(this.ticker);
    this.timer = null;
    this.ticker = null;
  }

  private send(info: StatusInfo, key: string): void {
    this.lastKey = key;
    this.lastMessage = info.message;
    this.lastEmit = performance.now();
    this.emit(info);
  }
}
