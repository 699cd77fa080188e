// What plugin authors really get: the package is packed (`npm pack`), installed into an empty
// folder like any dependency, and the example and shipped plugins — plus a script using the client —
// type-check against its exported declarations under strict settings. A deliberately wrong plugin
// must fail, so the types are proven to be real types, not `any`.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { REPO } from './helpers';

afterAll(() => cleanupTempDirs());

const PLUGINS = {
  'typescript-sensor.ts': join(REPO, 'examples', 'typescript-sensor', 'index.ts'),
  'demo-signals.ts': join(REPO, 'plugins', 'demo-signals', 'index.ts'),
  'system-stats.ts': join(REPO, 'plugins', 'system-stats', 'index.ts'),
};

/** Shipped plugins of several files each, checked folder by folder. */
const PROTOCOL_PLUGINS = ['mqtt', 'modbus', 'scpi'];

const CLIENT_SCRIPT = `import { Plexus, ValidationError, type StatusInfo } from 'plexus-bench/client';

const px = new Plexus({ sourceId: 'rig-01', dataDir: './data' });
px.on('status', (s: StatusInfo) => console.log(s.message));
px.send('coolant.temp', 82.3, { tags: { loop: 'A' } });
px.sendBatch({ 'psu.v': 12.41, 'psu.a': 1.9 });
px.event('valve', { position: 'open' });
try {
  px.send('', 1);
} catch (e) {
  if (e instanceof ValidationError) console.log(e.rule);
}
await px.withRun('thermal-cycle-003', async () => px.event('marker', 'heater on'));
const n: number = px.bufferSize();
console.log(n, px.clock().offsetMs);
await px.close();
`;

const WRONG_PLUGIN = `import { definePlugin } from 'plexus-bench/plugin';
export default definePlugin({
  id: 'wrong', name: 'Wrong', version: '1.0.0',
  config: { type: 'object', properties: { rate: { type: 'number', default: 1 } } },
  setup(ctx) {
    const text: string = ctx.config.rate; // a number, not text
    ctx.send('x', 1, { tags: { a: 1 } }); // tag values are text
    ctx.nope();
    return text;
  },
});
`;

function run(cmd: string, args: string[], cwd: string): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

describe('the packed plugin API', () => {
  it('example and shipped plugins, and a client script, type-check against the packed package; wrong code does not', () => {
    for (const f of ['out/types/main/plugins/api.d.ts', 'out/types/main/plexus/index.d.ts', 'out/main/plugin.js'])
      if (!existsSync(join(REPO, f)))
        throw new Error(`${f} is missing: npm test builds it first (or run npm run build)`);
    const dir = tempDir('plexus-pack-');
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
        cwd: REPO,
        encoding: 'utf8',
      }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'out/types/main/plugins/api.d.ts',
        'out/main/plugin.js',
        'plugins/demo-signals/plugin.json',
      ]),
    );
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);

    const app = join(dir, 'author');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'plugin-author', private: true, type: 'module' }));
    const install = run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--prefer-offline',
        '--no-package-lock',
        join(dir, packed[0]!.filename),
        'typescript@5.9.3',
        '@types/node@24.19.4',
      ],
      app,
    );
    expect(install.code, install.out).toBe(0);
    for (const [name, from] of Object.entries(PLUGINS)) copyFileSync(from, join(app, 'src', name));
    // The protocol plugins, whole folders: built only on the public API, so they check with
    // nothing of the recorder's source at hand. Each folder is CommonJS, as the recorder bundles
    // it, so its own modules import each other without file extensions.
    for (const name of PROTOCOL_PLUGINS) {
      const to = join(app, 'src', name);
      mkdirSync(to);
      writeFileSync(join(to, 'package.json'), JSON.stringify({ type: 'commonjs' }));
      for (const f of readdirSync(join(REPO, 'plugins', name)).filter((x) => x.endsWith('.ts')))
        copyFileSync(join(REPO, 'plugins', name, f), join(to, f));
    }
    writeFileSync(join(app, 'src', 'client-script.ts'), CLIENT_SCRIPT);
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: false,
        noEmit: true,
        types: ['node'],
      },
      include: ['src/**/*.ts'],
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = join(app, 'node_modules', '.bin', 'tsc');
    const good = run(tsc, ['-p', '.'], app);
    expect(good.out).toBe('');
    expect(good.code).toBe(0);

    writeFileSync(join(app, 'src', 'wrong.ts'), WRONG_PLUGIN);
    const bad = run(tsc, ['-p', '.'], app);
    expect(bad.code).not.toBe(0);
    const errors = bad.out.split('\n').filter((l) => l.includes('error TS'));
    expect(errors.every((l) => l.startsWith('src/wrong.ts'))).toBe(true);
    expect(errors.join('\n')).toMatch(/wrong\.ts\(6,.*Type 'number' is not assignable to type 'string'/);
    expect(errors.join('\n')).toMatch(/wrong\.ts\(7,/);
    expect(errors.join('\n')).toMatch(/wrong\.ts\(8,.*Property 'nope' does not exist/);

    // And the module itself loads in plain Node, as an author's tooling would load it.
    const loaded = run(
      process.execPath,
      [
        '-e',
        "const p = require('plexus-bench/plugin'); const d = p.definePlugin({ id: 'a', name: 'A', version: '1', setup() {} }); console.log(typeof p.definePlugin, d.id)",
      ],
      app,
    );
    expect(loaded.out.trim()).toBe('function a');
  });
});
