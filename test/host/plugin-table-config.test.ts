// A plugin with a table field in the real host: the technician's rows reach ctx.config with each
// row's defaults filled in, a bad cell keeps the plugin from running with the row and column named,
// and the table is kept in settings.json across a restart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../src/main/host';
import { until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { call, startHost, stopHost, stopHosts } from '../helpers/host';
import { pluginFolder, scriptPlugin } from '../plugins/helpers';
import { REGISTERS_TABLE } from '../fixtures/register-table';

afterEach(async () => {
  await stopHosts();
  cleanupTempDirs();
});

// The plugin's schema, as the source text scriptPlugin writes into its definePlugin({ config }).
const CONFIG = JSON.stringify({
  type: 'object',
  properties: { registers: REGISTERS_TABLE, password: { type: 'string', format: 'password', default: '' } },
});

// The plugin tells what it got: the sum of addresses and units (a unit left out counts its
// default, 1), so 304 proves both rows arrived with their defaults filled in.
const BODY = `const sum = ctx.config.registers.reduce((s, r) => s + r.address + r.unit, 0);
    const t = setInterval(() => ctx.send('sum', sum), 50);
    return () => clearInterval(t);`;

const plugin = (h: Host, id: string) => h.state().plugins.find((p) => p.id === id);

describe('table fields in the host', () => {
  it('rows reach ctx.config with their defaults; a bad cell is named; the table survives a restart', async () => {
    const dir = tempDir();
    const a = await startHost(dir);
    const seen = new Map<string, unknown>();
    a.on('tick', (t) => t.metrics.forEach((m) => seen.set(m[0], m[1])));
    const rows = [
      { address: 100, metric: 'volts' },
      { address: 200, metric: 'amps', unit: 3, type: 's16' },
    ];
    const { id } = await call(a, 'plugin.add', {
      folder: scriptPlugin('mb', BODY, { config: CONFIG }),
      name: 'mb',
      config: { registers: rows },
    });
    await until(() => seen.get('mb.sum') === 304, 20_000, 'the plugin’s sum of its rows');
    expect(plugin(a, id)?.state).toBe('running');

    await expect(
      call(a, 'plugin.configure', { id, config: { registers: [...rows, { address: 70000, metric: 'x' }] } }),
    ).rejects.toThrow(/Registers row 3: Address must be at most 65535/);

    await stopHost(a);
    const saved = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as {
      plugins: { instances: Array<{ config: unknown }> };
    };
    expect(saved.plugins.instances.find((i) => (i as { id?: string }).id === id)?.config).toEqual({ registers: rows });

    const b = await startHost(dir);
    const seenB = new Map<string, unknown>();
    b.on('tick', (t) => t.metrics.forEach((m) => seenB.set(m[0], m[1])));
    await until(() => seenB.get('mb.sum') === 304, 20_000, 'the same rows after a restart');
  });
});

describe('table fields in plugin.json', () => {
  it('a manifest’s schema may have a table and its config rows; a bad row is named before anything runs', async () => {
    const h = await startHost();
    const schema = {
      type: 'object',
      properties: {
        registers: {
          type: 'array',
          title: 'Registers',
          items: {
            type: 'object',
            properties: { address: { type: 'integer', maximum: 65535 }, metric: { type: 'string' } },
            required: ['address'],
          },
        },
      },
    };
    const manifest = (config: unknown) => ({
      id: 'mb-proc',
      name: 'mb-proc',
      version: '1.0.0',
      kind: 'process',
      command: 'node',
      args: ['-e', ''],
      configSchema: schema,
      config,
      commands: [{ name: 'write', params: [{ name: 'value', type: 'int' }], requiresApproval: true }],
    });
    const good = pluginFolder(manifest({ registers: [{ address: 7, metric: 'volts' }] }), {});
    expect((await call(h, 'plugin.inspect', { folder: good })).problem ?? null).toBeNull();
    const bad = pluginFolder(manifest({ registers: [{ address: 7 }, { address: 70000 }] }), {});
    expect((await call(h, 'plugin.inspect', { folder: bad })).problem).toMatch(
      /Registers row 2: Address must be at most 65535/,
    );
  });
});
