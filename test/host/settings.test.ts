// settings.json is the technician's: their devices, their key, their plugins. These tests write
// real files the way older, newer and broken versions of the app left them, and check that what
// can be used is used, and that nothing is thrown away — it is set aside beside the file, or the
// file is left as it is.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SETTINGS_VERSION, SettingsFile } from '../../src/main/host/settings';
import { UnprotectedSecretStore } from '../../src/main/host/secrets';
import { call, startHost, stopHosts } from '../helpers/host';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { mountSmallDisk, smallDiskUnavailable } from '../plexus/small-disk';

afterEach(stopHosts);
afterAll(cleanupTempDirs);

const secrets = new UnprotectedSecretStore();
const KEY = 'plx_settings_test_key';

const serial = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  config: { name, path: `/dev/does-not-exist-${id}`, baudRate: 115200, parser: 'auto', ...extra },
  enabled: true,
});

/** A file as the first versions of the app wrote it: no `version`, no plugins, no key binding. */
function unversionedFile() {
  return {
    deviceName: 'old-rig',
    gateway: { mode: 'local' },
    apiKey: secrets.seal(KEY),
    demo: { enabled: false },
    serial: [serial('s1', 'psu'), serial('s2', 'scale', { baudRate: 9600, parity: 'even' })],
    cameras: [{ id: 'c1', config: { cameraId: 'bench-cam', url: 'rtsp://127.0.0.1:1/x' }, enabled: false }],
    lastRunName: 'run-7',
  };
}

