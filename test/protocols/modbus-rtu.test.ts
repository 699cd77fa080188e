// The Modbus plugin run for real over Modbus RTU: pymodbus's RTU framer on one end of a socat pty
// pair, the plugin (through the Plugins manager, in its worker) on the other, its port opened by
// the recorder's own serial opener (ctx.serial), as in the app.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pluginSerialOpener } from '../../src/main/host/plugin-serial-opener';
import { until } from '../helpers/plexus';
import { killAllPtyProcesses, ptyPair } from '../helpers/pty';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { CommandBoard, MemorySink, plugins, REPO, stopManagers } from '../plugins/helpers';
import {
  BAD_CRC_ADDRESS,
  BUSY_ADDRESS,
  KNOWN,
  modbusConfig,
  startModbusServer,
  LATE_ADDRESS,
  stopModbusServers,
} from './modbus-server';

const PLUGIN = join(REPO, 'plugins', 'modbus');
const LONG = 30_000;

afterEach(async () => {
  await stopManagers();
  await stopModbusServers();
  await killAllPtyProcesses();
  cleanupTempDirs();
});

async function rig() {
  const pty = await ptyPair(tempDir('plexus-modbus-'), 'rs485');
  const server = await startModbusServer({ rtu: pty.device });
  const sink = new MemorySink();
  // A quick presence check, so an unplugged adapter shows within a test's patience.
  const manager = plugins(sink, new CommandBoard(), { serial: pluginSerialOpener({ presencePollMs: 100 }) });
  const view = (name: string) => manager.views().find((x) => x.name === name)!;
  const log = (name: string) => view(name).log.map((l) => l.message);
  const describeView = (name: string) => JSON.stringify({ ...view(name), log: log(name).slice(-8) });
  /** The device under test as "dut": holding register 0 as v, every 0.1 s; back after three values. */
  const addDut = async () => {
    manager.add(
      PLUGIN,
      'dut',
      modbusConfig([{ metric: 'v', address: 0 }], [{ group: 'main', interval_s: 0.1 }], {
        transport: 'rtu',
        serialPath: pty.host,
        timeoutS: 0.2,
      }),
    );
    await until(() => sink.of('dut.v').length >= 3, LONG, `values (${describeView('dut')})`);
  };
  /** Waits for five values of dut.v past the first `before`. */
  const fiveMore = (before: number) =>
    until(() => sink.of('dut.v').length >= before + 5, LONG, `values again (${describeView('dut')})`);
  return { pty, server, sink, manager, view, log, describeView, addDut, fiveMore };
}

