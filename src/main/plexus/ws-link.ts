// The WebSocket link: dial, authenticate, keep the session, and dial again when it is lost —
// after a backoff capped at a few seconds (±25 %: one bench is one client, and data must flow
// again within seconds of the gateway coming back, however long it was gone), at once after a
// planned close (a new setting, a clock re-sync). Every lost session is shown to the name
// conflict detector. What to dial with, and what a refused key or an error means for the rest,
// is the connection's (connection.ts), reached through WsLinkHost.

import { Backoff, type BackoffOptions } from '../../shared/util';
import { ConflictDetector, STABLE_MS } from './conflict-detector';
import { ControlQueue } from './control-queue';
import { AuthError, ConfigError, TransportError, type PlexusError } from './errors';
import { dial, lossOf, startSessionTimers } from './session-life';
import { Signal } from './signal';
import type { WsLink as WsLinkValue } from './status';
import type { CloseInfo, WsSession } from './ws-session';
import type { Logger, ResolvedOptions } from './config';

/** What was dialled with, to tell whether an answer is about the settings in use. */
export interface Credentials {
  key: string;
  sourceId: string;
}

export type WsLinkOptions = Pick<
  ResolvedOptions,
  'connectTimeoutMs' | 'resyncIntervalMs' | 'heartbeatIntervalMs' | 'conflictEvictions'
> & { reconnect: BackoffOptions; logger: Logger; agentVersion: string };

export interface WsLinkHost {
  /** What to dial now; null while the WebSocket is not in use (no key, HTTP configured). */
  target(): (Credentials & { url: string }) | null;
  /** A refused key: no dial before this time (0: no wait). */
  keyWaitUntil(): number;
  isCurrent(sent: Credentials): boolean;
  authMessage(sourceId: string, apiKey: string): Record<string, unknown>;
  /** Authenticated: the key works, past trouble is over, the gateway may have renamed us. */
  opened(session: WsSession): void;
  refused(err: AuthError): void;
  fail(err: PlexusError): void;
  /** The status's detail, without an error event (null: nothing to say any more). */
  setDetail(text: string | null): void;
  currentSourceId(): string;
  onCommand(msg: Record<string, unknown>): void;
  uptimeSeconds(): number;
  /** Which transport the pump may use may have changed: let it look. */
  wakePump(): void;
  /** The link changed in a way a person sees. */
  changed(): void;
}

type WsState =
  { link: 'idle' } | { link: 'connecting' } | { link: 'open'; session: WsSession } | { link: 'down'; retryAt: number };

export class WsLink {
  private ws: WsState = { link: 'idle' };
  /** A dial failed since the last good session: the socket is unavailable, HTTP may take over. */
  private failedDial = false;
  /** Closed on purpose (a new setting, a clock re-sync): dial again at once, not as after a loss. */
  private plannedClose = false;
  private resyncDue = false;
  private stopped = false;
  private readonly wake = new Signal();
  private readonly backoff: Backoff;
  private readonly conflict: ConflictDetector;
  private readonly control = new ControlQueue(() => this.session);
  private timers: Array<ReturnType<typeof setTimeout>> = [];

  constructor(
    private readonly opts: WsLinkOptions,
    private readonly host: WsLinkHost,
  ) {
    this.backoff = new Backoff(opts.reconnect);
    this.conflict = new ConflictDetector(opts.conflictEvictions);
  }

  /** The authenticated session, if there is one (its socket may have just closed). */
  get session(): WsSession | null {
    return this.ws.link === 'open' ? this.ws.session : null;
  }

  get connected(): boolean {
    return this.session?.open ?? false;
  }

  get dialFailed(): boolean {
    return this.failedDial;
  }

  /** As the status snapshot shows it. */
  get value(): WsLinkValue {
    const ws = this.ws;
    if (ws.link !== 'open') return ws;
    // A closed session the loop has not caught up with yet is down, with no wait.
    return ws.session.open ? { link: 'open', unansweredMs: ws.session.overdueMs() } : { link: 'down', retryAt: 0 };
  }

  /** A reported name conflict, for a person (null: none). */
  conflictText(sourceId: string): string | null {
    return this.conflict.explanation(sourceId);
  }

  /** A clock re-sync waits for the frames in flight to be answered: send no more meanwhile. */
  get resyncWanted(): boolean {
    return this.resyncDue;
  }

  /** A clock re-sync is due: close the session now (asked between batches, so none is cut short). */
  resyncNow(): boolean {
    const session = this.session;
    if (!this.resyncDue || !session) return false;
    this.resyncDue = false;
    this.plannedClose = true;
    session.close(true);
    return true;
  }

  /** New settings: what was seen (backoff, conflict, failed dials) may say nothing about them. */
  forget(what: { backoff?: boolean; conflict?: boolean; failedDial?: boolean }): void {
    if (what.backoff) this.backoff.reset();
    if (what.conflict) this.conflict.reset();
    if (what.failedDial) this.failedDial = false;
  }

