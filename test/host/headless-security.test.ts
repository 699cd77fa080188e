// Headless server hardening: every request (plain HTTP and the WebSocket upgrade) must name this
// server in its Host header — 127.0.0.1:<port>, localhost:<port> or [::1]:<port> — else 421, which
// defeats DNS rebinding (a page on evil.example whose name now resolves to 127.0.0.1 sends
// `Host: evil.example:<port>`); and at most 16 windows (contract sockets) are connected at once:
// the 17th upgrade gets 503 until one closes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Host } from '../../src/main/host';
import { MAX_SOCKETS, startHeadless, type HeadlessServer } from '../../src/main/headless/server';
import { encodeWire } from '../../src/shared/contract';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { until } from '../helpers/plexus';

const RENDERER = join(__dirname, '..', '..', 'out', 'renderer');
let host: Host;
let server: HeadlessServer;

beforeAll(async () => {
  if (!existsSync(join(RENDERER, 'index.html')))
    throw new Error('out/renderer is missing: npm test builds it first (or run npx electron-vite build)');
  host = await Host.start({ dataDir: tempDir() });
  server = await startHeadless({ host, rendererDir: RENDERER });
});
afterAll(async () => {
  await server.close();
  await host.shutdown();
  cleanupTempDirs();
});

/** Sends one raw request (head only) and returns the whole answer as text. */
function raw(head: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(server.port, '127.0.0.1', () => s.write(`${head}\r\n\r\n`));
    let out = '';
    s.on('data', (d) => {
      out += d;
      // An accepted upgrade keeps the socket open: the status line is all we need.
      if (out.startsWith('HTTP/1.1 101')) s.destroy();
    });
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
  });
}

const get = (path: string, host: string | null): Promise<string> =>
  raw(`GET ${path} HTTP/1.1${host === null ? '' : `\r\nHost: ${host}`}\r\nConnection: close`);

const upgrade = (host: string, origin = `http://127.0.0.1:${server.port}`): Promise<string> =>
  raw(
    [
      `GET /bridge?token=${server.token} HTTP/1.1`,
      `Host: ${host}`,
      `Origin: ${origin}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}`,
    ].join('\r\n'),
  );

const status = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

describe('Host header (DNS rebinding)', () => {
  it('answers plain HTTP only for 127.0.0.1, localhost and [::1] with its port', async () => {
    const p = server.port;
    for (const good of [`127.0.0.1:${p}`, `localhost:${p}`, `LOCALHOST:${p}`, `[::1]:${p}`]) {
      const answer = await get('/', good);
      expect(status(answer), good).toBe(200);
      expect(answer, good).toContain('<div id="root">');
    }
    for (const bad of [
      `evil.example:${p}`,
      'evil.example',
      `127.0.0.1:${p + 1}`,
      '127.0.0.1',
      `127.0.0.1.evil.example:${p}`,
    ]) {
      const answer = await get('/', bad);
      expect(status(answer), bad).toBe(421);
      expect(answer, bad).toContain('misdirected request');
      expect(answer, bad).not.toContain('<div id="root">');
    }
    // No Host at all: Node's HTTP parser refuses an HTTP/1.1 request without one (400) first.
    const none = await get('/', null);
    expect([400, 421]).toContain(status(none));
    expect(none).not.toContain('<div id="root">');
    // The export, with the right token, is refused too under a foreign name.
    expect(status(await get(`/export/x.csv?token=${server.token}`, `evil.example:${p}`))).toBe(421);
  });

  it('refuses the WebSocket upgrade under a foreign Host, even with the token and a right Origin', async () => {
    const p = server.port;
    const refused = await upgrade(`evil.example:${p}`);
    expect(status(refused)).toBe(421);
    expect(refused).toContain('misdirected request');
    expect(status(await upgrade(`evil.example:${p}`, `http://evil.example:${p}`))).toBe(421);
    expect(status(await upgrade(`127.0.0.1:${p}`))).toBe(101);
    expect(status(await upgrade(`localhost:${p}`))).toBe(101);
  });
});

describe('WebSocket connections', () => {
  /** Opens a contract socket; resolves with it, or with the HTTP status it was refused with. */
  function open(): Promise<WebSocket | number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/bridge?token=${server.token}`, {
        origin: `http://127.0.0.1:${server.port}`,
      });
      ws.on('open', () => resolve(ws));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
  }

  it(`accepts ${MAX_SOCKETS} at once, refuses the next with 503, and accepts again once one closed`, async () => {
    expect(MAX_SOCKETS).toBe(16);
    const sockets: WebSocket[] = [];
    try {
      for (let i = 0; i < MAX_SOCKETS; i++) {
        // Sockets of the tests above may still be closing on the server's side: a refusal below
        // the limit is tried again for a while (a server refusing it for good fails here).
        let ws = await open();
        const t0 = Date.now();
        while (ws === 503 && Date.now() - t0 < 3000) {
          await new Promise((r) => setTimeout(r, 20));
          ws = await open();
        }
        expect(ws, `socket ${i + 1}`).toBeInstanceOf(WebSocket);
        sockets.push(ws as WebSocket);
      }
      expect(await open()).toBe(503);
      expect(await open()).toBe(503);
      // The open ones still work: an invoke gets its reply.
      const replies: string[] = [];
      sockets[0]!.on('message', (d) => replies.push(d.toString()));
      sockets[0]!.send(encodeWire({ type: 'invoke', id: 1, name: 'state.get', payload: {} }));
      await until(() => replies.some((r) => r.includes('"reply"')), 3000, 'a reply');
      // One closes: a new one is accepted (after the server saw the close).
      const closing = sockets.shift()!;
      await new Promise<void>((r) => {
        closing.on('close', () => r());
        closing.close();
      });
      let again: WebSocket | number = 503;
      const t0 = Date.now();
      while (again === 503 && Date.now() - t0 < 3000) {
        await new Promise((r) => setTimeout(r, 20));
        again = await open();
      }
      expect(again).toBeInstanceOf(WebSocket);
      sockets.push(again as WebSocket);
      expect(await open()).toBe(503);
    } finally {
      for (const ws of sockets) ws.terminate();
    }
  });
});
