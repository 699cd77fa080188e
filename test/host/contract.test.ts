// Every request the window can make, with a bad payload, gets a clear error naming the problem in
// the technician's words (what failed, the field's label) — from the real host, never a crash.
import { describe, expect, it } from 'vitest';
import { validateSerialConfig } from '../../src/main/devices/serial';
import { checkSourceId } from '../../src/main/plexus/config';
import { deviceNameProblem, requestSchemas, type RequestName } from '../../src/shared/contract';
import { localHostPerFile } from '../helpers/host';

const host = localHostPerFile();

/** For each request: payloads that must be refused, and a fragment the message must contain. */
const bad: Record<RequestName, Array<[unknown, string | RegExp]>> = {
  'state.get': [[{ extra: 1 }, /which this recorder does not know/]],
  'live.history': [
    [{ names: ['demo.x'] }, /which this recorder does not know/],
    ['all', /Could not load the last minute of the live values/],
  ],
  'settings.save': [
    [{ deviceName: 'Rig 01' }, 'Device name: lowercase letters only'],
    [{ gateway: { mode: 'custom', url: 'http://bad host/' } }, 'Gateway URL: a URL has no spaces'],
    [{ apiKey: 'short' }, 'API key: an API key has at least 8 characters'],
    [{ deviceName: 'rig-ok', apiKey: 'plx_long_enough', gateway: { mode: 'custom', url: 'x' } }, 'Gateway URL'],
  ],
  'settings.setDeviceName': [
    [{ name: 'Rig 01' }, 'lowercase letters only'],
    [{ name: 'r' }, 'at least 2 characters'],
    [{ name: '-rig' }, 'must start with a letter or digit'],
    [{ name: 'rig.01' }, '"." is not allowed'],
    [{}, 'Device name: missing'],
  ],
  'settings.setApiKey': [
    [{ apiKey: 'short' }, 'at least 8 characters'],
    [{ apiKey: 42 }, 'API key: must be text'],
    [{}, 'API key: missing'],
  ],
  'settings.setGateway': [
    [{ gateway: { mode: 'custom', url: 'ftp://x' } }, 'http:// or https://'],
    [{ gateway: { mode: 'custom', url: 'https://ok.example', wsUrl: 'http://x' } }, 'ws:// or wss://'],
    [{ gateway: { mode: 'moon' } }, 'Gateway: is not one of the choices'],
    [{ gateway: { mode: 'cloud', url: 'https://x' } }, /which this recorder does not know/],
  ],
  'settings.setFfmpegPath': [
    [{ path: '   ' }, 'give the path of the ffmpeg program'],
    [{}, 'FFmpeg program: missing'],
  ],
  'serial.listPorts': [[{ all: true }, /which this recorder does not know/]],
  'serial.add': [
    [{ config: { name: 'psu', baudRate: 9600, parser: 'plotter' } }, 'say which port'],
    [
      { config: { name: 'psu', path: '/dev/ttyUSB0', baudRate: 9600.5, parser: 'plotter' } },
      'baud rate must be a whole number',
    ],
    [
      { config: { name: 'psu', path: '/dev/ttyUSB0', baudRate: 9_000_000, parser: 'plotter' } },
      'Baud rate: baud rate must be',
    ],
    [{ config: { name: 'psu', path: '/dev/ttyUSB0', baudRate: 9600, parser: 'xml' } }, 'Line format: '],
    [
      { config: { name: 'psu', path: '/dev/ttyUSB0', baudRate: 9600, parser: 'kv', parity: 'maybe' } },
      'Parity: parity must be',
    ],
    [
      { config: { name: 'psu', vendorId: '2341', productId: 'xyz', baudRate: 9600, parser: 'kv' } },
      'product id is 4 hex digits',
    ],
    [{ config: { name: '', path: '/dev/x', baudRate: 9600, parser: 'kv' } }, 'name is required'],
  ],
  'serial.update': [[{ id: 'x' }, 'Settings: missing']],
  'serial.remove': [[{ id: '' }, 'id is required']],
  'serial.connect': [[{}, 'Which item: missing']],
  'serial.disconnect': [[{ id: 7 }, 'Which item: must be text']],
  'serial.redetect': [[{}, 'Which item: missing']],
  'serial.write': [
    [{ id: 'x', line: 'two\nlines' }, 'one line, without line breaks'],
    [{ id: 'x', line: 'x'.repeat(5000) }, 'Line to send: too long: at most 4,096 characters'],
  ],
  'camera.add': [
    [{ config: { cameraId: '', url: 'rtsp://x' } }, 'camera id is required'],
    [{ config: { cameraId: 'c', url: '' } }, 'camera URL or device is required'],
    [{ config: { cameraId: 'c', url: 'rtsp://x', fps: 500 } }, 'Frames per second: too large: at most 60'],
  ],
  'camera.update': [[{ id: 'x', config: { cameraId: 'c' } }, 'Camera URL or device: missing']],
  'camera.remove': [[{}, 'Which item: missing']],
  'camera.start': [[{ id: null }, 'Which item: must be text']],
  'camera.stop': [[{ id: ['a'] }, 'Which item: must be text']],
  'demo.set': [[{ enabled: 'yes' }, 'On or off: must be yes or no']],
  'run.start': [
    [{ name: '   ' }, 'Could not start the run. Run name: give the run a name.'],
    [{ name: 'x'.repeat(201) }, 'Run name: too long: at most 200 characters'],
    [{ name: 'a', fields: { '1part': 'x' } }, 'Run fields'],
    [{ name: 'a', fields: { run_id: 'x' } }, 'is set by the recorder itself'],
    [{ name: 'a', fields: { part: '   ' } }, 'give the field a value'],
    [{ name: 'a', sources: 'all' }, 'Sources to record'],
  ],
  'run.stop': [[{ now: true }, /which this recorder does not know/]],
  'run.update': [
    [{}, 'Which run: missing'],
    [{ runId: 'x', operator: 'o'.repeat(101) }, 'Operator: the operator is at most 100 characters'],
  ],
  'run.delete': [[{}, 'Could not delete the run. Which run: missing']],
  'run.open': [[{ runId: 7 }, 'Could not open the run. Which run: must be text']],
  'run.series': [
    [{ runId: 'x', metrics: [], from: 0, to: 1, columns: 100 }, 'Metrics to plot: choose a metric'],
    [{ runId: 'x', metrics: ['a'], from: 5, to: 1, columns: 100 }, 'the end of the range must come after its start'],
    [{ runId: 'x', metrics: ['a'], from: 0, to: 1, columns: 5 }, 'Plot width'],
  ],
  'run.export': [
    [{}, 'Which run: missing'],
    [{ runId: 'x', format: 'xlsx' }, 'Could not export the run. Export format: choose CSV, wide CSV, MCAP or XDF.'],
    [{ runId: 'x', format: 7 }, 'Export format: choose CSV, wide CSV, MCAP or XDF'],
  ],
  'marker.add': [[{ note: 'x'.repeat(201) }, 'Marker note: too long']],
  'webcam.frame': [
    [{ cameraId: 'w', jpeg: 'AAAA' }, 'jpeg must be bytes'],
    [{ cameraId: 'w', jpeg: new Uint8Array(0) }, '1 byte to 1 MB'],
    [{ cameraId: 'w', jpeg: new Uint8Array(1_000_001) }, '1 byte to 1 MB'],
    [{ cameraId: 'w', jpeg: new Uint8Array(4), capturedAt: Infinity }, 'Picture time: must be a number'],
  ],
  'webcam.state': [[{ cameraId: 'w' }, 'Webcam on or off: missing']],
  'plugin.catalog': [[{ all: true }, /which this recorder does not know/]],
  'plugin.inspect': [
    [{ folder: '  ' }, 'give the plugin folder'],
    [{ folder: 'x'.repeat(5000) }, 'Plugin folder: too long'],
  ],
  'plugin.add': [
    [{ folder: '/tmp/p', name: 'Bad Name' }, 'lowercase letters, digits'],
    [{ folder: '/tmp/p', config: { rate: Infinity } }, 'must be a finite number'],
    [{ folder: '/tmp/p', config: { nested: { a: 1 } } }, 'Setting "nested"'],
  ],
  'plugin.allow': [[{ id: 'x', all: true }, /which this recorder does not know/]],
  'plugin.configure': [
    [{ id: 'x' }, 'Settings: missing'],
    [{ id: 'x', config: { a: null } }, 'Setting "a"'],
  ],
  'plugin.setEnabled': [[{ id: 'x', enabled: 1 }, 'On or off: must be yes or no']],
  'plugin.restart': [[{}, 'Which item: missing']],
  'plugin.remove': [[{ id: '' }, 'id is required']],
  'plugin.command': [
    [{ id: 'x', command: '  ' }, 'Command: choose the command'],
    [{ id: 'x', command: 'psu.set', params: [1] }, 'Command values: must be a set of name → value'],
    [{ id: 'x', command: 'psu.set', params: { line: 'x'.repeat(20_000) } }, 'Command values: at most 16 KB in all'],
  ],
  'network.add': [
    [{ config: { name: 'nb', protocol: 'tcp', port: 80, parser: 'auto' } }, 'port must be 1024–65535'],
    [{ config: { name: 'nb', protocol: 'sctp', port: 7421, parser: 'auto' } }, 'Protocol: '],
    [{ config: { name: 'nb', protocol: 'udp', port: 7421.5, parser: 'auto' } }, 'port must be a whole number'],
    [{ config: { name: 'a b', protocol: 'udp', port: 7421, parser: 'auto' } }, 'Name: '],
  ],
  'network.update': [[{ id: 'x' }, 'Settings: missing']],
  'network.setEnabled': [[{ id: 'x' }, 'On or off: missing']],
  'network.remove': [[{ id: 5 }, 'Which item: must be text']],
  'app.openLogFolder': [[{ where: 'here' }, /which this recorder does not know/]],
  'command.answer': [[{ id: 'x', approve: 'sure' }, 'Approve or reject: must be yes or no']],
};

