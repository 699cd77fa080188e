// The test gateway's plain HTTP side: /ingest (CORS preflight, forced statuses, the request
// records), /health, the answer to a GET of /ws/device without an upgrade, and 404 for the rest.
// Every answer waits for the injected latency both ways, like the WebSocket side.

import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { type RawBody, handleIngest, readBody } from './gateway-ingest';
import { hrNow } from './gateway-records';
import type { SessionHub } from './gateway-session';
import { goJson } from './gateway-validate';

/** What the HTTP side needs from the gateway (it shares the sessions' view of keys, Redis and limits). */
export interface HttpFront extends Pick<SessionHub, 'rec' | 'maxPoints' | 'redisDown' | 'verifyKey' | 'sourceAllow'> {
  /** Bumped when the gateway goes down: a request it was still handling is abandoned. */
  generation(): number;
  /** Runs fn after the injected latency, unless the gateway went down meanwhile. */
  later(fn: () => void): void;
  /** What /ingest answers instead of handling the request (forceHttpStatus), or null. */
  forced(): { status: number; body: unknown } | null;
  /** Devices connected now, for /health. */
  devices(): number;
  /** When the gateway started (Date.now()), for /health's uptime. */
  readonly startedAt: number;
}

export function onHttpRequest(g: HttpFront, req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = (req.url ?? '').split('?')[0];
  if (path === '/ingest') {
    if (req.method === 'POST')
      onIngest(g, req, res).catch((e: unknown) => {
        // a bug in the test gateway must fail the request loudly, not hang it
        if (!res.headersSent) res.writeHead(500);
        res.end(String(e));
      });
    else if (req.method === 'OPTIONS') {
      setCors(res);
      g.later(() => res.writeHead(204).end());
    } else g.later(() => res.writeHead(405, { Allow: 'OPTIONS, POST' }).end('Method Not Allowed\n'));
    return;
  }
  if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
    g.later(() => g.later(() => onHealth(g, res)));
    return;
  }
  if (path === '/ws/device' && req.method === 'GET') {
    // Plain GET without Upgrade: the Redis check comes first, then the WS handshake fails.
    g.later(() => {
      if (g.redisDown()) res.writeHead(503, TEXT).end('gateway degraded: redis unavailable\n');
      else res.writeHead(426, TEXT).end('WebSocket protocol violation: Connection header does not contain Upgrade\n');
    });
    return;
  }
  g.later(() => res.writeHead(404, TEXT).end('404 page not found\n'));
}

function onHealth(g: HttpFront, res: http.ServerResponse): void {
  const down = g.redisDown();
  const body = {
    browsers: 0,
    devices: g.devices(),
    redis: down ? 'error: redis unavailable (test gateway)' : 'connected',
    status: down ? 'degraded' : 'ok',
    uptime_s: Math.floor((Date.now() - g.startedAt) / 1000),
  };
  res.writeHead(down ? 503 : 200, { 'Content-Type': 'application/json' }).end(`${goJson(body)}\n`);
}

async function onIngest(g: HttpFront, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const gen = g.generation();
  let raw: RawBody;
  try {
    raw = await readBody(req);
  } catch {
    return; // client went away
  }
  const respond = (status: number, body: string): void =>
    g.later(() => {
      if (res.destroyed) return;
      setCors(res);
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
    });
  // The request arrives after the latency; it is then processed at once.
  g.later(() => {
    if (gen !== g.generation()) return;
    const at = hrNow();
    const f = g.forced();
    if (f) {
      g.rec.httpRequests.push({
        status: f.status,
        points: 0,
        requestedPoints: countRequested(raw),
        gzip: raw.gzip,
        forced: true,
        at,
      });
      respond(f.status, `${JSON.stringify(f.body)}\n`);
      return;
    }
    const apiKey = req.headers['x-api-key'];
    const r = handleIngest(typeof apiKey === 'string' ? apiKey : apiKey?.[0], raw, {
      redisDown: g.redisDown(),
      maxPoints: g.maxPoints,
      verifyKey: (k) => g.verifyKey(k),
      sourceAllow: (org, sid) => g.sourceAllow(org, sid),
    });
    let count = 0;
    for (const group of r.accepted) {
      g.rec.acceptPoints('http', group.org, group.sourceId, group.points);
      count += group.points.length;
    }
    if (r.sourceLimitedPoints > 0) g.rec.drop('http_source_limited', r.sourceLimitedPoints);
    g.rec.httpRequests.push({
      status: r.status,
      points: count,
      requestedPoints: r.requestedPoints,
      gzip: raw.gzip,
      forced: false,
      at,
    });
    respond(r.status, r.body);
  });
}

/** Points a request asked to ingest (best effort; 0 when the body is unreadable). Lets tests see splits under a forced status. */
function countRequested(raw: RawBody): number {
  try {
    const text = (raw.gzip ? gunzipSync(raw.body) : raw.body).toString('utf8');
    const parsed = JSON.parse(text) as { points?: unknown };
    return Array.isArray(parsed.points) ? parsed.points.length : 0;
  } catch {
    return 0;
  }
}

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' };

function setCors(res: http.ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Content-Type, x-api-key');
  res.setHeader('Access-Control-Max-Age', '86400');
}

/** An HTTP answer written straight on an upgrade socket, which is then closed. */
export function rawHttpReply(socket: Duplex, status: number, text: string, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}
