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

const rows: Row[] = [
  {
    situation: 'closed',
    snapshot: { closed: true, ws: { link: 'idle' }, buffered: 12 },
    expected: { status: 'closed', transport: null, message: 'Closed', detail: null, retryInMs: null },
  },
  {
    situation: 'closed, even with the key refused',
    snapshot: { closed: true, key: { key: 'refused', reason: REFUSED, retryAt: NOW + 5000 } },
    expected: { status: 'closed', transport: null, message: 'Closed', detail: null, retryInMs: null },
  },
  {
    situation: 'local only (no API key)',
    snapshot: { key: { key: 'none' }, ws: { link: 'idle' } },
    expected: {
      status: 'local-only',
      transport: null,
      message: 'Local only — add an API key to ship data',
      detail: null,
      retryInMs: null,
    },
  },
  {
    situation: 'local only with the disk full (points held in memory)',
    snapshot: { key: { key: 'none' }, ws: { link: 'idle' }, buffered: 150_000 },
    expected: {
      status: 'local-only',
      transport: null,
      message: 'Local only — add an API key to ship data',
      detail: null,
      retryInMs: null,
    },
  },
  {
    situation: 'connecting (first WebSocket dial)',
    snapshot: {},
    expected: {
      status: 'connecting',
      transport: null,
      message: 'Connecting to the gateway…',
      detail: null,
      retryInMs: null,
    },
  },
  {
    situation: 'connecting over HTTP only (nothing sent yet)',
    snapshot: { transport: 'http', ws: { link: 'idle' } },
    expected: {
      status: 'connecting',
      transport: null,
      message: 'Connecting to the gateway…',
      detail: null,
      retryInMs: null,
    },
  },
  {
    situation: 'open WebSocket',
    snapshot: { ws: { link: 'open', unansweredMs: 0 } },
    expected: { status: 'connected', transport: 'ws', message: 'Connected · WS', detail: null, retryInMs: null },
  },
  {
    situation: 'open WebSocket with a backlog being sent',
    snapshot: { ws: { link: 'open', unansweredMs: 0 }, buffered: 50_000, lastError: 'connection lost (code 1006)' },
    expected: { status: 'connected', transport: 'ws', message: 'Connected · WS', detail: null, retryInMs: null },
  },
  {
    situation: 'gateway not answering pings (WebSocket open on paper)',
    snapshot: { ws: { link: 'open', unansweredMs: 4_200 }, buffered: 1_234 },
    expected: {
      status: 'connected',
      transport: 'ws',
      message: 'Connected · WS — gateway not answering for 4 s, 1,234 points waiting',
      detail: 'the gateway is not answering pings',
      retryInMs: null,
    },
  },
  {
    situation: 'gateway not answering for under a second, one point waiting',
    snapshot: { ws: { link: 'open', unansweredMs: 300 }, buffered: 1 },
    expected: {
      status: 'connected',
      transport: 'ws',
      message: 'Connected · WS — gateway not answering for 1 s, 1 point waiting',
      detail: 'the gateway is not answering pings',
      retryInMs: null,
    },
  },
  {
    situation: 'open over HTTP (HTTP configured)',
    snapshot: { transport: 'http', ws: { link: 'idle' }, http: { link: 'ok' } },
    expected: { status: 'connected', transport: 'http', message: 'Connected · HTTP', detail: null, retryInMs: null },
  },
  {
    situation: 'HTTP fallback (the WebSocket dial failed)',
    snapshot: {
      ws: { link: 'down', retryAt: NOW + 2_000 },
      http: { link: 'ok' },
      lastError: 'WebSocket upgrade refused (503)',
    },
    expected: {
      status: 'http-fallback',
      transport: 'http',
      message: 'HTTP fallback — WebSocket unavailable, sending over HTTP',
      detail: 'WebSocket upgrade refused (503)',
      retryInMs: null,
    },
  },
  {
    situation: 'HTTP fallback while the WebSocket is redialled',
    snapshot: { ws: { link: 'connecting' }, http: { link: 'ok' }, buffered: 900 },
    expected: {
      status: 'http-fallback',
      transport: 'http',
      message: 'HTTP fallback — WebSocket unavailable, sending over HTTP',
      detail: null,
      retryInMs: null,
    },
  },
  {
    situation: 'gateway down: offline, the next attempt is the sooner of the two transports',
    snapshot: {
      ws: { link: 'down', retryAt: NOW + 2_600 },
      http: { link: 'failing', retryAt: NOW + 1_200 },
      lastError: 'connect ECONNREFUSED 127.0.0.1:8080',
      buffered: 100,
    },
    expected: {
      status: 'offline',
      transport: null,
      message: 'Offline — 100 points kept, will send when back, retrying in 1 s',
      detail: 'connect ECONNREFUSED 127.0.0.1:8080',
      retryInMs: 1_200,
    },
  },
  {
    situation: 'offline with one point kept',
    snapshot: { ws: { link: 'down', retryAt: NOW + 3_000 }, lastError: 'connection lost (code 1006)', buffered: 1 },
    expected: {
      status: 'offline',
      transport: null,
      message: 'Offline — 1 point kept, will send when back, retrying in 3 s',
      detail: 'connection lost (code 1006)',
      retryInMs: 3_000,
    },
  },
  {
    situation: 'gateway degraded (closed 1013), a backlog kept',
    snapshot: {
      ws: { link: 'down', retryAt: NOW + 800 },
      lastError: 'gateway degraded (its queue is unavailable)',
      buffered: 5_001,
    },
    expected: {
      status: 'offline',
      transport: null,
      message: 'Offline — 5,001 points kept, will send when back, retrying in 1 s',
      detail: 'gateway degraded (its queue is unavailable)',
      retryInMs: 800,
    },
  },
  {
    situation: 'offline, redialling now (a retry that is due shows no countdown)',
    snapshot: { ws: { link: 'connecting' }, lastError: 'connect ETIMEDOUT', buffered: 30 },
    expected: {
      status: 'offline',
      transport: null,
      message: 'Offline — 30 points kept, will send when back',
      detail: 'connect ETIMEDOUT',
      retryInMs: null,
    },
  },
  {
    situation: 'offline, a retry time already past is not shown',
    snapshot: { ws: { link: 'down', retryAt: NOW - 10 }, http: { link: 'failing', retryAt: NOW }, lastError: 'x' },
    expected: {
      status: 'offline',
      transport: null,
      message: 'Offline — 0 points kept, will send when back',
      detail: 'x',
      retryInMs: null,
    },
  },
  {
    situation: 'key refused',
    snapshot: {
      ws: { link: 'down', retryAt: 0 },
      key: { key: 'refused', reason: REFUSED, retryAt: NOW + 15_000 },
      buffered: 1_234,
    },
    expected: {
      status: 'auth-failed',
      transport: null,
      message: 'API key rejected — check it in Settings (1,234 points kept, trying again in 15 s)',
      detail: REFUSED,
      retryInMs: 15_000,
    },
  },
  {
    situation: 'key refused, being tried again now',
    snapshot: { key: { key: 'refused', reason: REFUSED, retryAt: 0 }, lastError: 'another error' },
    expected: {
      status: 'auth-failed',
      transport: null,
      message: 'API key rejected — check it in Settings (0 points kept)',
      detail: REFUSED,
      retryInMs: null,
    },
  },
  {
    situation: 'key refused over HTTP outranks an open WebSocket',
    snapshot: {
      ws: { link: 'open', unansweredMs: 0 },
      key: { key: 'refused', reason: REFUSED, retryAt: NOW + 30_000 },
    },
    expected: {
      status: 'auth-failed',
      transport: null,
      message: 'API key rejected — check it in Settings (0 points kept, trying again in 30 s)',
      detail: REFUSED,
      retryInMs: 30_000,
    },
  },
  {
    situation: 'name conflict, between two cuts',
    snapshot: { ws: { link: 'down', retryAt: NOW + 2_000 }, conflict: CONFLICT, lastError: CONFLICT, buffered: 7 },
    expected: {
      status: 'name-conflict',
      transport: null,
      message: 'Name conflict — another device is connected as rig-01; rename this device',
      detail: CONFLICT,
      retryInMs: 2_000,
    },
  },
  {
    situation: 'name conflict, while this device holds the connection',
    snapshot: { ws: { link: 'open', unansweredMs: 0 }, conflict: CONFLICT },
    expected: {
      status: 'name-conflict',
      transport: 'ws',
      message: 'Name conflict — another device is connected as rig-01; rename this device',
      detail: CONFLICT,
      retryInMs: null,
    },
  },
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
