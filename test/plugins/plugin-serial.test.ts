// Serial ports for script plugins (ctx.serial): opened by the plugin host on the main thread (the
// serial driver kills the process when used from a worker), with bytes crossing to and from a real
// plugin in its worker thread. A socat pty pair plays the cable; this test process plays the device
// on the other end. Every port a plugin opened must be closed when it stops or crashes.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { SerialPort } from 'serialport';
import { pluginSerialOpener } from '../../src/main/host/plugin-serial-opener';
import { Sources } from '../../src/main/host/sources';
import type { RecordingSink } from '../../src/main/host/recording-sink';
import type { SerialOpener } from '../../src/main/plugins';
import { until } from '../helpers/plexus';
import { killAllPtyProcesses, ptyPair, type PtyPair } from '../helpers/pty';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { CommandBoard, MemorySink, plugins, scriptPlugin, stopManagers } from './helpers';

const devices: SerialPort[] = [];

afterEach(async () => {
  await stopManagers();
  await Promise.all(devices.splice(0).map((d) => new Promise((r) => (d.isOpen ? d.close(r) : r(null)))));
  await killAllPtyProcesses();
  cleanupTempDirs();
});

const PATH_CONFIG = `{ type: 'object', properties: { path: { type: 'string', default: '' } } }`;

/** The manager with the host's own opener (a fast presence check, so an unplug shows quickly). */
function manager(sink: MemorySink, board = new CommandBoard(), sourceHolding?: (path: string) => string | null) {
  return plugins(sink, board, {
    serial: pluginSerialOpener({ presencePollMs: 100, ...(sourceHolding ? { sourceHolding } : {}) }),
  });
}

/** The host's opener, noting when a port's reading is paused and resumed (the memory bound). */
function watchedOpener(flow: string[]): SerialOpener {
  const real = pluginSerialOpener({ presencePollMs: 100 });
  return {
    list: () => real.list(),
    open: async (path, options) => {
      const port = await real.open(path, options);
      const [pause, resume] = [port.pause.bind(port), port.resume.bind(port)];
      port.pause = () => (flow.push('pause'), pause());
      port.resume = () => (flow.push('resume'), resume());
      return port;
    },
  };
}

/** The device's end of the cable, opened in this (main) thread, collecting what it receives. */
async function deviceEnd(pty: PtyPair): Promise<{ port: SerialPort; received: () => Buffer }> {
  const port = new SerialPort({ path: pty.device, baudRate: 115200, autoOpen: false });
  devices.push(port);
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  const chunks: Buffer[] = [];
  port.on('data', (c: Buffer) => chunks.push(c));
  return { port, received: () => Buffer.concat(chunks) };
}

function writeAll(port: SerialPort, bytes: Buffer): Promise<void> {
  return new Promise((res, rej) => port.write(bytes, (e) => (e ? rej(e) : port.drain((d) => (d ? rej(d) : res())))));
}

/** Whether this process can open and lock the port itself: nobody (here or elsewhere) holds it. */
async function canOpenExclusively(path: string): Promise<true | string> {
  const p = new SerialPort({ path, baudRate: 9600, autoOpen: false, lock: true });
  const err = await new Promise<Error | null>((r) => p.open(r));
  if (err) return err.message;
  await new Promise((r) => p.close(r));
  return true;
}

const events = (sink: MemorySink, metric: string): unknown[] => sink.of(metric).map((p) => p.value);

/** 0..255, then 255..0, then a few bytes a terminal would eat (^C, ^S, ^Q, CR, LF, DEL). */
const BINARY = Buffer.from([
  ...Array.from({ length: 256 }, (_, i) => i),
  ...Array.from({ length: 256 }, (_, i) => 255 - i),
  0x03,
  0x13,
  0x11,
  0x0d,
  0x0a,
  0x7f,
  0x00,
]);

