// The shipped SCPI plugin run for real: plugins/scpi in a worker thread of the Plugins manager,
// against the simulated supply on a loopback TCP port or a pty pair. Only the sink (where points
// go) and the command board (where commands come from) are stand-ins, as in
// test/plugins/shipped.test.ts; serial ports are opened by the recorder's own opener, as in the app.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pluginSerialOpener } from '../../src/main/host/plugin-serial-opener';
import { CommandBoard, MemorySink, plugins, REPO, stopManagers, type Recorded } from '../plugins/helpers';
import { until } from '../helpers/plexus';
import { killAllPtyProcesses, ptyPair } from '../helpers/pty';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { SIM_IDN, startScpiSim, type ScpiSim } from './scpi-sim';

const FOLDER = join(REPO, 'plugins', 'scpi');
const LONG = 30_000; // a loaded machine compiles and starts the plugin before anything else

const sims: ScpiSim[] = [];
afterEach(async () => {
  await stopManagers();
  await Promise.all(sims.splice(0).map((s) => s.close()));
  await killAllPtyProcesses();
  cleanupTempDirs();
});

async function sim(opts: Parameters<typeof startScpiSim>[0] = {}): Promise<ScpiSim> {
  const s = await startScpiSim(opts);
  sims.push(s);
  return s;
}

/** The plugin as instance "psu", polling volts and amps of the simulated supply. */
function run(s: ScpiSim, config: Record<string, unknown> = {}) {
  const sink = new MemorySink();
  const board = new CommandBoard();
  const mgr = plugins(sink, board, { serial: pluginSerialOpener() });
  mgr.add(FOLDER, 'psu', {
    host: '127.0.0.1',
    port: s.port,
    intervalS: 0.05,
    queries: [
      { query: 'MEAS:VOLT?', metric: 'volts', unit: 'V' },
      { query: 'MEASure:CURRent?', metric: 'amps', unit: 'A' },
    ],
    ...config,
  });
  const view = () => mgr.views().find((v) => v.name === 'psu')!;
  const events = (name: string): Recorded[] => sink.of(`psu.${name}`);
  const values = (metric: string): number[] => sink.of(`psu.${metric}`).map((p) => p.value as number);
  const logs = (): string[] => view().log.map((l) => l.message);
  const why = (): string =>
    JSON.stringify({ state: view().state, message: view().message, status: view().statusText, log: logs().slice(-8) });
  return { sink, board, mgr, view, events, values, logs, why };
}

describe('SCPI plugin over TCP', () => {
  it('records the identity, then polled values with their units, and shows them', async () => {
    const s = await sim();
    s.psu.volts = 12;
    s.psu.amps = 2;
    s.psu.output = true; // 12 V over 10 Ω: 1.2 A
    const p = run(s);

    await until(() => p.events('identity').length > 0, LONG, `the identity event ${p.why()}`);
    expect(p.events('identity')[0]!.value).toMatchObject({
      idn: SIM_IDN,
      manufacturer: 'PLEXUS SIM',
      model: 'BENCH PSU 30V-5A',
      serial: 'SN000042',
      firmware: '1.4.2',
      address: s.address,
    });
    await until(() => p.values('volts').length >= 3 && p.values('amps').length >= 3, LONG, `readings ${p.why()}`);
    expect(new Set(p.values('volts'))).toEqual(new Set([12]));
    expect(new Set(p.values('amps'))).toEqual(new Set([1.2]));
    expect(p.mgr.metricInfo()['psu.volts']).toMatchObject({ unit: 'V', label: 'MEAS:VOLT?' });
    expect(p.mgr.metricInfo()['psu.amps']).toMatchObject({ unit: 'A', label: 'MEASure:CURRent?' });
    await until(
      () => p.view().statusText === `PLEXUS SIM BENCH PSU 30V-5A (SN000042) at ${s.address} · 12 V · 1.2 A`,
      LONG,
      `the status line ${p.why()}`,
    );
    // The long form was sent as configured: the instrument is asked exactly what the table says.
    expect(s.count(/^MEASure:CURRent\?$/)).toBeGreaterThanOrEqual(3);
    // A changed value on the instrument shows up in the run.
    s.psu.volts = 5;
    await until(() => p.values('volts').at(-1) === 5 && p.values('amps').at(-1) === 0.5, LONG, 'the new values');
    expect(p.view()).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });
  });

  it('reads SYST:ERR? after each poll: errors are shown, logged and recorded, the queue drained', async () => {
    const s = await sim();
    s.psu.pushError(-222, 'Data out of range');
    s.psu.pushError(-113, 'Undefined header');
    // A query the supply does not know: every poll adds -113 to its queue.
    const p = run(s, {
      queries: [
        { query: 'MEAS:VOLT?', metric: 'volts', unit: 'V' },
        { query: 'MEAS:POW?', metric: 'watts', unit: 'W' },
      ],
      timeoutS: 0.3,
    });

    // The errors queued before the plugin connected come first, in the queue's order.
    await until(() => p.events('instrument_error').length >= 3, LONG, `error events ${p.why()}`);
    const errs = p.events('instrument_error').map((e) => e.value);
    expect(errs[0]).toEqual({ code: -222, message: 'Data out of range', after: 'connecting' });
    expect(errs[1]).toEqual({ code: -113, message: 'Undefined header', after: 'connecting' });
    expect(errs[2]).toEqual({ code: -113, message: 'Undefined header', after: 'poll' });
    expect(p.logs()).toContain('the instrument reports -113 "Undefined header" (after poll)');
    await until(
      () => /instrument errors?, last -113 "Undefined header"/.test(p.view().statusText ?? ''),
      LONG,
      p.why(),
    );
    // MEAS:POW? has no answer: it times out each poll, but volts are still recorded.
    await until(() => p.values('volts').length >= 2, LONG, `volts despite the bad query ${p.why()}`);
    expect(p.values('watts')).toEqual([]);
    expect(p.logs().some((l) => l.includes(`did not answer MEAS:POW? within 0.3 s`))).toBe(true);
    // Drained: the supply's queue never fills up (it would say -350 "Queue overflow").
    expect(s.psu.errors.length).toBeLessThanOrEqual(1);
    expect(errs.some((e) => (e as { code: number }).code === -350)).toBe(false);
  });
});

