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

export function describeStatus(
  status: Status,
  ctx: { sourceId: string; buffered: number; transport: 'ws' | 'http' | null; retryInMs: number | null },
): string {
  const kept = `${ctx.buffered.toLocaleString('en-US')} points kept`;
  const retry = ctx.retryInMs != null ? `, retrying in ${Math.max(1, Math.round(ctx.retryInMs / 1000))} s` : '';
  switch (status) {
    case 'local-only':
      return 'Local only — add an API key to ship data';
    case 'connecting':
      return 'Connecting to the gateway…';
    case 'connected':
      return ctx.transport === 'http' ? 'Connected · HTTP' : 'Connected · WS';
    case 'http-fallback':
      return 'HTTP fallback — WebSocket unavailable, sending over HTTP';
    case 'offline':
      return `Offline — ${kept}, will send when back${retry}`;
    case 'auth-failed':
      return `API key rejected — check it in Settings (${kept})`;
    case 'name-conflict':
      return `Name conflict — another device is connected as ${ctx.sourceId}; rename this device`;
    case 'closed':
      return 'Closed';
  }
}
