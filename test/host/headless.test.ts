// Headless mode's transport: the window's files on loopback, the contract over a WebSocket that
// only opens with the token and from the server's own origin, a CSV download, and a clean exit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { Host } from '../../src/main/host';
import { exportUrl } from '../../src/main/headless/export-route';
import { startHeadless, type HeadlessServer } from '../../src/main/headless/server';
import { decodeWire, encodeWire } from '../../src/shared/contract';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { until } from '../helpers/plexus';

const ROOT = join(__dirname, '..', '..');
const RENDERER = join(ROOT, 'out', 'renderer');
let host: Host;
let server: HeadlessServer;

beforeAll(async () => {
  if (!existsSync(join(RENDERER, 'index.html')))
    throw new Error('out/renderer is missing: npm test builds it first (or run npx electron-vite build)');
  host = await Host.start({
    dataDir: tempDir(),
    exporter: async (e) => ({
      kind: 'download',
      url: exportUrl(e.run.id, e.format, server.token),
      filename: e.filename,
    }),
  });
  server = await startHeadless({ host, rendererDir: RENDERER });
});
afterAll(async () => {
  await server.close();
  await host.shutdown();
  cleanupTempDirs();
});

function open(path: string, origin?: string): Promise<{ ws: WebSocket; messages: unknown[] } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, origin ? { origin } : {});
    const messages: unknown[] = [];
    ws.on('message', (d) => messages.push(decodeWire(d.toString())));
    ws.on('open', () => resolve({ ws, messages }));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.on('error', () => {});
  });
}

const origin = () => `http://127.0.0.1:${server.port}`;

