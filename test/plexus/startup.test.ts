// Start-up: every option is checked before the disk is touched (a bad one leaves nothing locked
// or created), and the data dir and its files are private to the user (0700 / 0600), also when
// they already existed with wider modes.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError, Plexus, type PlexusOptions } from '../../src/main/plexus';
import { until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

const FIXTURE = join(__dirname, '..', 'fixtures', 'lock-child.ts');

const clients: Plexus[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 200 })));
  cleanupTempDirs();
});

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8).padStart(4, '0');

describe('start-up', () => {
  const bad: Array<[string, PlexusOptions]> = [
    ['connectTimeoutMs: -1', { connectTimeoutMs: -1 }],
    ['heartbeatIntervalMs: NaN', { heartbeatIntervalMs: NaN }],
    ['resyncIntervalMs: -5', { resyncIntervalMs: -5 }],
    ['authRetryMs: 0', { authRetryMs: 0 }],
    ['conflictEvictions: Infinity', { conflictEvictions: Infinity }],
    ['httpTimeoutMs: "30"', { httpTimeoutMs: '30' as unknown as number }],
    ['transport: "udp"', { transport: 'udp' as 'ws' }],
    ['gatewayUrl: ftp://…', { gatewayUrl: 'ftp://plexus.local' }],
    ['gatewayWsUrl: http://…', { gatewayWsUrl: 'http://plexus.local' }],
    ['sourceId: "!"', { sourceId: '!' }],
    ['buffer.maxPoints: 0', { buffer: { maxPoints: 0 } }],
    ['buffer.commitIntervalMs: -1', { buffer: { commitIntervalMs: -1 } }],
    ['buffer.durability: "disk"', { buffer: { durability: 'disk' as 'power' } }],
    ['reconnect.baseMs: -1', { reconnect: { baseMs: -1 } }],
    ['httpRetry.jitter: 2', { httpRetry: { jitter: 2 } }],
    ['cameras: [{}]', { cameras: [{}] as unknown as NonNullable<PlexusOptions['cameras']> }],
  ];
  for (const [what, opts] of bad) {
    it(`a bad option (${what}) is refused before the data dir is touched; a good client then starts there`, () => {
      const dir = join(tempDir(), 'data');
      expect(() => new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01', ...opts })).toThrow(ConfigError);
      expect(existsSync(dir)).toBe(false); // nothing created, nothing locked
      const ok = new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' });
      clients.push(ok);
      expect(ok.bufferSize()).toBe(0);
    });
  }

  it('a bad option on an existing data dir leaves it unlocked for the next client', () => {
    const dir = tempDir();
    expect(() => new Plexus({ apiKey: null, dataDir: dir, connectTimeoutMs: -1 })).toThrow(
      /connectTimeoutMs must be a positive number, got -1/,
    );
    expect(readdirSync(dir)).toEqual([]);
    clients.push(new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' }));
  });

  it('creates the data dir 0700 and its files 0600, whatever the umask', async () => {
    const old = process.umask(0);
    try {
      const dir = join(tempDir(), 'fresh');
      const c = new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' });
      c.send('x', 1);
      await c.persisted();
      expect(mode(dir)).toBe('0700');
      const files = readdirSync(dir);
      expect(files).toEqual(expect.arrayContaining(['buffer.db', 'buffer.db-wal', 'buffer.db-shm', 'client.lock']));
      for (const f of files) expect(`${f} ${mode(join(dir, f))}`).toBe(`${f} 0600`);
      await c.close();
    } finally {
      process.umask(old);
    }
  });

  it('narrows an existing data dir and files with wider modes to 0700 / 0600', async () => {
    const dir = tempDir();
    // A client killed with kill -9 leaves its WAL and shared-memory files behind…
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, 'hold', dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => out.push(l));
    await until(() => out.some((l) => l.startsWith('locked ')), 20_000, 'the child to start');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['buffer.db-wal', 'buffer.db-shm']));
    // …and then someone opens everything up.
    chmodSync(dir, 0o777);
    for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o666);
    const b = new Plexus({ apiKey: null, dataDir: dir, sourceId: 'rig-01' });
    clients.push(b);
    b.send('x', 2);
    await b.persisted();
    expect(mode(dir)).toBe('0700');
    for (const f of readdirSync(dir)) expect(`${f} ${mode(join(dir, f))}`).toBe(`${f} 0600`);
  });
});