describe('SCPI plugin commands', () => {
  it('send: a setting, then a query sees it; an undefined header is refused, each recorded as an event', async () => {
    const s = await sim();
    s.psu.amps = 2;
    const p = run(s);
    await until(() => p.board.handlers.has('psu.send') && p.values('volts').length > 0, LONG, `running ${p.why()}`);

    expect(await p.board.call('psu.send', { line: 'VOLT 12.0' })).toEqual({ line: 'VOLT 12.0' });
    expect(s.psu.volts).toBe(12);
    expect(await p.board.call('psu.send', { line: 'volt?' })).toEqual({ line: 'volt?', answer: '+1.20000000E+01' });
    expect(await p.board.call('psu.send', { line: 'OUTP ON;MEAS:VOLT?;MEAS:CURR?' })).toEqual({
      line: 'OUTP ON;MEAS:VOLT?;MEAS:CURR?',
      answer: '12.0000;1.2000',
    });

    await expect(p.board.call('psu.send', { line: 'VOLTS 5' })).rejects.toThrow(
      `the BENCH PSU 30V-5A at ${s.address} refused VOLTS 5: -113 "Undefined header"`,
    );
    await expect(p.board.call('psu.send', { line: 'VOLT 45' })).rejects.toThrow('-222 "Data out of range"');
    expect(s.psu.volts).toBe(12); // the supply kept its setting
    await expect(p.board.call('psu.send', { line: '' })).rejects.toThrow('line is empty');
    await expect(p.board.call('psu.send', { line: 'VOLT 1\nVOLT 2' })).rejects.toThrow('one line of text');

    await until(() => p.events('command').length >= 5, LONG, 'the command events');
    expect(p.events('command').map((e) => e.value)).toEqual([
      { line: 'VOLT 12.0' },
      { line: 'volt?', answer: '+1.20000000E+01' },
      { line: 'OUTP ON;MEAS:VOLT?;MEAS:CURR?', answer: '12.0000;1.2000' },
      { line: 'VOLTS 5', error: `the BENCH PSU 30V-5A at ${s.address} refused VOLTS 5: -113 "Undefined header"` },
      { line: 'VOLT 45', error: `the BENCH PSU 30V-5A at ${s.address} refused VOLT 45: -222 "Data out of range"` },
    ]);
    // The command read its own errors in the same turn on the line: the poller, which reads
    // SYST:ERR? after every cycle, never saw them.
    expect(p.events('instrument_error')).toEqual([]);
    // Polling went on, and sees what was set.
    await until(() => p.values('volts').at(-1) === 12, LONG, 'the polled voltage after VOLT 12.0');
    expect(p.view()).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('set_voltage, set_current and output through the command registry; out of range refused in words', async () => {
    const s = await sim();
    const p = run(s, { maxVolts: 24 });
    await until(() => p.board.handlers.has('psu.set_voltage') && p.values('volts').length > 0, LONG, p.why());
    // Each waits for the technician's approval when the platform sends it.
    for (const name of ['send', 'set_voltage', 'set_current', 'output'])
      expect(p.board.handlers.get(`psu.${name}`)?.opts, name).toMatchObject({ requiresApproval: true });
    expect(p.board.handlers.get('psu.set_voltage')!.opts.params).toEqual([{ name: 'volts', type: 'float' }]);

    expect(await p.board.call('psu.set_voltage', { volts: 12.5 })).toEqual({ line: 'VOLT 12.5', value: 12.5 });
    expect(await p.board.call('psu.set_current', { amps: '0.5' })).toEqual({ line: 'CURR 0.5', value: 0.5 });
    expect(await p.board.call('psu.output', { on: 'on' })).toEqual({ line: 'OUTP ON', value: 1 });
    expect(s.psu).toMatchObject({ volts: 12.5, amps: 0.5, output: true });
    // 12.5 V over 10 Ω wants 1.25 A: the 0.5 A limit holds it at 5 V (constant current).
    await until(
      () => p.values('amps').at(-1) === 0.5 && p.values('volts').at(-1) === 5,
      LONG,
      'current-limited values',
    );

    const sent = s.received.length;
    await expect(p.board.call('psu.set_voltage', { volts: 25 })).rejects.toThrow(
      'volts must be between 0 and 24 V (the highest this bench allows); got 25 V',
    );
    await expect(p.board.call('psu.set_voltage', { volts: -1 })).rejects.toThrow('got -1 V');
    await expect(p.board.call('psu.set_voltage', { volts: 'twelve' })).rejects.toThrow(
      'volts must be a number of volts, e.g. 1.5 (got "twelve")',
    );
    await expect(p.board.call('psu.set_voltage', {})).rejects.toThrow('(got nothing)');
    await expect(p.board.call('psu.set_current', { amps: 6 })).rejects.toThrow('between 0 and 5 A');
    await expect(p.board.call('psu.output', { on: 'maybe' })).rejects.toThrow(
      'on must be true ("on") or false ("off")',
    );
    // Refused before the supply heard of it: nothing but polling was sent.
    expect(s.received.slice(sent).filter((l) => !/^(MEAS:VOLT\?|MEASure:CURRent\?|SYST:ERR\?)$/.test(l))).toEqual([]);
    expect(s.psu.volts).toBe(12.5);
    expect(p.events('command').map((e) => (e.value as { line: string }).line)).toEqual([
      'VOLT 12.5',
      'CURR 0.5',
      'OUTP ON',
    ]);
  });
});

describe('SCPI plugin: a slow or vanishing instrument', () => {
  it('answers slower than usual but within the timeout: recorded, no timeouts', async () => {
    const s = await sim({ delayMs: 300 });
    s.psu.volts = 3;
    s.psu.output = true;
    const p = run(s, { timeoutS: 2, intervalS: 0 });
    await until(() => p.values('volts').length >= 4, LONG, `slow readings ${p.why()}`);
    expect(new Set(p.values('volts'))).toEqual(new Set([3]));
    expect(p.logs().filter((l) => l.includes('did not answer'))).toEqual([]);
    expect(p.view().statusText).not.toMatch(/timeout/);
  });

  it('one answer later than the timeout: shown, then the plugin finds its place again on the same connection', async () => {
    const s = await sim();
    s.psu.volts = 12;
    s.psu.amps = 2; // 12 V over 10 Ω: 1.2 A, below the limit
    s.psu.output = true;
    const p = run(s, { timeoutS: 2 });
    await until(() => p.values('amps').length >= 2, LONG, `readings ${p.why()}`);

    // The next command takes 3 s: its query times out at 2 s, its answer comes 1 s later.
    s.slowNext(1, 3000);
    await until(() => p.logs().some((l) => l.includes('did not answer') && l.includes('within 2 s')), LONG, p.why());
    await until(
      () => /1 timeout \(last: the BENCH PSU 30V-5A at .* did not answer/.test(p.view().statusText ?? ''),
      LONG,
      p.why(),
    );
    const n = p.values('volts').length;
    await until(() => p.values('volts').length >= n + 3, LONG, `readings after the slow answer ${p.why()}`);
    // The late answer was thrown away, not taken for the next query's: no current recorded as a
    // voltage or the other way round.
    expect(new Set(p.values('volts'))).toEqual(new Set([12]));
    expect(new Set(p.values('amps'))).toEqual(new Set([1.2]));
    expect(s.connections).toBe(1);
    expect(p.events('disconnected')).toEqual([]);
  });

  it('an instrument that stops answering: reconnects, and no answer lands on the wrong metric', async () => {
    const s = await sim();
    s.psu.volts = 12;
    s.psu.amps = 2; // 12 V over 10 Ω: 1.2 A, below the limit
    s.psu.output = true;
    const p = run(s, { timeoutS: 0.5, intervalS: 0.1 });
    await until(() => p.values('amps').length >= 2, LONG, `readings ${p.why()}`);

    s.delayMs = 1500; // every answer late
    await until(() => p.events('disconnected').length > 0, LONG, `given up on the connection ${p.why()}`);
    expect((p.events('disconnected')[0]!.value as { why: string }).why).toMatch(
      /^the BENCH PSU 30V-5A at 127\.0\.0\.1:\d+ stopped answering \(3 queries in a row timed out\)$/,
    );
    // Reconnecting, it asks *IDN? again, which times out too: the status says so and when it tries again.
    await until(
      () => /did not answer \*IDN\? within 0\.5 s — trying again in/.test(p.view().statusText ?? ''),
      LONG,
      p.why(),
    );

    s.delayMs = 0;
    const n = p.values('volts').length;
    await until(() => p.values('volts').length >= n + 3, LONG, `readings once it answers again ${p.why()}`);
    expect(p.events('identity').length).toBeGreaterThanOrEqual(2);
    expect(new Set(p.values('volts'))).toEqual(new Set([12]));
    expect(new Set(p.values('amps'))).toEqual(new Set([1.2]));
    expect(p.view()).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('a dropped connection is shown and recorded, then reconnected with a growing pause', async () => {
    const s = await sim();
    s.psu.volts = 7;
    s.psu.output = true;
    const p = run(s);
    await until(() => p.values('volts').length >= 2, LONG, `readings ${p.why()}`);
    const port = s.port;

    s.dropConnections();
    await until(() => p.events('identity').length >= 2, LONG, `identified again ${p.why()}`);
    expect(p.events('disconnected')[0]!.value).toEqual({
      address: s.address,
      why: `${s.address} closed the connection`,
    });
    expect(p.logs()).toContain(`lost the connection: ${s.address} closed the connection`);
    expect(s.connections).toBe(2);

    // The instrument switched off: nothing listens, every attempt is refused, the pause grows.
    await s.close();
    await until(
      () => /^nothing accepts connections at .* — trying again in 1 s$/.test(p.view().statusText ?? ''),
      LONG,
      p.why(),
    );
    await until(() => /— trying again in 2 s$/.test(p.view().statusText ?? ''), LONG, p.why());
    await s.listen(port); // switched on again
    const n = p.values('volts').length;
    await until(() => p.values('volts').length >= n + 2, LONG, `readings after it came back ${p.why()}`);
    await until(
      () => p.view().statusText === `PLEXUS SIM BENCH PSU 30V-5A (SN000042) at ${s.address} · 7 V · 0.7 A`,
      LONG,
      p.why(),
    );
    expect(p.view()).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('garbage answers are counted and shown, not recorded, and the plugin keeps going', async () => {
    const s = await sim();
    s.psu.volts = 9;
    s.psu.output = true;
    s.psu.overrides.set('MEAS:CURR?', 'OVLD');
    const p = run(s);
    await until(
      () =>
        / · \d+ bad answers \(last: MEASure:CURRent\? answered "OVLD" is not a number\)$/.test(
          p.view().statusText ?? '',
        ),
      LONG,
      p.why(),
    );
    expect(p.values('amps')).toEqual([]);
    expect(new Set(p.values('volts'))).toEqual(new Set([9]));
    // Said in the log three times, then only counted.
    await until(() => p.values('volts').length >= 6, LONG, 'more readings');
    expect(p.logs().filter((l) => l.includes('"OVLD" is not a number'))).toHaveLength(3);

    s.psu.overrides.set('MEAS:CURR?', '9.91E+37'); // SCPI's "no reading"
    await until(() => /means overload or no reading/.test(p.view().statusText ?? ''), LONG, p.why());
    s.psu.overrides.clear();
    await until(() => p.values('amps').length > 0, LONG, 'amps once the answers are numbers again');
    expect(p.values('amps')[0]).toBe(0.9);
    expect(p.view()).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });
  });
});

describe('SCPI plugin settings', () => {
  it('a missing address or a bad query row is said in the status line; nothing crashes', async () => {
    const s = await sim();
    const p = run(s, {
      host: '',
      queries: [
        { query: 'VOLT 5', metric: 'volts' },
        { query: 'MEAS:CURR?', metric: 'identity' },
      ],
    });
    await until(() => (p.view().statusText ?? '').startsWith("set the instrument's address"), LONG, p.why());
    expect(p.view().statusText).toBe(
      "set the instrument's address (Address) for a TCP connection (and 2 more: see the log)",
    );
    await until(() => p.logs().length >= 3, LONG, p.why());
    expect(p.logs()).toEqual([
      "set the instrument's address (Address) for a TCP connection",
      'query 1: VOLT 5 is not a query (a query\'s first word ends in "?", e.g. MEAS:VOLT?)',
      'query 2: "identity" is the name of one of the plugin\'s own events; choose another',
    ]);
    expect(p.view()).toMatchObject({ state: 'running', restarts: 0 });
    expect(s.connections).toBe(0);
  });
});

describe('SCPI plugin over a serial port', () => {
  it('a supply on a pty pair: identity, values, a command; unplugged and plugged in again', async () => {
    const s = await sim();
    s.psu.volts = 4.5;
    s.psu.output = true;
    const dir = tempDir('plexus-scpi-');
    const pair = await ptyPair(dir, 'psu');
    await s.serveSerial(pair.device);
    const p = run(s, { transport: 'serial', serialPath: pair.host, baudRate: 115200, parity: 'none', rtscts: true });

    await until(() => p.events('identity').length > 0, LONG, `the identity over serial ${p.why()}`);
    expect(p.events('identity')[0]!.value).toMatchObject({ idn: SIM_IDN, address: pair.host });
    // RTS/CTS was asked for, but plugins' ports open without it: said in the log, and it goes on.
    expect(p.logs()).toContain(
      "RTS/CTS flow control is not available to plugins' serial ports: the port is opened without it",
    );
    await until(() => p.values('volts').length >= 3, LONG, `readings over serial ${p.why()}`);
    expect(new Set(p.values('volts'))).toEqual(new Set([4.5]));
    expect(new Set(p.values('amps'))).toEqual(new Set([0.45]));
    expect(s.connections).toBe(0); // nothing came over TCP
    expect(await p.board.call('psu.set_voltage', { volts: 6 })).toEqual({ line: 'VOLT 6', value: 6 });
    await until(() => p.values('volts').at(-1) === 6, LONG, 'the new voltage over serial');

    // The recorder holds the port, in the plugin's name.
    expect(p.mgr.openSerialPorts()).toEqual([{ path: pair.host, plugin: 'psu' }]);

    // Unplugged: the pty vanishes. The port reports it closed, or the path watch sees the file go,
    // or a poll's write to it fails first; each names the port.
    await pair.kill();
    await until(() => p.events('disconnected').length > 0, LONG, `the unplug noticed ${p.why()}`);
    const gone = p.events('disconnected')[0]!.value as { address: string; why: string };
    expect(gone.address).toBe(pair.host);
    const unplugged = [`${pair.host} closed (unplugged?)`, `${pair.host} disappeared (unplugged?)`];
    if (!gone.why.startsWith(`writing to ${pair.host} failed: `)) expect(unplugged).toContain(gone.why);
    // Each try while it is away fails in words, and the pause before the next one grows.
    await until(
      () => p.view().statusText === `${pair.host} is not there (unplugged?) — trying again in 1 s`,
      LONG,
      p.why(),
    );
    await until(
      () => p.view().statusText === `${pair.host} is not there (unplugged?) — trying again in 2 s`,
      LONG,
      p.why(),
    );
    await expect(p.board.call('psu.send', { line: 'VOLT?' })).rejects.toThrow(`not connected to ${pair.host}`);
    expect(p.mgr.openSerialPorts()).toEqual([]); // let go of while away

    const again = await ptyPair(dir, 'psu', { device: pair.device, host: pair.host });
    await s.serveSerial(again.device);
    await until(() => p.events('identity').length >= 2, LONG, `identified again after plugging in ${p.why()}`);
    const n = p.values('volts').length;
    await until(() => p.values('volts').length >= n + 2, LONG, 'readings after plugging in');
    expect(p.values('volts').at(-1)).toBe(6);
    expect(p.view()).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });

    // Stopping the plugin closes the port.
    await p.mgr.stopAll();
    expect(p.mgr.openSerialPorts()).toEqual([]);
  });
});