  /** Drop the current session (if any) and dial again now. */
  restart(): void {
    if (this.ws.link === 'down') this.ws = { link: 'down', retryAt: 0 };
    const session = this.session;
    if (session) {
      this.plannedClose = true;
      session.close(true);
    }
    this.wake.notify();
  }

  /** Look again (a refused key may be tried now). */
  poke(): void {
    this.wake.notify();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.control.stop();
    this.session?.close(true);
    this.wake.notify();
  }

  sendControl(msg: Record<string, unknown>, ttlMs: number): void {
    this.control.push(msg, ttlMs);
  }

  sendVideo(data: Buffer): 'sent' | 'backpressure' | 'rate' | 'closed' {
    const session = this.session;
    if (!session?.open) return 'closed';
    return session.sendVideo(data);
  }

  async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.step();
      } catch (e) {
        // Never let one failure end the loop.
        const session = this.session;
        if (session?.open) session.close(false);
        this.ws = { link: 'down', retryAt: 0 };
        this.host.fail(new TransportError(`connection error: ${(e as Error).message}`));
        await this.wake.wait(1000);
      }
    }
    this.ws = { link: 'idle' };
  }

  /** One turn: wait, dial, or run a session until it ends. */
  private async step(): Promise<void> {
    const target = this.host.target();
    if (!target) {
      this.ws = { link: 'idle' };
      await this.wake.wait();
      return;
    }
    const keyWait = this.host.keyWaitUntil();
    if (keyWait > 0) {
      await this.wake.wait(keyWait - Date.now());
      return;
    }
    if (this.ws.link === 'down' && this.ws.retryAt > Date.now()) {
      await this.wake.wait(this.ws.retryAt - Date.now());
      return;
    }
    this.ws = { link: 'connecting' };
    this.host.changed();
    const sent = { key: target.key, sourceId: target.sourceId };
    let session: WsSession;
    try {
      session = await dial({
        url: target.url,
        auth: this.host.authMessage(sent.sourceId, sent.key),
        timeoutMs: this.opts.connectTimeoutMs,
        logger: this.opts.logger,
        onCommand: (m) => this.host.onCommand(m),
        onClose: () => {
          this.wake.notify();
          this.host.wakePump();
        },
      });
    } catch (e) {
      if (this.stopped || !this.host.isCurrent(sent)) return; // about settings no longer in use
      this.dialFailedWith(e);
      return;
    }
    if (this.stopped || !this.host.isCurrent(sent)) {
      session.close(true);
      return;
    }
    await this.runSession(session);
  }

  private dialFailedWith(e: unknown): void {
    this.ws = { link: 'down', retryAt: 0 };
    this.failedDial = true;
    this.conflict.connectFailed();
    if (e instanceof AuthError) {
      this.host.refused(e);
    } else {
      this.host.fail(e instanceof ConfigError || e instanceof TransportError ? e : new TransportError(String(e)));
      this.ws = { link: 'down', retryAt: Date.now() + this.backoff.next() };
    }
    this.host.wakePump(); // the pump may fall back to HTTP now
    this.host.changed();
  }

  private async runSession(session: WsSession): Promise<void> {
    this.ws = { link: 'open', session };
    this.failedDial = false;
    this.plannedClose = false;
    this.resyncDue = false;
    this.host.opened(session);
    // In a name conflict the backoff keeps growing: flapping slower leaves the other device be.
    if (!this.conflict.active) this.backoff.reset();
    const timers = startSessionTimers(session, {
      heartbeatIntervalMs: this.opts.heartbeatIntervalMs,
      resyncIntervalMs: this.opts.resyncIntervalMs,
      stableMs: STABLE_MS,
      agentVersion: this.opts.agentVersion,
      sourceId: () => this.host.currentSourceId(),
      uptimeSeconds: () => this.host.uptimeSeconds(),
      onResyncDue: () => {
        this.resyncDue = true; // resyncNow() closes the session between batches
        this.host.wakePump();
      },
      onStable: () => {
        if (!this.conflict.stable()) return;
        this.host.setDetail(null);
        this.backoff.reset();
        this.host.changed();
      },
    });
    this.timers.push(...timers);
    this.control.flush();
    this.host.wakePump();
    this.host.changed();

    const info = await session.closed;
    for (const t of timers) clearTimeout(t);
    this.timers = this.timers.filter((t) => !timers.includes(t));
    this.ws = { link: 'down', retryAt: 0 };
    this.host.wakePump();
    if (this.stopped) return;
    if (this.plannedClose) {
      this.plannedClose = false;
      this.host.changed();
      return; // dial again at once
    }
    this.sessionLost(info);
    this.ws = { link: 'down', retryAt: Date.now() + this.backoff.next() };
    this.host.changed();
  }

  private sessionLost(info: CloseInfo): void {
    if (this.conflict.sessionEnded(info)) {
      const sourceId = this.host.currentSourceId();
      this.host.fail(new TransportError(this.conflict.explanation(sourceId) ?? 'name conflict'));
      return;
    }
    if (this.conflict.active) return; // keep the conflict's explanation
    const loss = lossOf(info);
    if (loss.report) this.host.fail(new TransportError(loss.text));
    else this.host.setDetail(loss.text);
  }
}
