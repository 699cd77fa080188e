// Headless mode's transport: the built window served on loopback, and the contract over a
// WebSocket. Only this machine can reach it (127.0.0.1), only with the random token printed at
// start, and only from a page of this server (the Origin is checked), so another web page open in
// the same browser cannot drive the recorder.

import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { extname, join, normalize, sep } from 'node:path';
import { Readable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeWire, encodeWire, type EventName } from '../../shared/contract';
import type { Host } from '../host';

export interface HeadlessOptions {
  host: Host;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 = any free port. */
  port?: number;
  /** Fixed token (tests); default: 32 random bytes. */
  token?: string;
}

export interface HeadlessServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const EVENTS: EventName[] = ['state', 'tick', 'command'];
/** A window that stops reading is cut off rather than buffered without bound. */
const MAX_BUFFERED = 8 * 1024 * 1024;

/** The request's URL, or null when it cannot be parsed (e.g. "//"): a bad request, never a crash. */
function parseUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

function sameToken(a: string | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startHeadless(opts: HeadlessOptions): Promise<HeadlessServer> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const root = normalize(opts.rendererDir);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`the window is not built (${join(root, 'index.html')} is missing): run npm run build first`);
  }
  let port = opts.port ?? 0;
  const origins = (): string[] => [`http://127.0.0.1:${port}`, `http://localhost:${port}`];

  const server = http.createServer((req, res) => {
    const url = parseUrl(req.url);
    if (!url) {
      res.writeHead(400, SECURITY_HEADERS).end('bad request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, SECURITY_HEADERS).end();
      return;
    }
    const m = /^\/export\/([^/]+)\.csv$/.exec(url.pathname);
    if (m) {
      if (!sameToken(url.searchParams.get('token'), token)) {
        res.writeHead(403, SECURITY_HEADERS).end('forbidden');
        return;
      }
      let runId: string;
      try {
        runId = decodeURIComponent(m[1]!);
      } catch {
        res.writeHead(400, SECURITY_HEADERS).end('bad run id');
        return;
      }
      serveExport(opts.host, runId, res);
      return;
    }
    serveStatic(root, url.pathname, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  server.on('upgrade', (req, socket: Duplex, head) => {
    socket.on('error', () => {});
    const url = parseUrl(req.url);
    const origin = req.headers.origin ?? '';
    if (
      !url ||
      url.pathname !== '/bridge' ||
      !sameToken(url.searchParams.get('token'), token) ||
      !origins().includes(origin)
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, opts.host));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}

function serveStatic(root: string, pathname: string, res: http.ServerResponse): void {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400, SECURITY_HEADERS).end('bad path');
    return;
  }
  const file = normalize(join(root, rel === '/' ? 'index.html' : rel));
  if (!file.startsWith(root + sep) && file !== root) {
    res.writeHead(403, SECURITY_HEADERS).end('forbidden');
    return;
  }
  let target = file;
  if (!existsSync(target) || statSync(target).isDirectory()) target = join(root, 'index.html');
  const stream = createReadStream(target);
  stream.once('error', () => {
    if (!res.headersSent) res.writeHead(404, SECURITY_HEADERS);
    res.end();
  });
  stream.once('open', () => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': TYPES[extname(target)] ?? 'application/octet-stream' });
    stream.pipe(res);
  });
}

function serveExport(host: Host, runId: string, res: http.ServerResponse): void {
  let exp;
  try {
    exp = host.runExport(runId);
  } catch (e) {
    res.writeHead(404, SECURITY_HEADERS).end((e as Error).message);
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${exp.filename}"`,
  });
  // Streamed with backpressure (a run may hold millions of points); a failure ends the response.
  pipeline(Readable.from(exp.lines()), res).catch(() => res.destroy());
}

function bridge(ws: WebSocket, host: Host): void {
  const send = (msg: unknown): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED) {
      ws.terminate();
      return;
    }
    ws.send(encodeWire(msg));
  };
  const offs = EVENTS.map((event) => host.on(event, (payload) => send({ type: 'event', event, payload })));
  ws.on('close', () => offs.forEach((off) => off()));
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary messages are not part of the contract');
      msg = decodeWire(data.toString());
    } catch (e) {
      send({
        type: 'error',
        error: { message: `not a contract message: ${(e as Error).message}`, code: 'bad-request' },
      });
      return;
    }
    const m = msg as { type?: unknown; id?: unknown; name?: unknown; payload?: unknown };
    if (!m || typeof m !== 'object' || m.type !== 'invoke' || typeof m.id !== 'number') {
      send({
        type: 'error',
        error: { message: 'expected {"type":"invoke","id":<number>,"name":…,"payload":…}', code: 'bad-request' },
      });
      return;
    }
    void host.handle(m.name, m.payload).then((reply) => send({ type: 'reply', id: m.id, reply }));
  });
}