describe('headless server', () => {
  it('serves the window, and refuses paths outside it', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const esc = await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fpackage.json`);
    expect(await esc.text()).not.toContain('"plexus-bench"');
  });

  it('answers unparseable request URLs with 400 instead of dying', async () => {
    const net = await import('node:net');
    const raw = (line: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect(server.port, '127.0.0.1', () =>
          s.write(`${line}\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`),
        );
        let out = '';
        s.on('data', (d) => (out += d));
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
      });
    expect(await raw('GET // HTTP/1.1')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw('GET ///a:b@ HTTP/1.1')).toMatch(/^HTTP\/1\.1 (400|200)/);
    expect(await raw(`GET /export/%E0%A4%A.csv?token=${server.token} HTTP/1.1`)).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(server.url)).status).toBe(200); // still serving
  });

  it('opens the contract socket only with the token and from its own origin', async () => {
    expect(await open(`/bridge?token=wrong`, origin())).toEqual({ status: 403 });
    expect(await open(`/bridge`, origin())).toEqual({ status: 403 });
    expect(await open(`/bridge?token=${server.token}`, 'http://evil.example')).toEqual({ status: 403 });
    expect(await open(`/bridge?token=${server.token}`)).toEqual({ status: 403 });
    const ok = await open(`/bridge?token=${server.token}`, origin());
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) ok.ws.close();
  });

  it('answers invokes with the same validation, pushes events, and survives junk', async () => {
    const c = await open(`/bridge?token=${server.token}`, origin());
    if (!('ws' in c)) throw new Error('no socket');
    const { ws, messages } = c;
    ws.send(encodeWire({ type: 'invoke', id: 1, name: 'state.get', payload: {} }));
    ws.send(encodeWire({ type: 'invoke', id: 2, name: 'settings.setDeviceName', payload: { name: 'Bad Name' } }));
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'invoke', name: 'state.get' }));
    ws.send(Buffer.from([1, 2, 3]));
    ws.send(encodeWire({ type: 'invoke', id: 3, name: 'webcam.state', payload: { cameraId: 'w', streaming: true } }));
    ws.send(
      encodeWire({
        type: 'invoke',
        id: 4,
        name: 'webcam.frame',
        payload: { cameraId: 'w', jpeg: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) },
      }),
    );
    await until(() => messages.some((m) => (m as { id?: number }).id === 4), 3000, 'reply 4');
    await until(() => messages.some((m) => (m as { type?: string }).type === 'event'), 3000, 'an event');
    const replies = Object.fromEntries(
      messages
        .filter((m) => (m as { type: string }).type === 'reply')
        .map((m) => [(m as { id: number }).id, (m as { reply: unknown }).reply]),
    );
    expect(replies[1]).toMatchObject({ ok: true, value: { demo: { enabled: true } } });
    expect(replies[2]).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringContaining('lowercase letters only') },
    });
    // Bytes made it through the wire encoding as bytes (the schema takes them); not connected: dropped.
    expect(replies[4]).toEqual({ ok: true, value: { sent: false, reason: 'not-connected' } });
    expect(messages.filter((m) => (m as { type: string }).type === 'error')).toHaveLength(3);
    ws.close();
  });

  it('downloads a run as CSV with the token, not without', async () => {
    await host.handle('run.start', { name: 'dl' });
    await new Promise((r) => setTimeout(r, 300));
    const stopped = await host.handle('run.stop', {});
    const runId = (stopped as { value: { id: string } }).value.id;
    const exp = await host.handle('run.export', { runId });
    expect(exp).toMatchObject({ ok: true, value: { kind: 'download' } });
    const url = (exp as { value: { url: string } }).value.url;
    const res = await fetch(`http://127.0.0.1:${server.port}${url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="dl_.*\.csv"/);
    const text = await res.text();
    expect(text.split('\r\n')[0]).toBe('time_utc,epoch_ms,metric,value,tags');
    expect(text).toContain(`run_id=${runId}`);
    const denied = await fetch(`http://127.0.0.1:${server.port}/export/${runId}.csv?token=nope`);
    expect(denied.status).toBe(403);
  });

  it('downloads a run as wide CSV, MCAP and XDF, each with its name and content type', async () => {
    await host.handle('run.start', { name: 'dl-formats' });
    await new Promise((r) => setTimeout(r, 300));
    const stopped = await host.handle('run.stop', {});
    const runId = (stopped as { value: { id: string } }).value.id;
    const get = async (format: 'csv-wide' | 'mcap' | 'xdf'): Promise<Response> => {
      const exp = await host.handle('run.export', { runId, format });
      expect(exp).toMatchObject({ ok: true, value: { kind: 'download' } });
      return fetch(`http://127.0.0.1:${server.port}${(exp as { value: { url: string } }).value.url}`);
    };
    const wide = await get('csv-wide');
    expect(wide.status).toBe(200);
    expect(wide.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(wide.headers.get('content-disposition')).toMatch(/attachment; filename="dl-formats_.*Z\.wide\.csv"/);
    expect((await wide.text()).split('\r\n')[0]).toMatch(/^time_utc,epoch_ms,.*run\.start \(event\)/);
    const mcap = await get('mcap');
    expect(mcap.status).toBe(200);
    expect(mcap.headers.get('content-type')).toBe('application/octet-stream');
    expect(mcap.headers.get('content-disposition')).toMatch(/attachment; filename="dl-formats_.*Z\.mcap"/);
    const bytes = Buffer.from(await mcap.arrayBuffer());
    const magic = Buffer.from([0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a]); // \x89MCAP0\r\n
    expect(bytes.subarray(0, 8)).toEqual(magic);
    expect(bytes.subarray(-8)).toEqual(magic); // complete: the closing magic is there
    const xdf = await get('xdf');
    expect(xdf.status).toBe(200);
    expect(xdf.headers.get('content-disposition')).toMatch(/attachment; filename="dl-formats_.*Z\.xdf"/);
    expect(
      Buffer.from(await xdf.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('XDF:');
  });

  it('`node out/main/headless.js` prints its URL, and Ctrl-C flushes and exits cleanly', async () => {
    const dir = tempDir();
    const p = spawn(process.execPath, [join(ROOT, 'out', 'main', 'headless.js'), '--data-dir', dir, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    createInterface({ input: p.stdout }).on('line', (l) => lines.push(l));
    await until(() => lines.some((l) => l.startsWith('Open http://127.0.0.1:')), 10_000, 'the URL');
    const url = lines.find((l) => l.startsWith('Open '))!.slice(5);
    expect(lines.find((l) => l.startsWith('Log: '))).toMatch(/^Log: .*logs\/plexus-bench\.log$/);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
    expect((await fetch(url)).status).toBe(200);
    p.kill('SIGINT');
    const code = await new Promise((r) => p.on('exit', r));
    expect(code).toBe(0);
    expect(
      lines.some((l) => /^closed; .*points recorded locally/.test(l) || l === 'closed; everything delivered'),
    ).toBe(true);
    const bad = spawn(process.execPath, [join(ROOT, 'out', 'main', 'headless.js'), '--port', 'x'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    bad.stderr.on('data', (d) => (err += d));
    expect(await new Promise((r) => bad.on('exit', r))).toBe(2);
    expect(err).toMatch(/--data-dir is required|--port must be a whole number/);
  });
});
