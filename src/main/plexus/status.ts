// Connection status, in the words a person reads on a status bar, each with what to do.

export type Status =
  'local-only' | 'connecting' | 'connected' | 'http-fallback' | 'offline' | 'auth-failed' | 'name-conflict' | 'closed';

export interface StatusInfo {
  status: Status;
  /** Which transport delivers right now, if any. */
  transport: 'ws' | 'http' | null;
  /** One line for a person: what is happening and what helps. */
  message: string;
  /** The last error behind an offline/auth-failed/name-conflict status. */
  detail: string | null;
  /** When the next attempt is due (ms from now), if one is scheduled. */
  retryInMs: number | null;
  sourceId: string;
}

/** "1 point", "1,234 points". */
export function points(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'point' : 'points'}`;
}

export interface StatusContext {
  sourceId: string;
  buffered: number;
  transport: 'ws' | 'http' | null;
  retryInMs: number | null;
  /** Connected, but the gateway has not confirmed anything for this long (ms); 0 when it does. */
  unansweredMs?: number;
}

export function describeStatus(status: Status, ctx: StatusContext): string {
  const kept = `${points(ctx.buffered)} kept`;
  const inSecs = ctx.retryInMs != null ? `${Math.max(1, Math.round(ctx.retryInMs / 1000))} s` : null;
  const retry = inSecs ? `, retrying in ${inSecs}` : '';
  switch (status) {
    case 'local-only':
      return 'Local only — add an API key to ship data';
    case 'connecting':
      return 'Connecting to the gateway…';
    case 'connected': {
      const line = ctx.transport === 'http' ? 'Connected · HTTP' : 'Connected · WS';
      if (!ctx.unansweredMs) return line;
      // Connected on paper, but nothing is being confirmed: say so before the link is given up.
      const secs = Math.max(1, Math.floor(ctx.unansweredMs / 1000));
      return `${line} — gateway not answering for ${secs} s, ${points(ctx.buffered)} waiting`;
    }
    case 'http-fallback':
      return 'HTTP fallback — WebSocket unavailable, sending over HTTP';
    case 'offline':
      return `Offline — ${kept}, will send when back${retry}`;
    case 'auth-failed':
      return `API key rejected — check it in Settings (${kept}${inSecs ? `, trying again in ${inSecs}` : ''})`;
    case 'name-conflict':
      return `Name conflict — another device is connected as ${ctx.sourceId}; rename this device`;
    case 'closed':
      return 'Closed';
  }
}

/** What delivery knows, from which the status follows (delivery.ts fills it in). */
export interface DeliveryState {
  stopped: boolean;
  hasKey: boolean;
  /** Why the key was refused (null: not refused) and when it is tried again. */
  keyRefused: string | null;
  keyRetryAt: number;
  /** Configured transport. */
  transport: 'ws' | 'http';
  wsState: 'idle' | 'connecting' | 'open' | 'down';
  /** A session is open (authenticated and not closed). */
  wsOpen: boolean;
  wsRetryAt: number;
  httpState: 'unknown' | 'ok' | 'failing';
  httpRetryAt: number;
  /** A name conflict is reported: what was seen (null: none). */
  conflict: string | null;
  lastError: string | null;
  /** ms the gateway has left a ping unanswered past what this link takes (0: answering). */
  unansweredMs: number;
  sourceId: string;
  buffered: number;
}

function classify(d: DeliveryState, now: number): { status: Status; transport: 'ws' | 'http' | null; retryAt: number } {
  if (d.stopped) return { status: 'closed', transport: null, retryAt: 0 };
  if (!d.hasKey) return { status: 'local-only', transport: null, retryAt: 0 };
  if (d.keyRefused) return { status: 'auth-failed', transport: null, retryAt: d.keyRetryAt };
  const wsOpen = d.wsState === 'open' && d.wsOpen;
  if (d.conflict)
    return { status: 'name-conflict', transport: wsOpen ? 'ws' : null, retryAt: wsOpen ? 0 : d.wsRetryAt };
  if (wsOpen) return { status: 'connected', transport: 'ws', retryAt: 0 };
  if (d.httpState === 'ok')
    return { status: d.transport === 'http' ? 'connected' : 'http-fallback', transport: 'http', retryAt: 0 };
  if (d.httpState === 'unknown' && (d.wsState === 'connecting' || d.wsState === 'idle') && d.lastError === null)
    return { status: 'connecting', transport: null, retryAt: 0 };
  const retryAt = Math.min(d.wsRetryAt > now ? d.wsRetryAt : Infinity, d.httpRetryAt > now ? d.httpRetryAt : Infinity);
  return { status: 'offline', transport: null, retryAt: Number.isFinite(retryAt) ? retryAt : 0 };
}

export function statusOf(d: DeliveryState, now = Date.now()): StatusInfo {
  const s = classify(d, now);
  const retryInMs = s.retryAt > now ? s.retryAt - now : null;
  const unansweredMs = s.status === 'connected' && s.transport === 'ws' ? d.unansweredMs : 0;
  let detail = s.status === 'connected' ? null : d.lastError;
  if (s.status === 'auth-failed') detail = d.keyRefused;
  if (s.status === 'name-conflict') detail = d.conflict;
  if (unansweredMs > 0) detail = 'the gateway is not answering pings';
  const ctx = { sourceId: d.sourceId, buffered: d.buffered, transport: s.transport, retryInMs, unansweredMs };
  return {
    status: s.status,
    transport: s.transport,
    detail,
    retryInMs,
    sourceId: d.sourceId,
    message: describeStatus(s.status, ctx),
  };
}
