// Delivery: two loops side by side — the connection (connection.ts: WebSocket dial, auth and
// reconnect, HTTP fallback) and the pump (pump.ts: outbox → transport, outcomes settled in
// order; one HTTP request at a time, a few large WebSocket frames in flight). They meet in one
// place: the pump asks the connection which transport to use and reports HTTP answers back. The
// status a person reads is a pure function of a snapshot of both (status.ts), so each situation
// can be tested without a socket.

import { TransportError } from './errors';
import { Connection, type ConnectionHooks, type ConnectionOptions } from './connection';
import type { HttpSender } from './http-sender';
import type { Outbox } from './outbox';
import { Pump, type PumpHooks } from './pump';
import { statusOf, type StatusInfo } from './status';
import { StatusFeed } from './status-feed';
import { sleep } from '../../shared/util';

export type DeliveryOptions = ConnectionOptions;

export interface DeliveryHooks extends Omit<ConnectionHooks, 'wakePump' | 'changed'>, Omit<PumpHooks, 'changed'> {
  onStatus(info: StatusInfo): void;
}

export class Delivery {
  private readonly link: Connection;
  private readonly pump: Pump;
  private readonly feed: StatusFeed;
  private stopped = false;
  private started = false;
  private loops: Promise<void>[] = [];

  constructor(
    opts: DeliveryOptions,
    private readonly outbox: Outbox,
    hooks: DeliveryHooks,
  ) {
    const changed = (): void => this.feed.update();
    this.link = new Connection(opts, { ...hooks, wakePump: () => this.pump.wake(), changed });
    this.pump = new Pump(outbox, this.link, opts.logger, { ...hooks, changed });
    this.feed = new StatusFeed(
      () => this.status(),
      (info) => hooks.onStatus(info),
    );
  }

  get sourceId(): string {
    return this.link.sourceId;
  }

  get connected(): boolean {
    return this.link.connected;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const report = (e: unknown): void =>
      this.link.fail(new TransportError(`delivery stopped: ${(e as Error).message}`));
    this.loops.push(this.pump.run().catch(report), this.link.run().catch(report));
    this.feed.start();
  }

  /** New data was committed, or something else the loops should look at. */
  notify(): void {
    this.pump.wake();
    this.feed.soon(); // the count in the status line
  }

  setApiKey(key: string | null): void {
    this.link.setApiKey(key);
  }

  /** Point at another gateway (a new connection follows at once). */
  setGateway(wsUrl: string, http: HttpSender): void {
    this.link.setGateway(wsUrl, http);
  }

  setSourceId(id: string): void {
    this.link.setSourceId(id);
  }

  /** Drop the current connection (if any) and connect again now. */
  restartConnection(): void {
    this.link.restart();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.feed.stop();
    this.link.stop();
    this.pump.stop();
    await Promise.race([Promise.all(this.loops), sleep(3000)]);
    this.updateStatus();
  }

  /** Queue a control-tier message (command results); sent when connected, in order. */
  sendControl(msg: Record<string, unknown>, ttlMs = 300_000): void {
    this.link.sendControl(msg, ttlMs);
  }

  sendVideo(data: Buffer): 'sent' | 'backpressure' | 'rate' | 'closed' {
    return this.link.sendVideo(data);
  }

  /** Emit a status event if the state changed (at once) or its message did (throttled). */
  updateStatus(): void {
    this.feed.update();
  }

  /** Status with a fresh message (buffer counts change without a status change). */
  status(): StatusInfo {
    return statusOf({ ...this.link.snapshot(Date.now()), closed: this.stopped, buffered: this.outbox.size });
  }
}
