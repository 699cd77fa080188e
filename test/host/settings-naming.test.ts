// Settings version 2 brought every metric prefix under one rule (src/shared/names.ts). A version 1
// file with free-text camera ids or serial prefixes keeps working: the camera keeps its words as
// its display name and gets a derived id, a prefix becomes the derived one, nothing is set aside;
// and a serial device's per-field units and labels reach the window as metric info.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SETTINGS_VERSION, SettingsFile } from '../../src/main/host/settings';
import { call, startHost, stopHosts } from '../helpers/host';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

afterEach(stopHosts);
afterAll(cleanupTempDirs);

const camera = (id: string, cameraId: string) => ({
  id,
  config: { cameraId, url: '/dev/null' },
  enabled: false,
});
const serial = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  config: { name, path: `/dev/does-not-exist-${id}`, baudRate: 115200, parser: 'auto', ...extra },
  enabled: false,
});

function versionOne(): Record<string, unknown> {
  return {
    version: 1,
    deviceName: 'rig-01',
    gateway: { mode: 'local' },
    apiKey: null,
    demo: { enabled: false },
    serial: [
      serial('s1', 'PSU bench'),
      serial('s2', 'Scope', { prefix: 'Lab Scope' }),
      serial('s3', 'daq', { prefix: '' }),
    ],
    cameras: [camera('c1', 'Front Cam'), camera('c2', 'front_cam'), camera('c3', 'rear')],
    lastRunName: null,
  };
}

describe('one naming rule for metric prefixes (settings version 2)', () => {
  it('migrates free-text camera ids and serial prefixes, keeping the words for display', () => {
    expect(SETTINGS_VERSION).toBe(2);
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(versionOne()));
    const file = new SettingsFile(dir);
    const s = file.load();
    expect(file.problem).toBeNull();
    expect(file.setAside).toEqual([]);
    // "Front Cam" → front_cam is taken by another camera, so it gets front_cam-2.
    expect(s.cameras.map((c) => c.config)).toEqual([
      { cameraId: 'front_cam-2', name: 'Front Cam', url: '/dev/null' },
      { cameraId: 'front_cam', url: '/dev/null' },
      { cameraId: 'rear', url: '/dev/null' },
    ]);
    // No prefix: the default is derived from the name at run time; a free-text one is derived now.
    expect(s.serial.map((e) => [e.config.name, e.config.prefix])).toEqual([
      ['PSU bench', undefined],
      ['Scope', 'lab_scope'],
      ['daq', ''],
    ]);
  });

  it('a serial device named in free text records under the derived prefix, with its field units and labels', async () => {
    const host = await startHost();
    const { id } = await call(host, 'serial.add', {
      config: {
        name: 'PSU bench',
        path: '/dev/does-not-exist',
        baudRate: 9600,
        parser: 'csv',
        fields: { volts: { unit: 'V', label: 'Output voltage' }, amps: { unit: 'A' } },
      },
    });
    expect(host.state().metricInfo).toMatchObject({
      'psu_bench.volts': { unit: 'V', label: 'Output voltage' },
      'psu_bench.amps': { unit: 'A' },
    });
    await call(host, 'serial.update', {
      id,
      config: {
        name: 'PSU bench',
        prefix: '',
        path: '/dev/does-not-exist',
        baudRate: 9600,
        parser: 'csv',
        fields: { volts: { unit: 'mV' } },
      },
    });
    const info = host.state().metricInfo;
    expect(info.volts).toEqual({ unit: 'mV' });
    expect(info['psu_bench.volts']).toBeUndefined();
    expect(info['psu_bench.amps']).toBeUndefined();
  });

  it('refuses a camera id or a prefix that breaks the rule, naming the field', async () => {
    const host = await startHost();
    const cam = await host.handle('camera.add', { config: { cameraId: 'Front Cam', url: '/dev/null' } });
    expect(cam.ok || cam.error.message).toMatch(/^Could not add the camera\. Camera id: no spaces/);
    const ser = await host.handle('serial.add', {
      config: { name: 'psu', prefix: 'PSU', path: '/dev/x', baudRate: 9600, parser: 'kv' },
    });
    expect(ser.ok || ser.error.message).toMatch(
      /^Could not add the serial device\. Metric prefix: prefix: lowercase letters only/,
    );
  });
});
