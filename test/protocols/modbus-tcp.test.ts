// The Modbus plugin run for real (a worker thread, through the Plugins manager, as the window adds
// it) against a real Modbus TCP device: pymodbus serving a known datastore on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { GroupRow } from '../../plugins/modbus/register-map';
import type { ConfigValues, TableRow } from '../../src/shared/plugin-config';
import { until } from '../helpers/plexus';
import { cleanupTempDirs } from '../helpers/tmp';
import { CommandBoard, MemorySink, plugins, REPO, stopManagers } from '../plugins/helpers';
import { BUSY_ADDRESS, KNOWN, modbusConfig, startModbusServer, stopModbusServers } from './modbus-server';

const PLUGIN = join(REPO, 'plugins', 'modbus');
const LONG = 30_000; // generous: the plugin is bundled and started on a shared, loaded machine

afterEach(async () => {
  await stopManagers();
  await stopModbusServers();
  cleanupTempDirs();
});

function start() {
  const sink = new MemorySink();
  const manager = plugins(sink, new CommandBoard());
  const view = (name: string) => {
    const v = manager.views().find((x) => x.name === name);
    if (!v) throw new Error(`no plugin ${name}`);
    return v;
  };
  const log = (name: string) => view(name).log.map((l) => l.message);
  const describeView = (name: string) => JSON.stringify({ ...view(name), log: log(name).slice(-8) });
  /** Adds the plugin as `name`, polling the device on loopback at `port`. */
  const add = (
    name: string,
    rows: readonly TableRow[],
    groups: ReadonlyArray<Partial<GroupRow>>,
    port: number,
    settings: ConfigValues = {},
  ) => manager.add(PLUGIN, name, modbusConfig(rows, groups, { host: '127.0.0.1', port, ...settings }));
  /** The device under test as "dut": holding register 0 as v, every 0.1 s; back after three values. */
  const addDut = async (port: number, timeoutS: number) => {
    add('dut', [{ metric: 'v', address: 0 }], [{ group: 'main', interval_s: 0.1 }], port, { timeoutS });
    await until(() => sink.of('dut.v').length >= 3, LONG, `values (${describeView('dut')})`);
  };
  /** Waits for five values of dut.v past the first `before`. */
  const fiveMore = (before: number) =>
    until(() => sink.of('dut.v').length >= before + 5, LONG, `values again (${describeView('dut')})`);
  return { sink, manager, view, log, describeView, add, addDut, fiveMore };
}