describe('Modbus plugin over RTU', () => {
  it('decodes every type exactly over a serial line; CRC errors and exceptions counted in their own groups', async () => {
    const h = await rig();
    h.manager.add(
      PLUGIN,
      'meter',
      modbusConfig(
        [
          ...KNOWN.map((k) => k.row),
          { metric: 'noisy', address: BAD_CRC_ADDRESS, group: 'noisy' },
          { metric: 'busy', address: BUSY_ADDRESS, group: 'busy' },
        ],
        [
          { group: 'main', interval_s: 0.1 },
          { group: 'noisy', interval_s: 0.1 },
          { group: 'busy', interval_s: 0.1 },
        ],
        { transport: 'rtu', serialPath: h.pty.host, baudRate: 19200, parity: 'none', timeoutS: 0.5 },
      ),
    );
    await until(
      () => KNOWN.every((k) => h.sink.of(`meter.${String(k.row.metric)}`).length >= 5),
      LONG,
      `five polls of every value (${h.describeView('meter')})`,
    );
    for (const k of KNOWN)
      for (const p of h.sink.of(`meter.${String(k.row.metric)}`))
        expect([k.row.metric, p.value]).toEqual([k.row.metric, k.value]);

    await until(
      () => {
        const m = / · noisy \d+ polls: (\d+) CRC errors · busy \d+ polls: (\d+) exceptions$/.exec(
          h.view('meter').statusText ?? '',
        );
        return !!m && Number(m[1]) >= 3 && Number(m[2]) >= 3;
      },
      LONG,
      `CRC errors and exceptions counted (${h.describeView('meter')})`,
    );
    expect(h.view('meter').statusText).toMatch(new RegExp(`^${h.pty.host} · main \\d+ polls · noisy`));
    expect(h.log('meter')).toContain(
      `noisy: garbled answer from unit 1 on ${h.pty.host} (CRC error): noise on the line, a wrong baud rate or parity, or two devices with unit id 1`,
    );
    expect(h.log('meter')).toContain('busy: unit 1 refused holding register 9000: server device busy');
    expect(h.sink.of('meter.noisy')).toEqual([]);
    // The main group is still read whole after the faults: the line is not left out of step.
    const before = h.sink.of('meter.f64_little').length;
    await until(() => h.sink.of('meter.f64_little').length >= before + 5, LONG, 'more polls of the main group');
    expect(h.sink.of('meter.f64_little').every((p) => p.value === -12345.678901)).toBe(true);

    // One request per unit and function for the main group, as over TCP.
    const kinds = new Set(h.server.requests.map((r) => `${r.unit}/${r.fc}/${r.address}/${r.count}`));
    expect([...kinds].sort()).toEqual([
      '1/1/0/16',
      '1/2/0/5',
      '1/3/0/25',
      '1/3/9000/1',
      '1/3/9100/1',
      '1/4/0/5',
      '2/3/0/1',
    ]);
    expect(h.view('meter')).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });
  });

  it('a device on the line that stops answering and comes back: polling resumes without a restart', async () => {
    const h = await rig();
    await h.addDut();
    await h.server.mute();
    await until(
      () => Number(/main \d+ polls: (\d+) timeouts?$/.exec(h.view('dut').statusText ?? '')?.[1] ?? 0) >= 3,
      LONG,
      `timeouts (${h.describeView('dut')})`,
    );
    expect(h.log('dut')).toContain(`main: no answer from unit 1 on ${h.pty.host} within 0.2 s`);
    const silent = h.sink.of('dut.v').length;
    await h.server.unmute();
    await h.fiveMore(silent);
    expect(h.sink.of('dut.v').every((p) => p.value === 51234)).toBe(true);
    expect(h.view('dut')).toMatchObject({ state: 'running', restarts: 0 });

    // The recorder holds the port for the plugin, and lets it go when the plugin stops.
    expect(h.manager.openSerialPorts()).toEqual([{ path: h.pty.host, plugin: 'dut' }]);
    await h.manager.stopAll();
    expect(h.manager.openSerialPorts()).toEqual([]);
  });

  it('an answer that comes after its request timed out is never taken for the next request’s', async () => {
    const pty = await ptyPair(tempDir('plexus-modbus-'), 'rs485');
    // Answers 60 ms after the plugin gave up: while the next request of the poll waits for its own.
    await startModbusServer({ rtu: pty.device, lateMs: 260 });
    const sink = new MemorySink();
    const manager = plugins(sink, new CommandBoard(), { serial: pluginSerialOpener() });
    manager.add(
      PLUGIN,
      'slow',
      modbusConfig(
        [
          // Far apart: two requests alike but for their address, and RTU answers name no address.
          { metric: 'a', address: LATE_ADDRESS },
          { metric: 'b', address: LATE_ADDRESS + 50 },
        ],
        [{ group: 'main', interval_s: 0.05 }],
        { transport: 'rtu', serialPath: pty.host, timeoutS: 0.2 },
      ),
    );
    const view = () => manager.views().find((x) => x.name === 'slow')!;
    await until(
      () => Number(/main \d+ polls: (\d+) timeouts?$/.exec(view().statusText ?? '')?.[1] ?? 0) >= 8,
      LONG,
      `timeouts (${JSON.stringify(view())})`,
    );
    // Each value, if any was read at all, is its own register's (each holds its address).
    expect(sink.of('slow.a').filter((p) => p.value !== LATE_ADDRESS)).toEqual([]);
    expect(sink.of('slow.b').filter((p) => p.value !== LATE_ADDRESS + 50)).toEqual([]);
  });

  it('an adapter unplugged and plugged back in: said in words, read again without a restart', async () => {
    const h = await rig();
    await h.addDut();

    await h.server.stop();
    await h.pty.kill(); // both ends of the cable vanish, as a USB adapter pulled out
    await until(
      () => (h.view('dut').statusText ?? '').startsWith(`no connection to ${h.pty.host}: `),
      LONG,
      `the status to say the port is gone (${h.describeView('dut')})`,
    );
    // The reason is the recorder's, in its words (the port vanished: unplugged?).
    const lost = h.log('dut').find((l) => l.startsWith(`connection on ${h.pty.host} lost: `)) ?? '';
    expect(lost).toMatch(/unplugged\?\); trying again in 0\.25 s$/);
    await until(
      () => h.log('dut').includes(`cannot connect on ${h.pty.host}: ${h.pty.host} is not there (unplugged?)`),
      LONG,
      `a reconnect that fails, in words (${h.describeView('dut')})`,
    );
    expect(h.manager.openSerialPorts()).toEqual([]);

    const before = h.sink.of('dut.v').length;
    const again = await ptyPair(tempDir('plexus-modbus-'), 'rs485', { device: h.pty.device, host: h.pty.host });
    await startModbusServer({ rtu: again.device });
    await h.fiveMore(before);
    expect(h.log('dut').filter((l) => l === `connected on ${h.pty.host}`).length).toBe(2);
    expect(h.view('dut')).toMatchObject({ state: 'running', restarts: 0 });
  });
});
