// The status line, from a snapshot alone: one row per situation a technician can be in, with the
// exact words the host passes on and the window shows. No sockets, no clock: statusOf is pure.
import { describe, expect, it } from 'vitest';
import { statusOf, type DeliverySnapshot, type StatusInfo } from '../../src/main/plexus/status';
import { CONNECTION_STATUSES } from '../../src/shared/status';

const NOW = 1_700_000_000_000;
const REFUSED = 'gateway refused the API key (HTTP 401: invalid API key)';
const CONFLICT =
  'another device seems to be connected as rig-01: the gateway cut this connection right after it connected, 3 times in a row';

/** A client with a key, dialling the WebSocket for the first time, nothing kept. */
const base: DeliverySnapshot = {
  now: NOW,
  closed: false,
  transport: 'ws',
  key: { key: 'set' },
  ws: { link: 'connecting' },
  http: { link: 'untried' },
  conflict: null,
  lastError: null,
  sourceId: 'rig-01',
  buffered: 0,
};

interface Row {
  situation: string;
  snapshot: Partial<DeliverySnapshot>;
  expected: Omit<StatusInfo, 'sourceId'>;
}

type Expected = Pick<StatusInfo, 'status' | 'message'> & Partial<Omit<StatusInfo, 'sourceId'>>;

/** A row; what it expects has no transport, no detail and no retry time unless it says so. */
function row(situation: string, snapshot: Partial<DeliverySnapshot>, expected: Expected): Row {
  return { situation, snapshot, expected: { transport: null, detail: null, retryInMs: null, ...expected } };
}

const LOCAL_ONLY: Expected = { status: 'local-only', message: 'Local only — add an API key to ship data' };
const CONNECTING: Expected = { status: 'connecting', message: 'Connecting to the gateway…' };
const CONNECTED_WS: Expected = { status: 'connected', transport: 'ws', message: 'Connected · WS' };
const FALLBACK: Expected = {
  status: 'http-fallback',
  transport: 'http',
  message: 'HTTP fallback — WebSocket unavailable, sending over HTTP',
};
const CONFLICT_MESSAGE = 'Name conflict — another device is connected as rig-01; rename this device';

