// Shared setup of the network line source tests (test/plugins/network-lines-*.test.ts): a fake sink
// that collects points (it is our own boundary), loopback TCP clients and UDP senders, and the
// cleanup each test file runs with `afterEach(closeAll)`.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  NetworkLineSource,
  type NetworkLinesConfig,
  type NetworkLinesOptions,
} from '../../src/main/plugins/network/network-lines';
import type { TelemetrySink } from '../../src/main/devices/types';

export interface Point {
  metric: string;
  value: unknown;
  timestamp: number | undefined;
}

/** Collects every point; copies them, because readers reuse their batch array. */
export class FakeSink implements TelemetrySink {
  readonly points: Point[] = [];
  now(): number {
    return Date.now();
  }
  send(metric: string, value: unknown, opts?: { timestamp?: number | Date }): number {
    this.points.push({ metric, value, timestamp: opts?.timestamp as number | undefined });
    return 1;
  }
  sendBatch(
    points: Array<{ metric: string; value: unknown; timestamp?: number | Date }>,
    opts?: { timestamp?: number | Date },
  ): number {
    // Each line carries its own arrival time; a batch-wide time is the fallback.
    for (const p of points)
      this.points.push({
        metric: p.metric,
        value: p.value,
        timestamp: (p.timestamp ?? opts?.timestamp) as number | undefined,
      });
    return points.length;
  }
  sendVideoFrame(): Promise<never> {
    return Promise.reject(new Error('no video here'));
  }
  values(metric: string): unknown[] {
    return this.points.filter((p) => p.metric === metric).map((p) => p.value);
  }
}

export const sources: NetworkLineSource[] = [];
const clients: Socket[] = [];
export const servers: Server[] = [];
const udps: UdpSocket[] = [];

/** Each test file runs `afterEach(closeAll)`: closes every client, source, server and UDP socket a test made. */
export async function closeAll(): Promise<void> {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  await Promise.all(udps.splice(0).map((u) => new Promise<void>((r) => u.close(() => r()))));
}

/** A port nothing listens on right now (the OS picks it, we release it). */
export async function freePort(protocol: 'tcp' | 'udp'): Promise<number> {
  if (protocol === 'tcp') {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const u = createSocket('udp4');
  await new Promise<void>((r) => u.bind(0, '127.0.0.1', r));
  const port = u.address().port;
  await new Promise<void>((r) => u.close(() => r()));
  return port;
}

export async function source(
  cfg: Partial<NetworkLinesConfig> = {},
  opts: NetworkLinesOptions = {},
): Promise<{ src: NetworkLineSource; sink: FakeSink; port: number }> {
  const protocol = cfg.protocol ?? 'tcp';
  const port = cfg.port ?? (await freePort(protocol));
  const sink = new FakeSink();
  const src = new NetworkLineSource({ name: 'bench', parser: 'plotter', protocol, port, ...cfg }, sink, opts);
  sources.push(src);
  await src.start();
  return { src, sink, port };
}

export interface Client {
  socket: Socket;
  closed: () => boolean;
  localPort: number;
}

export async function client(port: number, host = '127.0.0.1'): Promise<Client> {
  const socket = connect({ port, host });
  clients.push(socket);
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => {}); // refused / reset connections are what some tests are about
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, closed: () => closed, localPort: socket.localPort! };
}

export function write(c: Client, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => c.socket.write(data, (e) => (e ? reject(e) : resolve())));
}

export function udpSender(): UdpSocket {
  const u = createSocket('udp4');
  udps.push(u);
  return u;
}

export function sendDatagram(u: UdpSocket, port: number, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => u.send(data, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
}