describe('the contract, enforced by the host', () => {
  it('has bad-payload cases for every request', () => {
    expect(Object.keys(bad).sort()).toEqual(Object.keys(requestSchemas).sort());
  });

  for (const [name, cases] of Object.entries(bad)) {
    it(`${name}: refuses bad payloads with a message naming the problem`, async () => {
      for (const [payload, fragment] of cases) {
        const r = await host().handle(name, payload);
        expect(r.ok, `${name} accepted ${JSON.stringify(payload)}`).toBe(false);
        if (r.ok) continue;
        expect(r.error.code).toBe('bad-request');
        expect(r.error.message).toMatch(/^Could not /);
        expect(r.error.message).not.toContain(name);
        expect(r.error.message).toMatch(
          typeof fragment === 'string' ? new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : fragment,
        );
      }
      // Not an object at all.
      for (const junk of ['text', 42, [1, 2]]) {
        const r = await host().handle(name, junk);
        expect(r.ok).toBe(false);
      }
    });
  }

  it('refuses an unknown request by name', async () => {
    expect(await host().handle('system.exec', { cmd: 'rm -rf /' })).toEqual({
      ok: false,
      error: { message: 'unknown request "system.exec"', code: 'unknown-request' },
    });
    expect((await host().handle(undefined, {})).ok).toBe(false);
    expect((await host().handle('__proto__', {})).ok).toBe(false);
  });

  it('reports a well-formed request about something missing as not-found, not a crash', async () => {
    const r = await host().handle('serial.remove', { id: 'no-such-device' });
    expect(r).toEqual({
      ok: false,
      error: {
        message: 'Could not remove the serial device: no serial device with id no-such-device',
        code: 'not-found',
      },
    });
    const e = await host().handle('run.export', { runId: 'nope' });
    expect(e.ok).toBe(false);
    const a = await host().handle('command.answer', { id: 'nope', approve: true });
    expect(a.ok || a.error.message).toMatch(/there is no such command/);
    expect(await host().handle('plugin.restart', { id: 'nope' })).toEqual({
      ok: false,
      error: { message: 'Could not restart the plugin: no plugin with id nope', code: 'not-found' },
    });
    expect(await host().handle('network.remove', { id: 'nope' })).toEqual({
      ok: false,
      error: { message: 'Could not remove the network source: no network source with id nope', code: 'not-found' },
    });
  });

  it('still answers good requests after all that', async () => {
    const r = await host().handle('state.get', {});
    expect(r.ok).toBe(true);
  });
});

