// Plugins inside the real host: a command from the gateway reaches a plugin's onCommand and its
// result returns as command_result (ack first); plugin points travel to the gateway; the demo
// sensor is a plugin; plugins and network sources are kept across restarts; settings files from
// before plugins keep the technician's demo choice.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { TestGateway } from '../support/gateway';
import { until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { call, startHost as startTestHost, stopHost, stopHosts } from '../helpers/host';
import { scriptPlugin } from '../plugins/helpers';
import { freePort } from '../helpers/net';

let gw: TestGateway | undefined;

const startHost = (dataDir = tempDir()) => startTestHost(dataDir, { pluginTiming: { restart: { baseMs: 100 } } });

afterEach(async () => {
  await stopHosts();
  await gw?.close();
  gw = undefined;
  cleanupTempDirs();
});

const PSU = `let volts = 12;
    ctx.describe('volts', { unit: 'V' });
    ctx.onCommand('set_voltage', (params) => {
      if (typeof params.volts !== 'number') throw new Error('volts must be a number');
      volts = params.volts;
      return { ok: true, volts };
    }, { description: 'set the output voltage', params: [{ name: 'volts', type: 'float' }] });
    const t = setInterval(() => ctx.send('volts', volts), 50);
    return () => clearInterval(t);`;

describe('plugins in the host', () => {
  it('a gateway command reaches the plugin’s onCommand; ack first, then its result; points reach the gateway', async () => {
    const h = await startHost();
    gw = await TestGateway.start();
    await call(h, 'settings.setGateway', { gateway: { mode: 'custom', url: gw.url, wsUrl: gw.wsUrl } });
    await call(h, 'settings.setDeviceName', { name: 'rig-09' });
    await call(h, 'settings.setApiKey', { apiKey: 'plx_test_key_123' });
    await until(() => h.state().status.status === 'connected', 5000, 'connected');
    const { id } = await call(h, 'plugin.add', { folder: scriptPlugin('psu', PSU), name: 'psu' });
    await until(
      () =>
        h
          .state()
          .plugins.find((p) => p.id === id)
          ?.commands.includes('psu.set_voltage') ?? false,
      15_000,
      'command',
    );
    expect(h.state().metricInfo['psu.volts']).toEqual({ unit: 'V' });
    const g = gw;
    const results = (cid: string) => g.commandResults.filter((r) => r.msg.id === cid).map((r) => r.msg);
    const ok = g.sendCommand('rig-09', { command: 'psu.set_voltage', params: { volts: 5 } });
    await until(() => results(ok).length === 2, 5000, 'answered');
    expect(results(ok)).toMatchObject([
      { event: 'ack', command: 'psu.set_voltage' },
      { event: 'result', result: { ok: true, volts: 5 } },
    ]);
    await until(
      () => g.points.some((p) => p.metric === 'psu.volts' && p.value === 5),
      5000,
      'the new voltage at the gateway',
    );
    const bad = g.sendCommand('rig-09', { command: 'psu.set_voltage', params: { volts: 'high' } });
    await until(() => results(bad).length === 2, 5000, 'error answered');
    expect(results(bad)[1]).toMatchObject({ event: 'error', error: 'volts must be a number' });
    expect(h.state().inbox.find((c) => c.id === ok)).toMatchObject({ handledBy: 'plugin', state: 'result' });
    // stop_stream by name disables the plugin (a plugin is a source like the others).
    const stop = g.sendCommand('rig-09', { command: 'stop_stream', params: { source: 'psu' } });
    await until(() => results(stop).length === 2, 5000, 'stop_stream answered');
    expect(h.state().plugins.find((p) => p.id === id)).toMatchObject({
      enabled: false,
      state: 'stopped',
      commands: [],
    });
  });

  it('a shipped plugin picked from the catalog is added as the catalog names it, and runs', async () => {
    const h = await startHost();
    const entry = (await call(h, 'plugin.catalog', {})).find((e) => e.folder === 'builtin:system-stats');
    expect(entry?.where).toBe('built-in');
    // The window sends back the catalog's folder as it is.
    const { id } = await call(h, 'plugin.add', { folder: entry!.folder, config: { intervalS: 0.5 } });
    await until(() => h.state().plugins.find((p) => p.id === id)?.state === 'running', 20_000, 'system-stats to run');
    expect(h.state().plugins.find((p) => p.id === id)?.folder).toBe('builtin:system-stats');
    await expect(call(h, 'plugin.add', { folder: 'builtin:../../etc' })).rejects.toThrow(
      'there is no plugin shipped as "../../etc"',
    );
    await expect(call(h, 'plugin.add', { folder: 'builtin:nope' })).rejects.toThrow(/nope/);
  });

  it('the demo sensor is a plugin; plugins and network sources are kept across a restart', async () => {
    const dir = tempDir();
    const a = await startHost(dir);
    const demo = a.state().plugins.find((p) => p.name === 'demo')!;
    expect(demo).toMatchObject({
      folder: 'builtin:demo-signals',
      enabled: true,
      manifest: { builtIn: true, trusted: true },
    });
    await until(() => a.state().metricInfo['demo.coolant_temp_c']?.unit === '°C', 15_000, 'the demo’s units');
    const folder = scriptPlugin('psu', PSU);
    const { id } = await call(a, 'plugin.add', { folder, name: 'psu' });
    await call(a, 'plugin.configure', { id, name: 'psu2', config: {} });
    const port = await freePort();
    const net = await call(a, 'network.add', { config: { name: 'nb', protocol: 'tcp', port, parser: 'auto' } });
    await until(() => a.state().network[0]?.state === 'listening', 5000, 'listening');
    await call(a, 'demo.set', { enabled: false });
    await stopHost(a);

    const b = await startHost(dir);
    const s = b.state();
    expect(s.demo.enabled).toBe(false);
    expect(s.plugins.map((p) => [p.name, p.enabled])).toEqual([
      ['demo', false],
      ['psu2', true],
    ]);
    expect(s.network).toMatchObject([{ id: net.id, config: { name: 'nb', port }, enabled: true }]);
    await until(() => b.state().plugins.find((p) => p.id === id)?.state === 'running', 15_000, 'psu2 running again');
    await until(() => b.state().network[0]?.state === 'listening', 5000, 'listening again');
    // The network source records what a script sends it, with its name as the prefix.
    const sock = createConnection(port, '127.0.0.1');
    const seen = new Map<string, unknown>();
    b.on('tick', (t) => t.metrics.forEach((m) => seen.set(m[0], m[1])));
    sock.end('temp:21.5\n');
    await until(() => seen.get('nb.temp') === 21.5, 5000, 'nb.temp');
  });

  it('a settings file from before plugins keeps the technician’s choice for the demo', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        version: 1,
        deviceName: 'old-rig',
        gateway: { mode: 'local' },
        apiKey: null,
        demo: { enabled: false },
        serial: [],
        cameras: [],
        lastRunName: null,
      }),
    );
    const h = await startHost(dir);
    expect(h.state().settings.keyWarning).toBeNull(); // the file was not "damaged"
    expect(h.state().settings.deviceName).toBe('old-rig');
    expect(h.state().plugins).toMatchObject([{ name: 'demo', enabled: false, state: 'stopped' }]);
    await call(h, 'demo.set', { enabled: true });
    await until(() => h.state().plugins[0]!.state === 'running', 15_000, 'demo running');
  });
});
