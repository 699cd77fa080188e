// Serial devices over real pseudo-terminals (socat) driven by a simulated device process.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plexus } from '../../src/main/plexus';
import {
  listSerialPorts,
  SerialDevice,
  type SerialDeviceConfig,
  type SerialState,
} from '../../src/main/devices/serial';
import { explainOpenError } from '../../src/main/devices/serial/os-hints';
import { ptyPair, simDevice } from '../helpers/pty';
import { readLog, until } from '../helpers/plexus';
import { serialBench } from '../helpers/serial';
import { tempDir } from '../helpers/tmp';

const { localClient, device, cleanup } = serialBench('bench_psu');

async function recorded(c: Plexus): Promise<ReturnType<typeof readLog>> {
  await c.persisted();
  return readLog(c.dataDir);
}

const waitState = (d: SerialDevice, s: SerialState, ms = 5000) =>
  until(() => d.status().state === s, ms, `state ${s} (now ${d.status().state}: ${d.status().message})`);

afterEach(cleanup);

describe('serial devices', () => {
  const formats: Array<[string, SerialDeviceConfig['parser'], string[], Record<string, unknown>]> = [
    [
      'Arduino plotter lines',
      'plotter',
      ['voltage:12.41,current:1.93\n', '12.40 1.95\r\n'],
      { 'bench_psu.voltage': 12.41, 'bench_psu.current': 1.93, 'bench_psu.value1': 12.4, 'bench_psu.value2': 1.95 },
    ],
    [
      'CSV with a header',
      'csv',
      ['voltage,current\n', '12.41,1.93\n', '12.39,1.90\n'],
      { 'bench_psu.voltage': 12.39, 'bench_psu.current': 1.9 },
    ],
    [
      'JSON lines, nested',
      'jsonl',
      ['{"psu":{"v":12.41,"state":"ON"},"t":3}\n'],
      { 'bench_psu.psu.v': 12.41, 'bench_psu.psu.state': 'ON', 'bench_psu.t': 3 },
    ],
    [
      'key=value pairs',
      'kv',
      ['voltage=12.41 current=1.93 mode="cc"\n'],
      { 'bench_psu.voltage': 12.41, 'bench_psu.current': 1.93, 'bench_psu.mode': 'cc' },
    ],
  ];
  for (const [name, parser, lines, expected] of formats) {
    it(`reads ${name}, prefixed by the device name, stamped at arrival`, async () => {
      const dir = tempDir();
      const pty = await ptyPair(dir);
      const c = localClient();
      const d = device({ path: pty.host, parser }, c);
      await waitState(d, 'open');
      const before = c.now();
      simDevice(pty.device, { lines });
      await until(() => d.stats().lines === lines.length, 5000, 'the lines');
      const pts = await recorded(c);
      const last = Object.fromEntries(pts.map((p) => [p.metric, p.value]));
      expect(last).toMatchObject(expected);
      for (const p of pts) {
        expect(p.timestamp).toBeGreaterThanOrEqual(Math.floor(before));
        expect(p.timestamp).toBeLessThanOrEqual(Math.ceil(c.now()));
      }
      expect(Object.values(d.stats().problems).every((n) => n === 0)).toBe(true);
    });
  }

  it('auto-detects the format from the first lines and says why', async () => {
    const pty = await ptyPair(tempDir());
    const c = localClient();
    const d = device({ path: pty.host, parser: 'auto', prefix: 'daq' }, c);
    await waitState(d, 'open');
    simDevice(pty.device, { lines: ['ch1,ch2,ch3\n', '1,2,3\n', '4,5,6\n', '7,8,9\n', '10,11,12\n'] });
    await until(() => d.stats().parser === 'csv' && d.stats().lines >= 4, 5000, 'csv detected');
    expect(d.log().some((e) => e.message.startsWith('detected the csv format'))).toBe(true);
    const pts = await recorded(c);
    expect(pts.filter((p) => p.metric === 'daq.ch3').map((p) => p.value)).toEqual([3, 6, 9, 12]);
  });

  it('unplug (the pty vanishes without an OS event) and replug at the same path: reopens, data resumes', async () => {
    const dir = tempDir();
    let pty = await ptyPair(dir);
    const c = localClient();
    const d = device({ path: pty.host, parser: 'plotter' }, c);
    const states: SerialState[] = [];
    d.on('status', (s) => states.push(s.state));
    await waitState(d, 'open');
    simDevice(pty.device, { lines: ['a:1\n'] });
    await until(() => d.stats().lines === 1, 3000, 'first line');
    await pty.kill();
    await waitState(d, 'waiting');
    expect(d.status().message).toMatch(/waiting for device/);
    pty = await ptyPair(dir, 'tty', { device: pty.device, host: pty.host });
    await waitState(d, 'open');
    simDevice(pty.device, { lines: ['a:2\n'] });
    await until(() => d.stats().lines === 2, 3000, 'a line after the replug');
    expect(states).toEqual(expect.arrayContaining(['open', 'closed', 'waiting', 'opening', 'open']));
    expect(d.stats().opens).toBe(2);
    const pts = await recorded(c);
    expect(pts.map((p) => p.value)).toEqual([1, 2]);
  });

  it('5,000 lines/s × 8 values for 10 s at 921,600 baud: every line parsed, none lost', async () => {
    const pty = await ptyPair(tempDir());
    const c = localClient();
    const d = device({ path: pty.host, parser: 'plotter', baudRate: 921_600, name: 'fast' }, c);
    await waitState(d, 'open');
    const sim = simDevice(pty.device, { rate: { linesPerSec: 5000, seconds: 10, values: 8 } });
    await until(() => d.stats().lines >= 50_000, 25_000, '50,000 lines');
    await sim.kill();
    expect(d.stats().lines).toBe(50_000);
    expect(d.stats().points).toBe(400_000);
    const seqs = (await recorded(c)).filter((p) => p.metric === 'fast.seq').map((p) => p.value as number);
    expect(seqs).toHaveLength(50_000);
    expect(seqs.every((v, i) => v === i)).toBe(true);
    expect(Object.values(d.stats().problems).every((n) => n === 0)).toBe(true);
  }, 40_000);

  it('bad input is counted per kind, the first few logged, and the good lines around it kept', async () => {
    const pty = await ptyPair(tempDir());
    const c = localClient();
    const d = device({ path: pty.host, parser: 'plotter', name: 'dut' }, c);
    await waitState(d, 'open');
    const long = 'x'.repeat(70 * 1024);
    simDevice(pty.device, {
      lines: ['good:1\n'],
      hex: [
        '00ff13a5c3280a', // garbage bytes (control + invalid), then a line end
        '676f6f643a320a', // good:2
        'c328c3a90a', // invalid UTF-8
        Buffer.from('good:3\n').toString('hex'),
        Buffer.from(`${long}good:lost\n`).toString('hex'), // > 64 KiB without a line end: skipped to the next end
        Buffer.from('good:4\n').toString('hex'),
        Buffer.from('temp:abc,good:5\n').toString('hex'), // non-numeric field, good field kept
        Buffer.from('temp:NaN,hum:inf,good:6\n').toString('hex'), // NaN/Infinity text
        Buffer.from('good:7\n').toString('hex'),
      ],
    });
    await until(() => (d.stats().lines ?? 0) >= 7 && d.stats().problems['not-finite'] >= 2, 5000, 'all lines');
    const s = d.stats();
    expect(s.problems.garbage + s.problems['invalid-utf8']).toBe(2);
    expect(s.problems['invalid-utf8']).toBeGreaterThanOrEqual(1);
    expect(s.problems.overlong).toBe(1);
    expect(s.problems['non-numeric']).toBe(1);
    expect(s.problems['not-finite']).toBe(2);
    const good = (await recorded(c)).filter((p) => p.metric === 'dut.good').map((p) => p.value);
    expect(good).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const warnings = d
      .log()
      .filter((e) => e.level === 'warn')
      .map((e) => e.message);
    expect(warnings.some((m) => m.startsWith('overlong:'))).toBe(true);
    expect(warnings.some((m) => m.startsWith('non-numeric:') && m.includes('abc'))).toBe(true);
    expect(d.status().state).toBe('open');
  });

  it('logs only the first few problems of a kind but counts them all', async () => {
    const pty = await ptyPair(tempDir());
    const c = localClient();
    const d = device({ path: pty.host, parser: 'plotter' }, c);
    await waitState(d, 'open');
    simDevice(pty.device, { lines: [Array.from({ length: 50 }, () => 'x:oops\n').join(''), 'ok:1\n'] });
    await until(() => d.stats().lines === 51, 5000, '51 lines');
    expect(d.stats().problems['non-numeric']).toBe(50);
    expect(d.log().filter((e) => e.message.startsWith('non-numeric:'))).toHaveLength(5);
  });

  it('writes a line to the device', async () => {
    const pty = await ptyPair(tempDir());
    const c = localClient();
    const d = device({ path: pty.host, parser: 'plotter' }, c);
    await waitState(d, 'open');
    const sim = simDevice(pty.device, { lines: [] });
    await new Promise((r) => setTimeout(r, 200));
    await d.write('SET:VOLT 12.0');
    await until(() => sim.received.includes('SET:VOLT 12.0'), 3000, 'the device to receive the line');
    await expect(d.write('two\nlines')).rejects.toThrow(/without line breaks/);
  });

  it('a port held by another process is reported busy, naming the process', async () => {
    const pty = await ptyPair(tempDir());
    // Another program opens and locks the port first.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const {SerialPort}=require('serialport');const p=new SerialPort({path:${JSON.stringify(pty.host)},baudRate:9600,lock:true},()=>console.log('held'));setTimeout(()=>{},60000)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() },
    );
    try {
      await new Promise<void>((r) => holder.stdout.once('data', () => r()));
      const c = localClient();
      const d = device({ path: pty.host, parser: 'plotter' }, c);
      await waitState(d, 'error');
      // (socat, which plays the cable here, holds the pty too and is listed as well.)
      expect(d.status().message).toMatch(new RegExp(`busy: in use by .*node \\(pid ${holder.pid}\\)`));
      holder.kill('SIGKILL');
      await waitState(d, 'open', 10_000); // retried with backoff once it is free
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('explains a permission problem with the group to join', () => {
    // Tests run as root, which no permission stops: take a node owned by the dialout group, as
    // /dev/ttyUSB0 is on Debian, and the error open() gives a user outside it.
    const node = join(tempDir(), 'ttyUSB0');
    writeFileSync(node, '');
    chownSync(node, 0, 20);
    const err = Object.assign(new Error(`Error: Permission denied, cannot open ${node}`), { code: 'EACCES' });
    const why = explainOpenError(node, err);
    expect(why.kind).toBe('denied');
    expect(why.message).toMatch(
      /join the "dialout" group \(sudo usermod -aG dialout \$USER\), then log out and in again/,
    );
  });

  it('finds a device again by USB serial number after re-enumeration to another path', async () => {
    const dir = tempDir();
    const a = await ptyPair(dir, 'usb0');
    const b = await ptyPair(dir, 'usb1');
    let list = [
      { path: a.host, vendorId: '2341', productId: '0043', manufacturer: 'Arduino', serialNumber: 'SN123', label: '' },
    ];
    const c = localClient();
    const d = device({ path: undefined as unknown as string, serialNumber: 'SN123', parser: 'plotter' }, c, {
      listPorts: async () => list,
    });
    await waitState(d, 'open');
    expect(d.status().path).toBe(a.host);
    simDevice(a.device, { lines: ['x:1\n'] });
    await until(() => d.stats().lines === 1, 3000, 'line on the first path');
    // Unplugged and re-enumerated as another node.
    list = [];
    await a.kill();
    await waitState(d, 'waiting');
    expect(d.status().message).toMatch(/serial number SN123/);
    list = [
      { path: b.host, vendorId: '2341', productId: '0043', manufacturer: 'Arduino', serialNumber: 'SN123', label: '' },
    ];
    await waitState(d, 'open');
    expect(d.status().path).toBe(b.host);
    simDevice(b.device, { lines: ['x:2\n'] });
    await until(() => d.stats().lines === 2, 3000, 'line on the new path');
  });

  it('refuses bad settings with a message naming them', () => {
    const c = localClient();
    const base = { name: 'psu', parser: 'plotter' as const, path: '/dev/null' };
    expect(() => new SerialDevice({ ...base, baudRate: 0 }, c)).toThrow(/baud rate must be a whole number from 50/);
    expect(() => new SerialDevice({ ...base, baudRate: 9600, parity: 'maybe' as 'none' }, c)).toThrow(/parity/);
    expect(() => new SerialDevice({ ...base, baudRate: 9600, dataBits: 9 as 8 }, c)).toThrow(/data bits/);
    expect(() => new SerialDevice({ name: 'psu', parser: 'plotter', baudRate: 9600 }, c)).toThrow(/say which port/);
    expect(() => new SerialDevice({ ...base, baudRate: 9600, parser: 'xml' as 'csv' }, c)).toThrow(/parser must be/);
    expect(() => new SerialDevice({ ...base, baudRate: 2_000_000 }, c)).not.toThrow();
  });

  it('lists serial ports without failing (udev present)', async () => {
    const ports = await listSerialPorts();
    expect(Array.isArray(ports)).toBe(true);
    for (const p of ports) expect(p.label).toContain(p.path);
  });
});
