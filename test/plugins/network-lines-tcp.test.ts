// Network line sources over real loopback TCP connections: the sink is a fake that collects points
// (it is our own boundary), everything between the socket and it is the real code.
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../helpers/plexus';
import { closeAll, source, client, write } from './network-harness';

afterEach(closeAll);

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
