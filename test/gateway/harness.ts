// Shared setup of the test gateway's rule tests (test/gateway/*.test.ts): raw `ws` device clients,
// fetch against /ingest, and the cleanup every test file runs with `afterEach(closeAll)`.

import { expect } from 'vitest';
import WebSocket from 'ws';
import { gzipSync } from 'node:zlib';
import { TestGateway, type GatewayOptions } from '../support/gateway';

// Frames are free-form JSON; the assertions below are what checks their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = Record<string, any>;

const gateways: Array<{ close(): Promise<void> }> = [];
const sockets: WebSocket[] = [];

/** Each test file runs `afterEach(closeAll)`: cuts every socket and closes every gateway a test opened. */
export async function closeAll(): Promise<void> {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const g of gateways.splice(0)) await g.close();
}

/** Closes `g` after the test, like the gateways `gateway()` starts. */
export function track(g: { close(): Promise<void> }): void {
  gateways.push(g);
}

export async function gateway(opts: GatewayOptions = {}): Promise<TestGateway> {
  const gw = await TestGateway.start(opts);
  gateways.push(gw);
  return gw;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Dev {
  ws: WebSocket;
  frames: Frame[];
  /** Next frame not yet returned by next(). */
  next(timeoutMs?: number): Promise<Frame>;
  closed: Promise<{ code: number; reason: string; at: number }>;
  send(msg: Frame | string | Buffer): void;
  /** WS ping -> pong: resolves once the gateway processed everything sent before. Returns the RTT. */
  sync(): Promise<number>;
  /** Forget the frames received so far. */
  clear(): void;
}

export function open(url: string): Promise<Dev> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const frames: Frame[] = [];
  let cursor = 0;
  let wake: (() => void) | null = null;
  ws.on('message', (data, isBinary) => {
    frames.push(isBinary ? { binary: data } : JSON.parse(String(data)));
    wake?.();
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason), at: performance.now() })),
  );
  ws.on('error', () => {});
  const dev: Dev = {
    ws,
    frames,
    closed,
    async next(timeoutMs = 3000) {
      const end = performance.now() + timeoutMs;
      while (cursor >= frames.length) {
        if (performance.now() > end) throw new Error('no frame from gateway');
        await Promise.race([new Promise<void>((r) => (wake = r)), sleep(20)]);
      }
      return frames[cursor++] as Frame;
    },
    send(msg) {
      ws.send(typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg));
    },
    clear() {
      frames.length = 0;
      cursor = 0;
    },
    sync() {
      const t0 = performance.now();
      return new Promise<number>((resolve, reject) => {
        ws.once('pong', () => resolve(performance.now() - t0));
        ws.ping((err?: Error) => err && reject(err));
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(dev));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

export const auth = (sourceId = 'rig-01', apiKey = 'plx_test'): Frame => ({
  type: 'device_auth',
  api_key: apiKey,
  source_id: sourceId,
  platform: 'plexus-bench',
  agent_version: '0.1.0',
});

export async function device(
  gw: { wsUrl: string },
  sourceId = 'rig-01',
  apiKey = 'plx_test',
): Promise<Dev & { authenticated: Frame }> {
  const d = await open(gw.wsUrl);
  d.send(auth(sourceId, apiKey));
  const authenticated = await d.next();
  expect(authenticated['type']).toBe('authenticated');
  d.clear(); // `frames` then holds only what came after auth
  return Object.assign(d, { authenticated });
}

export const telemetry = (points: unknown[]): Frame => ({ type: 'telemetry', points });
export const pt = (metric: string, value: unknown, extra: Frame = {}): Frame => ({ metric, value, ...extra });

export async function post(
  gw: { url: string },
  body: unknown,
  opts: { key?: string | null; gzip?: boolean; raw?: boolean } = {},
): Promise<{ status: number; json: Frame | null; ms: number }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = opts.key === undefined ? 'plx_test' : opts.key;
  if (key !== null) headers['x-api-key'] = key;
  let data: Buffer = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  if (opts.gzip) {
    headers['content-encoding'] = 'gzip';
    if (!opts.raw) data = gzipSync(data);
  }
  const t0 = performance.now();
  const res = await fetch(`${gw.url}/ingest`, { method: 'POST', headers, body: data });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, ms: performance.now() - t0 };
}

export const KEYS: NonNullable<GatewayOptions['apiKeys']> = {
  good: { org: 'org-a', scopes: ['write'] },
  ro: { org: 'org-a', scopes: ['read'] },
  star: { org: 'org-b', scopes: ['*'] },
  bare: { org: 'org-c', scopes: [] },
};
