// Network line sources over real loopback sockets (net, dgram): the sink is a fake that collects
// points (it is our own boundary), everything between the socket and it is the real code.
import { afterEach, describe, expect, it } from 'vitest';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import {
  NetworkLineSource,
  type NetworkLinesConfig,
  type NetworkLinesOptions,
} from '../../src/main/plugins/network/network-lines';
import type { TelemetrySink } from '../../src/main/devices/types';
import { until } from '../helpers/plexus';

interface Point {
  metric: string;
  value: unknown;
  timestamp: number | undefined;
}

/** Collects every point; copies them, because readers reuse their batch array. */
class FakeSink implements TelemetrySink {
  readonly points: Point[] = [];
  now(): number {
    return Date.now();
  }
  send(metric: string, value: unknown, opts?: { timestamp?: number | Date }): number {
    this.points.push({ metric, value, timestamp: opts?.timestamp as number | undefined });
    return 1;
  }
  sendBatch(points: Array<{ metric: string; value: unknown }>, opts?: { timestamp?: number | Date }): number {
    for (const p of points)
      this.points.push({ metric: p.metric, value: p.value, timestamp: opts?.timestamp as number | undefined });
    return points.length;
  }
  sendVideoFrame(): Promise<never> {
    return Promise.reject(new Error('no video here'));
  }
  values(metric: string): unknown[] {
    return this.points.filter((p) => p.metric === metric).map((p) => p.value);
  }
}

let sources: NetworkLineSource[] = [];
let clients: Socket[] = [];
let servers: Server[] = [];
let udps: UdpSocket[] = [];

afterEach(async () => {
  for (const c of clients) c.destroy();
  clients = [];
  await Promise.all(sources.map((s) => s.stop()));
  sources = [];
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  servers = [];
  await Promise.all(udps.map((u) => new Promise<void>((r) => u.close(() => r()))));
  udps = [];
});

