// Headless mode's transport: the built window served on loopback, and the contract over a
// WebSocket. Only this machine can reach it (127.0.0.1), only with the random token printed at
// start, and only from a page of this server (the Origin is checked), so another web page open in
// the same browser cannot drive the recorder. Every request must name this server in its Host
// header (127.0.0.1:<port>, localhost:<port> or [::1]:<port>): a web page whose own name was made to
// resolve to 127.0.0.1 (DNS rebinding) sends its own name there and gets 421. At most 16 windows
// are connected at once; further ones get 503.

import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  EVENT_NAMES,
  decodeWire,
  encodeWire,
  type Envelope,
  type EventName,
  type ExportFormat,
} from '../../shared/contract';
import { errorMessage } from '../../shared/util';
import { ExportSink, type Host } from '../host';
import { parseExportPath } from './export-route';

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

/** The only address the server listens on. */
const BIND_ADDRESS = '127.0.0.1';
/** Contract sockets (windows) connected at once, at most. */
export const MAX_SOCKETS = 16;

const EVENTS: readonly EventName[] = EVENT_NAMES;
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

/** The Host header values this server answers to on `port` (lowercase). */
function allowedHosts(port: number): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  const hosts = names.map((n) => `${n}:${port}`);
  if (port === 80) hosts.push(...names); // a browser leaves out the default port
  return new Set(hosts);
}

/** One sentence on why the server cannot listen on `port`, and what to do. */
export function listenProblem(port: number, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return (
        `Port ${port} on ${BIND_ADDRESS} is already in use by another program (perhaps another Plexus Bench): ` +
        'stop it, or choose another port with --port N (--port 0 picks a free one).'
      );
    case 'EACCES':
    case 'EPERM':
      return `Port ${port} on ${BIND_ADDRESS} may not be used by this user: choose a port from 1024 to 65535 with --port N.`;
    default:
      return `Cannot listen on port ${port} of ${BIND_ADDRESS} (${code ?? (err as Error).message}): choose another port with --port N.`;
  }
}

/**
 * Resolves when `port` can be listened on now (tried, then released at once); else rejects with
 * listenProblem's sentence. Lets the headless CLI refuse a taken port before it opens the data folder.
 */
export function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (e) => reject(new Error(listenProblem(port, e), { cause: e })));
    probe.listen(port, BIND_ADDRESS, () => probe.close(() => resolve()));
  });
}

/** A short plain-text answer on a raw socket (refusing a WebSocket upgrade). */
function refuseUpgrade(socket: Duplex, status: string, text: string): void {
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

export async function startHeadless(opts: HeadlessOptions): Promise<HeadlessServer> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const root = normalize(opts.rendererDir);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`the window is not built (${join(root, 'index.html')} is missing): run npm run build first`);
  }
  let port = opts.port ?? 0;
  const origins = (): string[] => [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  let hosts = allowedHosts(port);
  const hostOk = (req: http.IncomingMessage): boolean => hosts.has((req.headers.host ?? '').toLowerCase());
  const wrongHost = (): string =>
    `misdirected request: this server answers only to 127.0.0.1:${port}, localhost:${port} and [::1]:${port}`;

  const server = http.createServer((req, res) => {
    if (!hostOk(req)) {
      res.writeHead(421, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end(wrongHost());
      return;
    }
    const url = parseUrl(req.url);
    if (!url) {
      res.writeHead(400, SECURITY_HEADERS).end('bad request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, SECURITY_HEADERS).end();
      return;
    }
    const exp = parseExportPath(url.pathname);
    if (exp) {
      if (!sameToken(url.searchParams.get('token'), token)) {
        res.writeHead(403, SECURITY_HEADERS).end('forbidden');
        return;
      }
      let runId: string;
      try {
        runId = decodeURIComponent(exp.encodedRunId);
      } catch {
        res.writeHead(400, SECURITY_HEADERS).end('bad run id');
        return;
      }
      serveExport(opts.host, runId, exp.format, res);
      return;
    }
    serveStatic(root, url.pathname, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  /** Sockets accepted for the contract, from the upgrade until they close (handshakes included). */
  const sockets = new Set<Duplex>();
  server.on('upgrade', (req, socket: Duplex, head) => {
    socket.on('error', () => {});
    if (!hostOk(req)) {
      refuseUpgrade(socket, '421 Misdirected Request', wrongHost());
      return;
    }
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
    if (sockets.size >= MAX_SOCKETS) {
      refuseUpgrade(
        socket,
        '503 Service Unavailable',
        `too many windows: ${MAX_SOCKETS} are connected already; close one and reload this one`,
      );
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, opts.host));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new Error(listenProblem(port, e), { cause: e })));
    server.listen(port, BIND_ADDRESS, () => resolve());
  });
  port = (server.address() as { port: number }).port;
  hosts = allowedHosts(port);

  return {
    url: `http://${BIND_ADDRESS}:${port}/?token=${token}`,
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

function serveExport(host: Host, runId: string, format: ExportFormat, res: http.ServerResponse): void {
  let exp;
  try {
    exp = host.runExport(runId, format);
  } catch (e) {
    res.writeHead(404, SECURITY_HEADERS).end((e as Error).message);
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': exp.contentType,
    'Content-Disposition': `attachment; filename="${exp.filename}"`,
  });
  // Streamed with backpressure (a run may hold millions of points). A failure half way cuts the
  // response, so the browser marks the download failed rather than keeping a short file.
  const sink = new ExportSink(res);
  exp
    .write(sink)
    .then(() => sink.end())
    .catch(() => res.destroy());
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
    const id = m.id;
    host
      .handle(m.name, m.payload)
      .catch((e: unknown): Envelope<unknown> => ({ ok: false, error: { message: errorMessage(e), code: 'failed' } }))
      .then((reply) => send({ type: 'reply', id, reply }))
      .catch(() => {}); // the window went away while the host answered: nobody left to tell
  });
}