function write(dir: string, content: unknown): string {
  const file = join(dir, 'settings.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

const onDisk = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const besides = (dir: string, prefix: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .map((f) => join(dir, f));

describe('settings.json from an older version', () => {
  it('a file without a version is read as version 1: devices, key and names are kept, and it is saved versioned', () => {
    const dir = tempDir();
    const file = write(dir, unversionedFile());
    const sf = new SettingsFile(dir);
    const s = sf.load();
    expect(sf.problem).toBeNull();
    expect(s.version).toBe(SETTINGS_VERSION);
    expect(s.deviceName).toBe('old-rig');
    expect(s.serial.map((e) => [e.id, e.config.name, e.config.baudRate])).toEqual([
      ['s1', 'psu', 115200],
      ['s2', 'scale', 9600],
    ]);
    expect(s.cameras.map((c) => c.config.cameraId)).toEqual(['bench-cam']);
    expect(secrets.open(s.apiKey!)).toBe(KEY);
    expect(s.apiKeyHost).toBeUndefined(); // the host binds it to the gateway in use (problems-log.test.ts)
    expect(s.plugins).toBeUndefined(); // the host creates the demo instance from `demo`

    sf.save(s);
    const saved = onDisk(file);
    expect(saved.version).toBe(SETTINGS_VERSION);
    expect(saved.serial).toEqual(unversionedFile().serial);
    expect(saved.apiKey).toBe(unversionedFile().apiKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('the fields an old file lacks get their defaults, without calling the file damaged', () => {
    const dir = tempDir();
    write(dir, { deviceName: 'tiny-rig', serial: [serial('s1', 'psu')] });
    const sf = new SettingsFile(dir);
    const s = sf.load();
    expect(sf.problem).toBeNull();
    expect(s).toMatchObject({ deviceName: 'tiny-rig', gateway: { mode: 'cloud' }, apiKey: null, cameras: [] });
    expect(s.serial).toHaveLength(1);
    expect(besides(dir, 'settings.json.')).toEqual([]);
  });

  it('the host starts on an unversioned file with the technician’s devices, name and key', async () => {
    const dir = tempDir();
    write(dir, unversionedFile());
    const h = await startHost(dir);
    const st = h.state();
    // Only the headless key store's own warning: nothing about the file.
    expect(st.settings.keyWarning).toBe(new UnprotectedSecretStore().warning);
    expect(st.settings.deviceName).toBe('old-rig');
    expect(st.settings.apiKeySet).toBe(true);
    expect(st.serial.map((s) => s.config.name).sort()).toEqual(['psu', 'scale']);
    expect(st.cameras.map((c) => c.config.cameraId)).toEqual(['bench-cam']);
    expect(readdirSync(dir).filter((f) => f.startsWith('settings.json.'))).toEqual([]);
    // What the host wrote back is today's version, with everything still in it.
    const saved = onDisk(join(dir, 'settings.json'));
    expect(saved.version).toBe(SETTINGS_VERSION);
    expect((saved.serial as unknown[]).length).toBe(2);
    expect(saved.apiKey).toBe(unversionedFile().apiKey);
  });
});

describe('entries this version cannot use', () => {
  it('one bad device is set aside with its reason; the other devices, the key and the plugins stay', () => {
    const dir = tempDir();
    const bad = serial('s2', 'fast-one', { baudRate: 'fast' });
    const badCam = { id: 'c1', config: { cameraId: 'no-url' }, enabled: true };
    const badPlugin = { id: 'p2', folder: '/opt/p', name: 'broken', enabled: 'yes', config: {} };
    const goodPlugin = { id: 'p1', folder: 'builtin:demo', name: 'demo', enabled: true, config: { rate: 10 } };
    const file = write(dir, {
      ...unversionedFile(),
      version: 1,
      serial: [serial('s1', 'psu'), bad, serial('s3', 'scale')],
      cameras: [badCam],
      plugins: { added: [], trusted: {}, instances: [goodPlugin, badPlugin], network: [] },
    });
    const sf = new SettingsFile(dir);
    const s = sf.load();
    expect(s.serial.map((e) => e.id)).toEqual(['s1', 's3']);
    expect(s.cameras).toEqual([]);
    expect(s.plugins?.instances).toEqual([goodPlugin]);
    expect(secrets.open(s.apiKey!)).toBe(KEY);
    expect(sf.readOnly).toBeNull();

    // The reason is logged (the host writes `problem` to its log and shows it in Settings)…
    expect(sf.problem).toMatch(
      /^3 entries of settings.json could not be used and were set aside in .*settings\.json\.set-aside-/,
    );
    expect(sf.problem).toContain('serial[1] serial device "fast-one": config.baudRate: baud rate must be');
    expect(sf.setAside.map((e) => e.where)).toEqual(['serial[1]', 'cameras[0]', 'plugins.instances[1]']);
    // …and the entries themselves are kept, whole, in a private file beside settings.json.
    const [aside, ...more] = besides(dir, 'settings.json.set-aside-');
    expect(more).toEqual([]);
    expect(statSync(aside!).mode & 0o777).toBe(0o600);
    const kept = onDisk(aside!) as { entries: Array<{ where: string; value: unknown; reason: string }> };
    expect(kept.entries.map((e) => e.value)).toEqual([bad, badCam, badPlugin]);
    expect(kept.entries[1]!.reason).toMatch(/config\.url/);

    // Saving keeps the good entries; the next start has nothing more to set aside.
    sf.save(s);
    expect((onDisk(file).serial as Array<{ id: string }>).map((e) => e.id)).toEqual(['s1', 's3']);
    const again = new SettingsFile(dir);
    again.load();
    expect(again.problem).toBeNull();
    expect(besides(dir, 'settings.json.set-aside-')).toHaveLength(1);
  });

  it('a gateway this version cannot read means local only (nothing sent), and the key is kept', () => {
    const dir = tempDir();
    write(dir, { ...unversionedFile(), gateway: { mode: 'moon' }, apiKeyHost: 'plexus.lab:8443' });
    const sf = new SettingsFile(dir);
    const s = sf.load();
    expect(s.gateway).toEqual({ mode: 'local' });
    expect(secrets.open(s.apiKey!)).toBe(KEY);
    expect(s.apiKeyHost).toBe('plexus.lab:8443');
    expect(sf.problem).toMatch(/1 entry of settings.json could not be used and was set aside .*\(gateway /);
  });

  it('a device name that breaks the naming rule is set aside instead of stopping the client', async () => {
    const dir = tempDir();
    write(dir, { ...unversionedFile(), deviceName: 'Old Rig!' });
    const h = await startHost(dir);
    expect(h.state().settings.deviceName).not.toBe('Old Rig!');
    expect(h.state().settings.keyWarning).toMatch(/deviceName device name "Old Rig!": lowercase letters only/);
    expect(h.state().serial).toHaveLength(2);
    await call(h, 'settings.setDeviceName', { name: 'new-rig' });
    expect(onDisk(join(dir, 'settings.json')).deviceName).toBe('new-rig');
  });

  it('a file that is not JSON, or not a settings object, is set aside whole (as before)', () => {
    for (const content of ['{ not json', '[1, 2]', JSON.stringify({ version: 'two', serial: [] })]) {
      const dir = tempDir();
      write(dir, content);
      const sf = new SettingsFile(dir);
      expect(sf.load().serial).toEqual([]);
      expect(sf.problem).toMatch(/settings.json could not be read .* set aside as .*settings\.json\.damaged-/);
      const [aside] = besides(dir, 'settings.json.damaged-');
      expect(readFileSync(aside!, 'utf8')).toBe(content);
    }
  });
});

describe('settings.json from a newer version', () => {
  // Chosen: keep a byte-for-byte copy, then run with what this version understands and save its
  // own shape. The bench keeps working with its devices and key, changes made now are kept, and
  // going forward again loses nothing (the newer file is in the copy). Only when no copy can be
  // made is the file left read-only (see the full-disk case below).
  it('is copied before anything is written; devices and key are used', () => {
    const dir = tempDir();
    const future = {
      ...unversionedFile(),
      version: SETTINGS_VERSION + 1,
      somethingNew: { rules: [1, 2, 3] },
    };
    const file = write(dir, future);
    const original = readFileSync(file, 'utf8');
    const sf = new SettingsFile(dir);
    const s = sf.load();
    expect(sf.readOnly).toBeNull();
    expect(s.serial.map((e) => e.config.name)).toEqual(['psu', 'scale']);
    expect(secrets.open(s.apiKey!)).toBe(KEY);
    expect(sf.problem).toMatch(
      new RegExp(
        `written by a newer Plexus Bench \\(settings version ${SETTINGS_VERSION + 1}, this one knows ${SETTINGS_VERSION}\\).*kept the original as .*settings\\.json\\.v${SETTINGS_VERSION + 1}`,
      ),
    );
    const [copy, ...more] = besides(dir, `settings.json.v${SETTINGS_VERSION + 1}`);
    expect(more).toEqual([]);
    expect(readFileSync(copy!, 'utf8')).toBe(original);
    expect(statSync(copy!).mode & 0o777).toBe(0o600);

    sf.save(s);
    expect(onDisk(file).version).toBe(SETTINGS_VERSION);
    expect(readFileSync(copy!, 'utf8')).toBe(original);
    // The next start reads this version's file: no second copy, nothing to report.
    const again = new SettingsFile(dir);
    again.load();
    expect(again.problem).toBeNull();
    expect(besides(dir, `settings.json.v${SETTINGS_VERSION + 1}`)).toHaveLength(1);
  });

  describe.skipIf(smallDiskUnavailable !== null)('on a full disk (a real small tmpfs)', () => {
    it('when no copy can be kept, the newer file is only read: save() leaves it as it is', () => {
      const disk = mountSmallDisk(1);
      try {
        const dir = join(disk.dir, 'data');
        mkdirSync(dir);
        const file = write(dir, { ...unversionedFile(), version: SETTINGS_VERSION + 1 });
        const original = readFileSync(file, 'utf8');
        disk.fill();
        const sf = new SettingsFile(dir);
        const s = sf.load();
        expect(s.serial).toHaveLength(2);
        expect(sf.readOnly).toMatch(/no copy of the newer file could be kept/);
        expect(sf.problem).toMatch(/it is only read, not written .*changes made now are not saved/);
        s.deviceName = 'changed';
        sf.save(s);
        expect(readFileSync(file, 'utf8')).toBe(original);
      } finally {
        disk.unmount();
      }
    });

    it('when set-aside entries cannot be kept, the file is only read, so they are not lost', () => {
      const disk = mountSmallDisk(1);
      try {
        const dir = join(disk.dir, 'data');
        mkdirSync(dir);
        const file = write(dir, { ...unversionedFile(), serial: [serial('s1', 'psu', { baudRate: -1 })] });
        const original = readFileSync(file, 'utf8');
        disk.fill();
        const sf = new SettingsFile(dir);
        expect(sf.load().serial).toEqual([]);
        expect(sf.readOnly).toMatch(/could not be set aside/);
        sf.save(sf.load());
        expect(readFileSync(file, 'utf8')).toBe(original);
      } finally {
        disk.unmount();
      }
    });
  });
});

describe('the settings schema is its own', () => {
  /** Every file of ours that `entry` imports, directly or through others (relative imports only). */
  function importGraph(entry: string): Set<string> {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName } of importedFiles) {
        if (!fileName.startsWith('.')) continue;
        const base = resolve(dirname(file), fileName);
        const hit = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
        if (hit) visit(hit);
      }
    };
    visit(entry);
    return seen;
  }

  it('reading settings imports none of the contract (its request schemas can change freely)', () => {
    const root = resolve(__dirname, '..', '..');
    const graph = [...importGraph(join(root, 'src/main/host/settings.ts'))].map((f) => f.slice(root.length + 1));
    // The walk works: it reaches the shared value rules the settings use…
    expect(graph).toEqual(expect.arrayContaining(['src/main/host/settings-schema.ts', 'src/shared/serial-config.ts']));
    // …and never the contract, where the request schemas live.
    expect(graph).not.toContain('src/shared/contract.ts');
  });
});
