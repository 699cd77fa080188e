// Network line sources over real loopback UDP datagrams, and the listening port (loopback only, a
// port in use, stop and start again): the sink is a fake that collects points, the rest is real.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { NetworkLineSource } from '../../src/main/plugins/network/network-lines';
import { until } from '../helpers/plexus';
import {
  closeAll,
  sources,
  servers,
  FakeSink,
  source,
  client,
  write,
  udpSender,
  sendDatagram,
} from './network-harness';

afterEach(closeAll);

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
