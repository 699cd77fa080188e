// The client's connection status words, once for both sides: the Plexus client decides the
// status, the host passes it on, and the window picks a tone, a label and an action for each. A
// word added here is a compile error wherever a side has no answer for it.

export const CONNECTION_STATUSES = [
  'local-only',
  'connecting',
  'connected',
  'http-fallback',
  'offline',
  'auth-failed',
  'name-conflict',
  'closed',
] as const;

export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** Which transport delivers right now, if any. */
export type ActiveTransport = 'ws' | 'http' | null;