const rows: Row[] = [
  row('closed', { closed: true, ws: { link: 'idle' }, buffered: 12 }, { status: 'closed', message: 'Closed' }),
  row(
    'closed, even with the key refused',
    { closed: true, key: { key: 'refused', reason: REFUSED, retryAt: NOW + 5000 } },
    { status: 'closed', message: 'Closed' },
  ),
  row('local only (no API key)', { key: { key: 'none' }, ws: { link: 'idle' } }, LOCAL_ONLY),
  row(
    'local only with the disk full (points held in memory)',
    { key: { key: 'none' }, ws: { link: 'idle' }, buffered: 150_000 },
    LOCAL_ONLY,
  ),
  row('connecting (first WebSocket dial)', {}, CONNECTING),
  row('connecting over HTTP only (nothing sent yet)', { transport: 'http', ws: { link: 'idle' } }, CONNECTING),
  row('open WebSocket', { ws: { link: 'open', unansweredMs: 0 } }, CONNECTED_WS),
  row(
    'open WebSocket with a backlog being sent',
    { ws: { link: 'open', unansweredMs: 0 }, buffered: 50_000, lastError: 'connection lost (code 1006)' },
    CONNECTED_WS,
  ),
  row(
    'gateway not answering pings (WebSocket open on paper)',
    { ws: { link: 'open', unansweredMs: 4_200 }, buffered: 1_234 },
    {
      ...CONNECTED_WS,
      message: 'Connected · WS — gateway not answering for 4 s, 1,234 points waiting',
      detail: 'the gateway is not answering pings',
    },
  ),
  row(
    'gateway not answering for under a second, one point waiting',
    { ws: { link: 'open', unansweredMs: 300 }, buffered: 1 },
    {
      ...CONNECTED_WS,
      message: 'Connected · WS — gateway not answering for 1 s, 1 point waiting',
      detail: 'the gateway is not answering pings',
    },
  ),
  row(
    'open over HTTP (HTTP configured)',
    { transport: 'http', ws: { link: 'idle' }, http: { link: 'ok' } },
    { status: 'connected', transport: 'http', message: 'Connected · HTTP' },
  ),
  row(
    'HTTP fallback (the WebSocket dial failed)',
    { ws: { link: 'down', retryAt: NOW + 2_000 }, http: { link: 'ok' }, lastError: 'WebSocket upgrade refused (503)' },
    { ...FALLBACK, detail: 'WebSocket upgrade refused (503)' },
  ),
  row(
    'HTTP fallback while the WebSocket is redialled',
    { ws: { link: 'connecting' }, http: { link: 'ok' }, buffered: 900 },
    FALLBACK,
  ),
  row(
    'gateway down: offline, the next attempt is the sooner of the two transports',
    {
      ws: { link: 'down', retryAt: NOW + 2_600 },
      http: { link: 'failing', retryAt: NOW + 1_200 },
      lastError: 'connect ECONNREFUSED 127.0.0.1:8080',
      buffered: 100,
    },
    {
      status: 'offline',
      message: 'Offline — 100 points kept, will send when back, retrying in 1 s',
      detail: 'connect ECONNREFUSED 127.0.0.1:8080',
      retryInMs: 1_200,
    },
  ),
  row(
    'offline with one point kept',
    { ws: { link: 'down', retryAt: NOW + 3_000 }, lastError: 'connection lost (code 1006)', buffered: 1 },
    {
      status: 'offline',
      message: 'Offline — 1 point kept, will send when back, retrying in 3 s',
      detail: 'connection lost (code 1006)',
      retryInMs: 3_000,
    },
  ),
  row(
    'gateway degraded (closed 1013), a backlog kept',
    {
      ws: { link: 'down', retryAt: NOW + 800 },
      lastError: 'gateway degraded (its queue is unavailable)',
      buffered: 5_001,
    },
    {
      status: 'offline',
      message: 'Offline — 5,001 points kept, will send when back, retrying in 1 s',
      detail: 'gateway degraded (its queue is unavailable)',
      retryInMs: 800,
    },
  ),
  row(
    'offline, redialling now (a retry that is due shows no countdown)',
    { ws: { link: 'connecting' }, lastError: 'connect ETIMEDOUT', buffered: 30 },
    { status: 'offline', message: 'Offline — 30 points kept, will send when back', detail: 'connect ETIMEDOUT' },
  ),
  row(
    'offline, a retry time already past is not shown',
    { ws: { link: 'down', retryAt: NOW - 10 }, http: { link: 'failing', retryAt: NOW }, lastError: 'x' },
    { status: 'offline', message: 'Offline — 0 points kept, will send when back', detail: 'x' },
  ),
  row(
    'key refused',
    {
      ws: { link: 'down', retryAt: 0 },
      key: { key: 'refused', reason: REFUSED, retryAt: NOW + 15_000 },
      buffered: 1_234,
    },
    {
      status: 'auth-failed',
      message: 'API key rejected — check it in Settings (1,234 points kept, trying again in 15 s)',
      detail: REFUSED,
      retryInMs: 15_000,
    },
  ),
  row(
    'key refused, being tried again now',
    { key: { key: 'refused', reason: REFUSED, retryAt: 0 }, lastError: 'another error' },
    { status: 'auth-failed', message: 'API key rejected — check it in Settings (0 points kept)', detail: REFUSED },
  ),
  row(
    'key refused over HTTP outranks an open WebSocket',
    { ws: { link: 'open', unansweredMs: 0 }, key: { key: 'refused', reason: REFUSED, retryAt: NOW + 30_000 } },
    {
      status: 'auth-failed',
      message: 'API key rejected — check it in Settings (0 points kept, trying again in 30 s)',
      detail: REFUSED,
      retryInMs: 30_000,
    },
  ),
  row(
    'name conflict, between two cuts',
    { ws: { link: 'down', retryAt: NOW + 2_000 }, conflict: CONFLICT, lastError: CONFLICT, buffered: 7 },
    { status: 'name-conflict', message: CONFLICT_MESSAGE, detail: CONFLICT, retryInMs: 2_000 },
  ),
  row(
    'name conflict, while this device holds the connection',
    { ws: { link: 'open', unansweredMs: 0 }, conflict: CONFLICT },
    { status: 'name-conflict', transport: 'ws', message: CONFLICT_MESSAGE, detail: CONFLICT },
  ),
];

describe('statusOf', () => {
  it.each(rows)('$situation', ({ snapshot, expected }) => {
    expect(statusOf({ ...base, ...snapshot })).toEqual({ ...expected, sourceId: 'rig-01' });
  });

  it('has a row for every status word the window knows', () => {
    const covered = new Set(rows.map((r) => r.expected.status));
    expect([...CONNECTION_STATUSES].filter((s) => !covered.has(s))).toEqual([]);
  });

  it('names the device it is about (an assigned name too)', () => {
    const s = statusOf({ ...base, sourceId: 'rig-01-2', conflict: CONFLICT });
    expect(s.sourceId).toBe('rig-01-2');
    expect(s.message).toBe('Name conflict — another device is connected as rig-01-2; rename this device');
  });
});