describe('serial ports for script plugins', () => {
  it('echoes binary bytes both ways: the plugin writes first, then sends back what it reads', async () => {
    const pty = await ptyPair(tempDir());
    const dev = await deviceEnd(pty);
    const sink = new MemorySink();
    const p = manager(sink);
    p.add(
      scriptPlugin(
        'echo',
        `const link = await ctx.serial.open(ctx.config.path, { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 });
    ctx.event('opened', link.path + ' ' + link.isOpen);
    await link.write(new Uint8Array([0xfe, 0x00, 0x80, 0xff, 0x7f, 0x01]));
    await link.write('µ'); // text goes out as UTF-8
    ctx.event('greeted');
    const got: number[] = [];
    link.onData((bytes) => {
      got.push(...bytes);
      if (got.length >= ${BINARY.length}) ctx.event('rx', got); // (a JSON array: at most 4 KB)
      link.write(bytes).catch((e) => ctx.log.error(String(e)));
    });`,
        { config: PATH_CONFIG },
      ),
      'echo',
      { path: pty.host },
    );
    await until(() => events(sink, 'echo.greeted').length === 1, 20_000, 'the greeting to be drained');
    expect(events(sink, 'echo.opened')).toEqual([`${pty.host} true`]);
    const greeting = Buffer.from([0xfe, 0x00, 0x80, 0xff, 0x7f, 0x01, 0xc2, 0xb5]);
    await until(() => dev.received().length >= greeting.length, 5000, 'the greeting at the device');
    expect(dev.received()).toEqual(greeting);
    expect(p.openSerialPorts()).toEqual([{ path: pty.host, plugin: 'echo' }]);

    await writeAll(dev.port, BINARY);
    await until(() => dev.received().length >= greeting.length + BINARY.length, 10_000, 'the echo');
    expect(dev.received().subarray(greeting.length)).toEqual(BINARY);
    // What the plugin's listener was handed, in order, byte for byte.
    await until(() => events(sink, 'echo.rx').length === 1, 5000, 'the bytes the plugin read');
    expect(events(sink, 'echo.rx')).toEqual([[...BINARY]]);
    expect(p.views()[0]!.log.some((l) => l.message === `serial: opened ${pty.host}`)).toBe(true);
  });

  it('a 1 MB write arrives complete and in order, and 3 MB sent before the plugin listens all reach it', async () => {
    const pty = await ptyPair(tempDir());
    const dev = await deviceEnd(pty);
    const sink = new MemorySink();
    const board = new CommandBoard();
    const flow: string[] = [];
    const p = plugins(sink, board, { serial: watchedOpener(flow) });
    const MB = 1024 * 1024;
    p.add(
      scriptPlugin(
        'bulk',
        `const link = await ctx.serial.open(ctx.config.path, { baudRate: 1000000 });
    ctx.onCommand('blast', async () => {
      const data = new Uint8Array(${MB});
      for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 8)) & 0xff;
      const t0 = Date.now();
      await link.write(data);
      return { ms: Date.now() - t0 };
    });
    ctx.onCommand('listen', () => {
      const hash = createHash('sha256');
      let n = 0;
      link.onData((b) => {
        hash.update(b);
        n += b.length;
        if (n >= ${3 * MB}) ctx.event('got', { n, sha: hash.digest('hex') });
      });
      return { ok: true };
    });
    ctx.event('ready');`,
        { config: PATH_CONFIG, top: "import { createHash } from 'node:crypto';" },
      ),
      'bulk',
      { path: pty.host },
    );
    await until(() => events(sink, 'bulk.ready').length === 1, 20_000, 'the plugin');

    // Plugin → device.
    const expected = Buffer.alloc(MB);
    for (let i = 0; i < MB; i++) expected[i] = (i * 7 + (i >> 8)) & 0xff;
    await board.call('bulk.blast');
    await until(() => dev.received().length >= MB, 30_000, '1 MB at the device');
    expect(dev.received().length).toBe(MB);
    expect(dev.received().equals(expected)).toBe(true);

    // Device → plugin, 3 MB written before the plugin has a listener: held (the host stops
    // reading past its bound, the cable backs up) and handed over whole once it listens.
    const big = Buffer.alloc(3 * MB);
    for (let i = 0; i < big.length; i++) big[i] = (i * 13 + (i >> 10)) & 0xff;
    const sent = writeAll(dev.port, big);
    // Past its bound (about 1 MB the plugin has not taken) the host stops reading the port.
    await until(() => flow.includes('pause'), 30_000, 'the host to stop reading');
    expect(events(sink, 'bulk.got')).toEqual([]);
    expect(flow).toEqual(['pause']);
    await board.call('bulk.listen');
    await until(() => events(sink, 'bulk.got').length === 1, 60_000, '3 MB at the plugin');
    await sent;
    expect(flow[0]).toBe('pause');
    expect(flow).toContain('resume');
    expect(events(sink, 'bulk.got')).toEqual([{ n: 3 * MB, sha: createHash('sha256').update(big).digest('hex') }]);
  });

  it('an unplugged port (socat killed) calls onClose with the reason; isOpen is false, nothing stays held', async () => {
    const pty = await ptyPair(tempDir());
    const sink = new MemorySink();
    const p = manager(sink);
    p.add(
      scriptPlugin(
        'unplug',
        `const link = await ctx.serial.open(ctx.config.path, { baudRate: 9600 });
    link.onClose((reason) => {
      ctx.event('closed', reason);
      ctx.event('is_open', link.isOpen);
      link.write('x').catch((e) => ctx.event('write_after', e.message));
    });
    ctx.event('ready');`,
        { config: PATH_CONFIG },
      ),
      'unplug',
      { path: pty.host },
    );
    await until(() => events(sink, 'unplug.ready').length === 1, 20_000, 'the plugin');
    expect(p.openSerialPorts()).toHaveLength(1);
    await pty.kill();
    await until(() => events(sink, 'unplug.write_after').length === 1, 10_000, 'onClose');
    // The driver's read fails (closed) or the path goes first (disappeared): the same unplug.
    const closed = events(sink, 'unplug.closed');
    expect(closed).toHaveLength(1);
    expect([`${pty.host} closed (unplugged?)`, `${pty.host} disappeared (unplugged?)`]).toContain(closed[0]);
    expect(events(sink, 'unplug.is_open')).toEqual([false]);
    expect(events(sink, 'unplug.write_after')[0]).toMatch(/is closed/);
    expect(p.openSerialPorts()).toEqual([]);
    expect(p.views()[0]!.state).toBe('running'); // the plugin lives on, its port gone
  });

  it("refusals in a technician's words: no such port, bad options, and no opener at all", async () => {
    const sink = new MemorySink();
    const body = `const tryOpen = async (path, opts) => {
      try {
        await ctx.serial.open(path, opts);
        ctx.event('refused', 'opened?!');
      } catch (e) {
        ctx.event('refused', (e instanceof Error ? 'Error: ' : 'not an Error: ') + e.message);
      }
    };
    await tryOpen('/nonexistent/ttyUSB9', { baudRate: 9600 });
    await tryOpen('/nonexistent/ttyUSB9', { baudRate: 12.5 });
    await tryOpen('/nonexistent/ttyUSB9', { baudRate: 9600, parity: 'weird' });
    await tryOpen('/nonexistent/ttyUSB9', { baudRate: 9600, flowControl: true });
    await tryOpen('', { baudRate: 9600 });
    ctx.event('done');`;
    const p = manager(sink);
    p.add(scriptPlugin('refuse', body), 'refuse');
    await until(() => events(sink, 'refuse.done').length === 1, 20_000, 'the plugin');
    expect(events(sink, 'refuse.refused')).toEqual([
      'Error: /nonexistent/ttyUSB9 is not there (unplugged?)',
      'Error: bad serial options for /nonexistent/ttyUSB9: baudRate must be a whole number from 50 to 4,000,000',
      'Error: bad serial options for /nonexistent/ttyUSB9: parity must be "none", "even", "odd", "mark", "space"',
      'Error: bad serial options for /nonexistent/ttyUSB9: unknown "flowControl" (known: baudRate, dataBits, parity, stopBits)',
      'Error: serial.open() needs the port\'s path, e.g. "/dev/ttyUSB0" or "COM3"',
    ]);
    expect(p.views()[0]!.state).toBe('running');

    // A manager given no opener says so rather than reaching for the driver in the worker.
    const sink2 = new MemorySink();
    const bare = plugins(sink2, new CommandBoard());
    bare.add(scriptPlugin('bare', body), 'bare');
    await until(() => events(sink2, 'bare.done').length === 1, 20_000, 'the plugin without ports');
    expect(events(sink2, 'bare.refused')[0]).toBe(
      'Error: cannot open /nonexistent/ttyUSB9: this recorder offers plugins no serial ports',
    );
  });

  it('a port already open is refused naming its holder: another plugin, the plugin itself, a serial source', async () => {
    const pty = await ptyPair(tempDir());
    const sink = new MemorySink();
    const sources = new Sources(sink as unknown as RecordingSink, () => {});
    try {
      const p = manager(sink, new CommandBoard(), (path) => sources.serialSourceHolding(path));
      p.add(
        scriptPlugin(
          'holder',
          `const link = await ctx.serial.open(ctx.config.path, { baudRate: 9600 });
    try {
      await ctx.serial.open(ctx.config.path, { baudRate: 9600 });
    } catch (e) {
      ctx.event('twice', e.message);
    }
    ctx.event('ready', link.isOpen);`,
          { config: PATH_CONFIG },
        ),
        'holder',
        { path: pty.host },
      );
      await until(() => events(sink, 'holder.ready').length === 1, 20_000, 'the holder');
      expect(events(sink, 'holder.twice')).toEqual([
        `${pty.host} is open already in this plugin; use that link (or close it first)`,
      ]);

      const second = `try {
      await ctx.serial.open(ctx.config.path, { baudRate: 9600 });
      ctx.event('refused', 'opened?!');
    } catch (e) {
      ctx.event('refused', e.message);
    }`;
      p.add(scriptPlugin('second', second, { config: PATH_CONFIG }), 'second', { path: pty.host });
      await until(() => events(sink, 'second.refused').length === 1, 20_000, 'the second plugin');
      expect(events(sink, 'second.refused')).toEqual([
        `${pty.host} is busy: in use by plugin "holder"; close it there and try again`,
      ]);

      // The recorder's own serial source on another cable; a plugin asking for its port is told.
      const other = await ptyPair(tempDir(), 'src');
      sources.addSerial({ name: 'PSU bench', path: other.host, baudRate: 9600, parser: 'auto' });
      await until(() => sources.serialViews()[0]?.state === 'open', 10_000, 'the serial source to open');
      p.add(scriptPlugin('third', second, { config: PATH_CONFIG }), 'third', { path: other.host });
      await until(() => events(sink, 'third.refused').length === 1, 20_000, 'the third plugin');
      expect(events(sink, 'third.refused')).toEqual([
        `${other.host} is busy: in use by the recorder's serial source "PSU bench"; switch it off there and try again`,
      ]);
      expect(p.openSerialPorts()).toEqual([{ path: pty.host, plugin: 'holder' }]);
    } finally {
      await sources.stopAll();
    }
  });

  it('closes every port a plugin opened when it is stopped, and when it crashes (the restart opens it again)', async () => {
    const pty = await ptyPair(tempDir());
    const sink = new MemorySink();
    const board = new CommandBoard();
    const p = manager(sink, board);
    const id = p.add(
      scriptPlugin(
        'crashy',
        `try {
      const link = await ctx.serial.open(ctx.config.path, { baudRate: 9600 });
      ctx.event('opened', link.path);
    } catch (e) {
      ctx.event('open_failed', e.message);
    }
    ctx.onCommand('crash', () => {
      setTimeout(() => {
        throw new Error('boom');
      }, 0);
      return { ok: true };
    });`,
        { config: PATH_CONFIG },
      ),
      'crashy',
      { path: pty.host },
    );
    await until(() => events(sink, 'crashy.opened').length === 1, 20_000, 'the port open');
    // Held: by the registry, and (lock) from anyone else, this very process included.
    expect(p.openSerialPorts()).toEqual([{ path: pty.host, plugin: 'crashy' }]);
    expect(await canOpenExclusively(pty.host)).toMatch(/lock/i);

    await board.call('crashy.crash');
    await until(() => events(sink, 'crashy.opened').length === 2, 20_000, 'the restart to open the port again');
    expect(events(sink, 'crashy.open_failed')).toEqual([]);
    expect(p.views()[0]!.lastError).toMatch(/^threw: boom \(at index\.ts:\d+:\d+\)/);
    expect(p.openSerialPorts()).toEqual([{ path: pty.host, plugin: 'crashy' }]);

    await p.setEnabled(id, false);
    expect(p.openSerialPorts()).toEqual([]);
    expect(await canOpenExclusively(pty.host)).toBe(true);
  });

  it('a plugin stuck in an endless loop is terminated and its port closed all the same', async () => {
    const pty = await ptyPair(tempDir());
    const sink = new MemorySink();
    const board = new CommandBoard();
    const p = plugins(sink, board, {
      serial: pluginSerialOpener({ presencePollMs: 100 }),
      timing: { hangMs: 1000, pingMs: 200, stopGraceMs: 500, restart: { baseMs: 60_000, capMs: 60_000 } },
    });
    p.add(
      scriptPlugin(
        'loop',
        `await ctx.serial.open(ctx.config.path, { baudRate: 9600 });
    ctx.onCommand('hang', () => {
      setTimeout(() => {
        for (;;);
      }, 0);
      return { ok: true };
    });
    ctx.event('ready');`,
        { config: PATH_CONFIG },
      ),
      'loop',
      { path: pty.host },
    );
    await until(() => events(sink, 'loop.ready').length === 1, 20_000, 'the plugin');
    expect(p.openSerialPorts()).toHaveLength(1);
    await board.call('loop.hang');
    await until(() => p.views()[0]!.state === 'restarting', 20_000, 'the hang to be noticed');
    expect(p.views()[0]!.lastError).toMatch(/stopped answering/);
    expect(p.openSerialPorts()).toEqual([]);
    expect(await canOpenExclusively(pty.host)).toBe(true);
  });
});