describe('one rule on both sides of the Node/web line', () => {
  it('the client, the host and the window accept exactly the same device names', () => {
    const names = ['rig-01', 'ab', '0_x', 'r', '', 'Rig', '-rig', 'rig.01', 'a'.repeat(63), 'a'.repeat(64)];
    for (const name of names) {
      const window = deviceNameProblem(name) === null;
      const host = requestSchemas['settings.setDeviceName'].safeParse({ name }).success;
      let client = true;
      try {
        checkSourceId(name);
      } catch {
        client = false;
      }
      expect({ name, host, client }).toEqual({ name, host: window, client: window });
    }
    expect(names.filter((n) => deviceNameProblem(n) === null)).toEqual(['rig-01', 'ab', '0_x', 'a'.repeat(63)]);
  });

  it('a serial device refuses exactly what the contract refuses, in the same words', () => {
    const base = { name: 'psu', path: '/dev/ttyUSB0', baudRate: 9600, parser: 'kv' };
    const configs: Array<Record<string, unknown>> = [
      base,
      { ...base, path: undefined, vendorId: '2341', productId: '0043' },
      { ...base, baudRate: 9600.5 },
      { ...base, baudRate: 9_000_000 },
      { ...base, parity: 'maybe' },
      { ...base, dataBits: 9 },
      { ...base, stopBits: 3 },
      { ...base, parser: 'xml' },
      { ...base, prefix: 'a b' },
      { ...base, name: '   ' },
      { ...base, path: undefined },
      { ...base, path: undefined, vendorId: '2341', productId: 'xyz' },
    ];
    for (const raw of configs) {
      const config = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
      const contract = requestSchemas['serial.add'].safeParse({ config });
      let device: string | null = null;
      try {
        validateSerialConfig(config as unknown as Parameters<typeof validateSerialConfig>[0]);
      } catch (e) {
        device = (e as Error).message;
      }
      if (contract.success) expect(device, JSON.stringify(config)).toBeNull();
      else expect(device, JSON.stringify(config)).toContain(contract.error.issues[0]!.message);
    }
  });
});
