// Connection status, in the words a person reads on a status bar, each with what to do.

import type { ConnectionStatus } from '../../shared/status';

/** The status words are shared with the window, which has a tone, label and action for each. */
export type Status = ConnectionStatus;

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

// ── the snapshot and the status it means ─────────────────────────────────────────────────
//
// Delivery runs two transports side by side (the WebSocket reconnecting while HTTP carries the
// data, say), so its state is a few independent parts, each a plain union; which part decides
// what a person reads is the one rule below (statusOf), kept pure so it can be tested row by row
// without a socket.

/** The API key as delivery knows it. */
export type KeyState =
  | { key: 'none' }
  | { key: 'set' }
  /** The gateway refused it; neither transport sends until `retryAt` (0: being tried now). */
  | { key: 'refused'; reason: string; retryAt: number };

/** The WebSocket link. */
export type WsLink =
  /** Not dialled: HTTP is configured, or there is no key. */
  | { link: 'idle' }
  | { link: 'connecting' }
  /** Authenticated; `unansweredMs`: how long a ping is overdue past what this link takes (0: answering). */
  | { link: 'open'; unansweredMs: number }
  /** Lost or never made; the next dial is due at `retryAt` (a past time or 0: at once). */
  | { link: 'down'; retryAt: number };

/** The HTTP link (POST /ingest). */
export type HttpLink =
  | { link: 'untried' }
  | { link: 'ok' }
  /** The last request failed (network, 5xx); a small probe goes at `retryAt`. */
  | { link: 'failing'; retryAt: number };

/** Everything the status follows from: a plain value, taken at `now` (delivery.ts builds it). */
export interface DeliverySnapshot {
  now: number;
  /** close() ran: nothing is sent any more. */
  closed: boolean;
  /** The transport the options ask for; with 'ws', HTTP is the fallback. */
  transport: 'ws' | 'http';
  key: KeyState;
  ws: WsLink;
  http: HttpLink;
  /** A reported name conflict: what was seen (null: none). */
  conflict: string | null;
  /** The last transport error, until a link works again. */
  lastError: string | null;
  sourceId: string;
  /** Undelivered points. */
  buffered: number;
}

interface Classified {
  status: Status;
  transport: 'ws' | 'http' | null;
  retryAt: number;
}

/** Which status wins: closed, no key, a refused key and a name conflict outrank any link. */
function classify(d: DeliverySnapshot): Classified {
  if (d.closed) return { status: 'closed', transport: null, retryAt: 0 };
  if (d.key.key === 'none') return { status: 'local-only', transport: null, retryAt: 0 };
  if (d.key.key === 'refused') return { status: 'auth-failed', transport: null, retryAt: d.key.retryAt };
  const wsRetryAt = d.ws.link === 'down' ? d.ws.retryAt : 0;
  if (d.conflict) {
    const open = d.ws.link === 'open';
    return { status: 'name-conflict', transport: open ? 'ws' : null, retryAt: open ? 0 : wsRetryAt };
  }
  if (d.ws.link === 'open') return { status: 'connected', transport: 'ws', retryAt: 0 };
  if (d.http.link === 'ok')
    return { status: d.transport === 'http' ? 'connected' : 'http-fallback', transport: 'http', retryAt: 0 };
  // Nothing has failed yet: still on the way up.
  if (d.http.link === 'untried' && (d.ws.link === 'connecting' || d.ws.link === 'idle') && d.lastError === null)
    return { status: 'connecting', transport: null, retryAt: 0 };
  // Offline: the next attempt is whichever transport tries first.
  const httpRetryAt = d.http.link === 'failing' ? d.http.retryAt : 0;
  const due = [wsRetryAt, httpRetryAt].filter((t) => t > d.now);
  return { status: 'offline', transport: null, retryAt: due.length > 0 ? Math.min(...due) : 0 };
}

/** The status a person reads, from a snapshot alone (no clock, no sockets). */
export function statusOf(d: DeliverySnapshot): StatusInfo {
  const s = classify(d);
  const retryInMs = s.retryAt > d.now ? s.retryAt - d.now : null;
  const unansweredMs = s.status === 'connected' && d.ws.link === 'open' ? d.ws.unansweredMs : 0;
  let detail = s.status === 'connected' ? null : d.lastError;
  if (d.key.key === 'refused' && s.status === 'auth-failed') detail = d.key.reason;
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
