// One WebSocket session's life as the connection loop sees it: the dial (and where the session's
// own messages go), the timers that run while it is open, and why it ended, in words.

import { DEFAULT_LIVENESS } from './liveness';
import { WsSession, type CloseInfo } from './ws-session';
import type { Logger } from './config';

/** After a pong (or an HTTP answer), and after a frame, wait this long before the next telemetry message. */
export const MIN_GAP_MS = 1;
/** Idle keepalive ping: an idle dead link is found within this plus the liveness deadline. */
const KEEPALIVE_MS = 5000;

export interface DialOptions {
  url: string;
  auth: Record<string, unknown>;
  timeoutMs: number;
  logger: Logger;
  onCommand(msg: Record<string, unknown>): void;
  onClose(): void;
}

/** Open, authenticate, and resolve with the session once `authenticated` arrived. */
export function dial(o: DialOptions): Promise<WsSession> {
  return WsSession.connect(
    {
      url: o.url,
      auth: o.auth,
      timeoutMs: o.timeoutMs,
      liveness: DEFAULT_LIVENESS,
      minGapMs: MIN_GAP_MS,
      keepaliveMs: KEEPALIVE_MS,
    },
    {
      onMessage: (m) => {
        if (m.type === 'typed_command') o.onCommand(m);
        else o.logger.debug(`gateway message ignored: ${String(m.type)}`);
      },
      onStrayError: (m) => o.logger.warn(`gateway error frame: ${JSON.stringify(m)}`),
      onClose: () => o.onClose(),
    },
  );
}

export interface SessionTimerOptions {
  heartbeatIntervalMs: number;
  /** 0: never re-sync. */
  resyncIntervalMs: number;
  /** After this long, onStable() (a reported name conflict may be over). */
  stableMs: number;
  agentVersion: string;
  sourceId(): string;
  uptimeSeconds(): number;
  /** Time for a planned reconnect, which re-syncs the clock. */
  onResyncDue(): void;
  onStable(): void;
}

/** Heartbeats (the first at once), the clock re-sync and the stability check; clear them on close. */
export function startSessionTimers(session: WsSession, o: SessionTimerOptions): Array<ReturnType<typeof setTimeout>> {
  const heartbeat = (): void => {
    session.sendControl({
      type: 'heartbeat',
      source_id: o.sourceId(),
      agent_version: o.agentVersion,
      uptime_s: o.uptimeSeconds(),
    });
  };
  heartbeat();
  const timers = [setInterval(heartbeat, o.heartbeatIntervalMs)];
  if (o.resyncIntervalMs > 0) timers.push(setTimeout(o.onResyncDue, o.resyncIntervalMs));
  timers.push(setTimeout(o.onStable, o.stableMs));
  return timers;
}

/**
 * Why a session the gateway or the network ended (not a name conflict: the caller asks the
 * detector first). `report`: worth an error event; otherwise only the status's detail.
 */
export function lossOf(info: CloseInfo): { text: string; report: boolean } {
  if (info.endedBy === 'silence')
    return { text: 'the gateway stopped answering (no pong to our pings); reconnecting', report: true };
  if (info.code === 1013) return { text: 'gateway degraded (its queue is unavailable)', report: false };
  return { text: `connection lost (code ${info.code})`, report: false };
}