describe('Modbus plugin over TCP', () => {
  it('decodes every type and word order exactly, in one request per unit and function, one timestamp per poll', async () => {
    const server = await startModbusServer();
    const h = start();
    h.add(
      'meter',
      KNOWN.map((k) => k.row),
      [{ group: 'main', interval_s: 0.2 }],
      server.port,
    );
    await until(
      () => KNOWN.every((k) => h.sink.of(`meter.${String(k.row.metric)}`).length >= 3),
      LONG,
      `three polls of every value (${h.describeView('meter')})`,
    );

    for (const k of KNOWN)
      expect([k.row.metric, h.sink.of(`meter.${String(k.row.metric)}`)[0]?.value]).toEqual([k.row.metric, k.value]);
    expect(h.manager.metricInfo()['meter.scaled_u16']).toMatchObject({ unit: 'V' });

    // One batch per poll: every value of a poll carries the poll's timestamp.
    const stamps = (metric: string) =>
      h.sink
        .of(`meter.${metric}`)
        .slice(0, 3)
        .map((p) => p.timestamp);
    for (const k of KNOWN) expect(stamps(String(k.row.metric))).toEqual(stamps('u16'));
    expect(new Set(stamps('u16')).size).toBe(3);

    // 21 values, 5 requests: unit 1's holding registers 0–24 in one, its input registers 0–4,
    // coils 0–15, discrete inputs 0–4, and unit 2's holding register 0.
    const kinds = new Set(server.requests.map((r) => `${r.unit}/${r.fc}/${r.address}/${r.count}`));
    expect([...kinds].sort()).toEqual(['1/1/0/16', '1/2/0/5', '1/3/0/25', '1/4/0/5', '2/3/0/1']);
    const polls = h.sink.of('meter.u16').length;
    const holdingReads = server.requests.filter((r) => r.unit === 1 && r.fc === 3).length;
    expect(holdingReads).toBeGreaterThanOrEqual(polls);
    expect(holdingReads).toBeLessThanOrEqual(polls + 1); // at most one poll on its way

    expect(h.view('meter')).toMatchObject({ state: 'running', rejected: 0, restarts: 0 });
    const connected = new RegExp(`^127\\.0\\.0\\.1:${server.port} · main \\d+ polls$`);
    await until(
      () => connected.test(h.view('meter').statusText ?? ''),
      LONG,
      `the status line (${h.describeView('meter')})`,
    );
  });

  it('counts exception responses per group, in words, while another group keeps polling', async () => {
    const server = await startModbusServer();
    const h = start();
    h.add(
      'rig',
      [
        { metric: 'good', address: 0, group: 'fast' },
        { metric: 'busy', address: BUSY_ADDRESS, group: 'busy' },
        { metric: 'missing', address: 40100, group: 'missing' },
      ],
      [
        { group: 'fast', interval_s: 0.05 },
        { group: 'busy', interval_s: 0.05 },
        { group: 'missing', interval_s: 0.05 },
      ],
      server.port,
    );
    const counted = /busy (\d+) polls: (\d+) exceptions · missing (\d+) polls: (\d+) exceptions$/;
    await until(
      () => {
        const m = counted.exec(h.view('rig').statusText ?? '');
        return !!m && Number(m[2]) >= 10 && Number(m[4]) >= 10;
      },
      LONG,
      `ten exceptions in each failing group (${h.describeView('rig')})`,
    );
    const m = counted.exec(h.view('rig').statusText ?? '')!;
    expect(Number(m[2])).toBe(Number(m[1])); // every poll of the group refused, each counted
    expect(Number(m[4])).toBe(Number(m[3]));
    expect(h.view('rig').statusText).toMatch(/ · fast \d+ polls · /); // no faults in the good group

    expect(h.log('rig')).toContain('busy: unit 1 refused holding register 9000: server device busy');
    expect(h.log('rig')).toContain('missing: unit 1 refused holding register 40100: illegal data address');
    // Logged a few times, then only counted.
    expect(h.log('rig').filter((l) => l.includes('illegal data address')).length).toBe(3);

    // The good group records throughout; the failing ones record nothing.
    const before = h.sink.of('rig.good').length;
    await until(() => h.sink.of('rig.good').length >= before + 10, LONG, 'ten more good values');
    expect(h.sink.of('rig.good').every((p) => p.value === 51234)).toBe(true);
    expect(h.sink.of('rig.busy')).toEqual([]);
    expect(h.sink.of('rig.missing')).toEqual([]);
    expect(h.view('rig')).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('a device that stops answering: timeouts counted and said in words; polling resumes when it answers again', async () => {
    const server = await startModbusServer();
    const h = start();
    await h.addDut(server.port, 0.3);

    await server.mute();
    await until(
      () => Number(/main \d+ polls: (\d+) timeouts?$/.exec(h.view('dut').statusText ?? '')?.[1] ?? 0) >= 3,
      LONG,
      `three timeouts counted (${h.describeView('dut')})`,
    );
    expect(h.log('dut')).toContain(`main: no answer from unit 1 at 127.0.0.1:${server.port} within 0.3 s`);
    // Nothing is recorded while the device is silent (the last answer may still have been on its way).
    const silent = h.sink.of('dut.v').length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.sink.of('dut.v').length).toBe(silent);

    await server.unmute();
    await h.fiveMore(silent);
    expect(h.log('dut').some((l) => /^main: answered again after \d+ poll\(s\) with failures$/.test(l))).toBe(true);
    expect(h.view('dut')).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('a device that goes away and comes back on the same port: reconnects with backoff, no restart', async () => {
    const first = await startModbusServer();
    const port = first.port;
    const h = start();
    await h.addDut(port, 0.5);

    await first.stop();
    await until(
      () => (h.view('dut').statusText ?? '').startsWith(`no connection to 127.0.0.1:${port}: connection refused`),
      LONG,
      `the status to say the device refuses (${h.describeView('dut')})`,
    );
    expect(h.log('dut').some((l) => l.startsWith(`connection at 127.0.0.1:${port} lost`))).toBe(true);
    expect(h.log('dut')).toContain(
      `cannot connect at 127.0.0.1:${port}: connection refused (is the device on, and is this its Modbus port?)`,
    );
    // Backoff: over two seconds offline, only a handful of connection attempts are logged once
    // (the reason does not change), and the group fails fast instead of piling up requests.
    await new Promise((r) => setTimeout(r, 2000));
    expect(h.log('dut').filter((l) => l.startsWith('cannot connect')).length).toBe(1);
    const offline = /main \d+ polls: (\d+) offline/.exec(h.view('dut').statusText ?? '');
    expect(Number(offline?.[1])).toBeGreaterThan(0);

    const before = h.sink.of('dut.v').length;
    await startModbusServer({ port });
    await h.fiveMore(before);
    expect(h.log('dut').filter((l) => l === `connected at 127.0.0.1:${port}`).length).toBe(2);
    expect(h.view('dut')).toMatchObject({ state: 'running', restarts: 0 });
    await until(
      () => (h.view('dut').statusText ?? '').startsWith(`127.0.0.1:${port} · main `),
      LONG,
      `the status line to show the connection (${h.describeView('dut')})`,
    );
  });

  it('just added, with no address yet: says what to set and waits, without crashing or restarting', async () => {
    const h = start();
    h.manager.add(PLUGIN, 'fresh', {});
    await until(
      () => h.view('fresh').statusText === "Modbus TCP needs the device's address: set Host in Settings",
      20_000,
      'the status to say what to set',
    );
    expect(h.view('fresh').state).toBe('running');
    expect(h.view('fresh').restarts).toBe(0);
    expect(h.sink.points).toHaveLength(0);
  });

  it('a bad register map is refused before anything is sent, each problem naming its row', async () => {
    const server = await startModbusServer();
    const h = start();
    // Cells that break their column: the recorder refuses the settings, nothing runs.
    h.add(
      'cells',
      [
        { metric: 'ok', address: 0 },
        { metric: 'power', address: 2, type: 'f16' },
        { metric: 'far', address: 70000 },
      ],
      [{ group: 'main', interval_s: 1 }],
      server.port,
    );
    // Rows that are each fine but wrong together: the plugin refuses them before sending anything.
    h.add(
      'rows',
      [
        { metric: 'ok', address: 0 },
        { metric: 'v1', function: 'input', address: 0, type: 'f32' },
        { metric: 'ok', address: 4 },
        { metric: 'relay', function: 'coil', address: 3, type: 'f32' },
        { metric: 'v2', function: 'input', address: 1, type: 'f32' },
        { metric: 'hourly', address: 7, group: 'slow' },
      ],
      [{ group: 'main', interval_s: 1 }],
      server.port,
    );
    await until(
      () => /row 3/.test(h.view('rows').message ?? '') && h.view('cells').state === 'invalid',
      LONG,
      `both refusals (${h.describeView('rows')} ${h.describeView('cells')})`,
    );
    expect(h.view('cells').message).toBe(
      'config: Register map row 2: Type must be one of "u16", "s16", "u32", "s32", "f32", "f64", "bool" (and 1 more) — change it in the plugin\'s settings',
    );
    const message = h.view('rows').message ?? '';
    expect(message).toContain('register map: row 3 (ok): metric "ok" is already row 1');
    expect(message).toContain('register map: row 4 (relay): a coil is one bit: its type must be bool, not f32');
    expect(message).toContain(
      'register map: row 5 (v2): input registers 1–2 overlap row 2 (v1), input registers 0–1: is an address off?',
    );
    expect(message).toContain('register map: row 6 (hourly): group "slow" is not in the groups table (it has "main")');
    expect(server.requests).toEqual([]);
    expect(h.sink.points).toEqual([]);
  });
});