/** A port nothing listens on right now (the OS picks it, we release it). */
async function freePort(protocol: 'tcp' | 'udp'): Promise<number> {
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

async function source(
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

interface Client {
  socket: Socket;
  closed: () => boolean;
  localPort: number;
}

async function client(port: number, host = '127.0.0.1'): Promise<Client> {
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

function write(c: Client, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => c.socket.write(data, (e) => (e ? reject(e) : resolve())));
}

function udpSender(): UdpSocket {
  const u = createSocket('udp4');
  udps.push(u);
  return u;
}

function sendDatagram(u: UdpSocket, port: number, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => u.send(data, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
}

describe('network lines over TCP', () => {
  it('records plotter lines as points prefixed with the source name, stamped at arrival', async () => {
    const { src, sink, port } = await source({ name: 'bench', parser: 'plotter' });
    expect(src.status()).toEqual({ state: 'listening', message: `listening on 127.0.0.1:${port} (TCP)` });
    const before = Date.now();
    const c = await client(port);
    await write(c, 'temp:21.5,hum:40.2\n22.0 41\r\n');
    await until(() => src.stats().lines === 2, 5000, 'two lines');
    expect(sink.points.map((p) => [p.metric, p.value])).toEqual([
      ['bench.temp', 21.5],
      ['bench.hum', 40.2],
      ['bench.value1', 22],
      ['bench.value2', 41],
    ]);
    for (const p of sink.points) {
      expect(p.timestamp).toBeGreaterThanOrEqual(before);
      expect(p.timestamp).toBeLessThanOrEqual(Date.now());
    }
    const st = src.stats();
    expect(st).toMatchObject({ connections: 1, totalConnections: 1, points: 4, parser: 'plotter', refused: 0 });
    expect(st.bytes).toBe(Buffer.byteLength('temp:21.5,hum:40.2\n22.0 41\r\n'));
    expect(src.log().some((e) => e.message === `127.0.0.1:${c.localPort}: connected`)).toBe(true);
  });

  it('detects the format of each of two simultaneous connections on its own (csv and key=value)', async () => {
    const { src, sink, port } = await source({ parser: 'auto' });
    const a = await client(port);
    const b = await client(port);
    await until(() => src.stats().connections === 2, 5000, 'two connections');
    // Interleaved, so neither connection's lines arrive as one block.
    await write(a, 'time,temp\n1,20\n');
    await write(b, 'volt=1.5 amp=0.25\nvolt=1.6 amp=0.26\n');
    await write(a, '2,21\n3,22\n');
    await write(b, 'volt=1.7 amp=0.27\nvolt=1.8 amp=0.28\n');
    await write(a, '4,23\n');
    await write(b, 'volt=1.9 amp=0.29 mode="cc"\n');
    await until(() => src.stats().lines === 10, 5000, 'ten lines (the csv header included)');
    expect(sink.values('bench.temp')).toEqual([20, 21, 22, 23]);
    expect(sink.values('bench.time')).toEqual([1, 2, 3, 4]);
    expect(sink.values('bench.volt')).toEqual([1.5, 1.6, 1.7, 1.8, 1.9]);
    expect(sink.values('bench.mode')).toEqual(['cc']);
    const log = src.log().map((e) => e.message);
    expect(log.some((m) => m.startsWith(`127.0.0.1:${a.localPort}: detected the csv format`))).toBe(true);
    expect(log.some((m) => m.startsWith(`127.0.0.1:${b.localPort}: detected the kv format`))).toBe(true);
    expect(src.stats().parser).not.toBeNull();
    expect(Object.values(src.stats().problems).every((n) => n === 0)).toBe(true);
  });

  it('records a last line without a line end when the client closes, and keeps the counts after', async () => {
    const { src, sink, port } = await source();
    const c = await client(port);
    await write(c, 'temp:1\ntemp:2');
    c.socket.end();
    await until(() => src.stats().lines === 2 && src.stats().connections === 0, 5000, 'the last line and the close');
    expect(sink.values('bench.temp')).toEqual([1, 2]);
    expect(src.stats()).toMatchObject({ lines: 2, points: 2, totalConnections: 1, connections: 0 });
    await until(() => src.log().some((e) => e.message.includes(`${c.localPort}: disconnected after`)), 5000, 'log');
  });

  it('counts garbage, invalid UTF-8 and an over-long line, keeps the good lines around them, and keeps listening', async () => {
    const { src, sink, port } = await source();
    const c = await client(port);
    await write(c, 'a:1\n');
    await write(c, Buffer.from([0x01, 0x02, 0x03, 0x67, 0x61, 0x72, 0x62, 0x0a])); // control bytes
    await write(c, 'a:2\n');
    await write(c, Buffer.from([0x61, 0x3a, 0xff, 0xfe, 0x33, 0x0a])); // not UTF-8
    await write(c, `b:${'9'.repeat(70 * 1024)}\n`); // over 64 KiB
    await write(c, 'a:3\n');
    await until(() => sink.values('bench.a').length === 3, 5000, 'the three good lines');
    expect(sink.values('bench.a')).toEqual([1, 2, 3]);
    expect(sink.values('bench.b')).toEqual([]);
    await until(() => src.stats().problems.overlong === 1, 5000, 'the overlong line counted');
    expect(src.stats().problems).toMatchObject({ garbage: 1, 'invalid-utf8': 1, overlong: 1 });
    const warnings = src.log().filter((e) => e.level === 'warn' && e.message.startsWith(`127.0.0.1:${c.localPort}: `));
    expect(warnings.map((e) => e.message.split(': ')[1])).toEqual(['garbage', 'invalid-utf8', 'overlong']);
    // The same connection and a new one still work.
    await write(c, 'a:4\n');
    const d = await client(port);
    await write(d, 'a:5\n');
    await until(() => sink.values('bench.a').length === 5, 5000, 'lines after the bad ones');
    expect(src.status().state).toBe('listening');
    // Counts of a closed connection stay in the totals.
    c.socket.destroy();
    await until(() => src.stats().connections === 1, 5000, 'the first connection closed');
    expect(src.stats().problems).toMatchObject({ garbage: 1, 'invalid-utf8': 1, overlong: 1 });
  });

  it('survives a connection reset by the client and keeps its lines', async () => {
    const { src, sink, port } = await source();
    const c = await client(port);
    await write(c, 'x:1\n');
    await until(() => src.stats().lines === 1, 5000, 'a line');
    c.socket.resetAndDestroy();
    await until(() => src.stats().connections === 0, 5000, 'the reset connection gone');
    const d = await client(port);
    await write(d, 'x:2\n');
    await until(() => sink.values('bench.x').length === 2, 5000, 'a line on a new connection');
    expect(src.status().state).toBe('listening');
  });

  it('refuses connections above the cap, counts them, and keeps serving the others', async () => {
    const { src, sink, port } = await source({}, { maxConnections: 2 });
    const a = await client(port);
    const b = await client(port);
    await until(() => src.stats().connections === 2, 5000, 'two connections');
    const c = await client(port); // the OS accepts it; the source closes it at once
    await until(() => c.closed(), 5000, 'the third connection closed by the source');
    expect(src.stats()).toMatchObject({ refused: 1, connections: 2, totalConnections: 2 });
    expect(src.log().some((e) => e.level === 'warn' && e.message.includes('refused'))).toBe(true);
    await write(a, 'n:1\n');
    await write(b, 'n:2\n');
    await until(() => sink.values('bench.n').length === 2, 5000, 'lines on the two accepted connections');
    expect(a.closed() || b.closed()).toBe(false);
    // Once one closes, a new connection is accepted again.
    a.socket.end();
    await until(() => src.stats().connections === 1, 5000, 'one closed');
    const d = await client(port);
    await write(d, 'n:3\n');
    await until(() => sink.values('bench.n').length === 3, 5000, 'a line on the new connection');
    expect(src.stats().refused).toBe(1);
  });

  it('closes a connection idle for longer than idleTimeoutMs', async () => {
    const { src, port } = await source({}, { idleTimeoutMs: 200 });
    const c = await client(port);
    await write(c, 'x:1\n');
    await until(() => c.closed(), 5000, 'the idle connection closed');
    expect(src.stats()).toMatchObject({ connections: 0, lines: 1 });
    expect(src.log().some((e) => e.message.includes('no data for 0.2 s'))).toBe(true);
  });

  it('rate-limits connection messages when a client reconnects in a loop', async () => {
    const { src, port } = await source();
    for (let i = 0; i < 40; i++) {
      const c = await client(port);
      c.socket.end();
      await until(() => c.closed(), 5000, 'closed');
    }
    await until(() => src.stats().totalConnections === 40 && src.stats().connections === 0, 5000, 'all counted');
    const connectionMessages = src.log().filter((e) => / (connected|disconnected after)/.test(e.message));
    expect(connectionMessages.length).toBeLessThanOrEqual(20);
    await src.stop();
    expect(src.log().some((e) => /more connection messages .* were not logged/.test(e.message))).toBe(true);
  });
});

describe('network lines over UDP', () => {
  it('records a datagram of one line, one of three lines, and one without a line end', async () => {
    const { src, sink, port } = await source({ protocol: 'udp', name: 'rig' });
    expect(src.status().message).toBe(`listening on 127.0.0.1:${port} (UDP)`);
    const u = udpSender();
    await sendDatagram(u, port, 'temp:1\n');
    await sendDatagram(u, port, 'temp:2\ntemp:3\r\ntemp:4\n');
    await sendDatagram(u, port, 'temp:5');
    await sendDatagram(u, port, 'temp:6,hum:7');
    await until(() => src.stats().lines === 6, 5000, 'six lines');
    expect(sink.values('rig.temp')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sink.values('rig.hum')).toEqual([7]);
    expect(src.stats()).toMatchObject({ datagrams: 4, connections: 1, totalConnections: 1, points: 7 });
  });

  it('detects each sender’s format across its datagrams, one line per datagram', async () => {
    const { src, sink, port } = await source({ protocol: 'udp', parser: 'auto' });
    const csv = udpSender();
    const kv = udpSender();
    await sendDatagram(csv, port, 'time,temp'); // a header alone in a datagram, no line end
    await sendDatagram(kv, port, 'volt=1.5');
    for (let i = 1; i <= 4; i++) {
      await sendDatagram(csv, port, `${i},${20 + i}`);
      await sendDatagram(kv, port, `volt=${1.5 + i}`);
    }
    await until(() => src.stats().lines === 10, 5000, 'ten lines (the csv header included)');
    expect(sink.values('bench.temp')).toEqual([21, 22, 23, 24]);
    expect(sink.values('bench.volt')).toEqual([1.5, 2.5, 3.5, 4.5, 5.5]);
    const log = src.log().map((e) => e.message);
    expect(log.some((m) => /^127\.0\.0\.1:\d+: detected the csv format/.test(m))).toBe(true);
    expect(log.some((m) => /^127\.0\.0\.1:\d+: detected the kv format/.test(m))).toBe(true);
    expect(src.stats().connections).toBe(2);
  });

  it('counts bad bytes in a datagram and keeps the good lines of it', async () => {
    const { src, sink, port } = await source({ protocol: 'udp' });
    const u = udpSender();
    await sendDatagram(
      u,
      port,
      Buffer.concat([Buffer.from('v:1\n'), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from('v:2')]),
    );
    await until(() => src.stats().lines === 2, 5000, 'the two good lines');
    expect(sink.values('bench.v')).toEqual([1, 2]);
    expect(src.stats().problems['invalid-utf8']).toBe(1);
  });

  it('records lines still held for format detection when stopped, and leaves no timer running', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { src, sink, port } = await source({ protocol: 'udp', parser: 'auto' });
    await sendDatagram(udpSender(), port, 'temp:21.5');
    await until(() => src.stats().datagrams === 1, 5000, 'the datagram');
    expect(sink.points).toEqual([]); // held: one line is not enough to decide on a format
    await src.stop();
    expect(sink.values('bench.temp')).toEqual([21.5]);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe('the listening port', () => {
  it('listens on 127.0.0.1 only', async () => {
    for (const protocol of ['tcp', 'udp'] as const) {
      const { src, port } = await source({ protocol });
      expect(src.address()).toMatchObject({ address: '127.0.0.1', port, family: 'IPv4' });
      expect(src.status().message).toContain(`127.0.0.1:${port}`);
    }
    // And really not reachable on another address of this computer (when it has one).
    const { port } = await source({ protocol: 'tcp' });
    const other = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (other) await expect(client(port, other)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(client(port)).resolves.toBeDefined();
  });

  for (const protocol of ['tcp', 'udp'] as const) {
    it(`reports a ${protocol.toUpperCase()} port in use by another program as an error naming the port, without throwing`, async () => {
      let port: number;
      if (protocol === 'tcp') {
        const other = createServer();
        servers.push(other);
        await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
        port = (other.address() as { port: number }).port;
      } else {
        const other = udpSender();
        await new Promise<void>((r) => other.bind(0, '127.0.0.1', r));
        port = other.address().port;
      }
      const sink = new FakeSink();
      const src = new NetworkLineSource({ name: 'bench', protocol, port, parser: 'auto' }, sink);
      sources.push(src);
      const states: string[] = [];
      src.on('status', (s) => states.push(s.state));
      await expect(src.start()).resolves.toBeUndefined();
      expect(src.status().state).toBe('error');
      expect(src.status().message).toContain(`port ${port}`);
      expect(src.status().message).toMatch(/in use by another program — choose another port/);
      expect(states).toEqual(['starting', 'error']);
      expect(src.address()).toBeNull();
      expect(src.log().some((e) => e.level === 'error' && e.message.includes(String(port)))).toBe(true);
      await src.stop();
      expect(src.status().state).toBe('stopped');
    });
  }

  it('stop() closes open connections and frees the port; the source can start again', async () => {
    const { src, sink, port } = await source();
    const a = await client(port);
    const b = await client(port);
    await write(a, 'x:1\nx:2'); // the half line is recorded on stop
    await until(() => src.stats().connections === 2 && src.stats().lines === 1, 5000, 'connected');
    await src.stop();
    await until(() => a.closed() && b.closed(), 5000, 'both clients see the close');
    expect(src.status()).toEqual({ state: 'stopped', message: 'stopped' });
    expect(sink.values('bench.x')).toEqual([1, 2]);
    expect(src.stats()).toMatchObject({ connections: 0, lines: 2 });
    await src.stop(); // idempotent
    await expect(client(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((r) => again.close(() => r()));

    await src.start();
    expect(src.status().state).toBe('listening');
    const c = await client(port);
    await write(c, 'x:3\n');
    await until(() => sink.values('bench.x').length === 3, 5000, 'a line after the restart');
  });
});
