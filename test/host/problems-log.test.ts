// The technician is told, and the key is kept where it belongs: problems (a disk that refuses
// writes, a nearly full disk) reach the window with a remedy; a marker kept in memory says so;
// every source writes to the log file in the data folder; a saved API key goes only to the
// gateway it was entered for, and never in clear text to another machine; long marker notes are
// kept whole.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestGateway } from '../support/gateway';
import { readLog, until } from '../helpers/plexus';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { call, startHost, stopHosts } from '../helpers/host';
import { scriptPlugin } from '../plugins/helpers';

const gateways: TestGateway[] = [];
const mounts: string[] = [];

afterEach(async () => {
  await stopHosts();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
  for (const m of mounts.splice(0)) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {}
  }
  cleanupTempDirs();
});

/** CI runs as root, which can mount a real small disk; elsewhere the disk test says why it skips. */
const ROOT = process.getuid?.() === 0;
if (!ROOT) console.log('skipping the disk-full test: not root, so no small tmpfs can be mounted');

/** A real small disk (tmpfs). */
function smallDisk(mb: number): string {
  const dir = tempDir('plexus-small-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

describe('problems, log and key', () => {
  it.skipIf(!ROOT)(
    'a disk that refuses writes is shown with its remedy; a marker then says it waits; it clears when space returns',
    async () => {
      const disk = smallDisk(16);
      const h = await startHost(disk);
      // The small disk is nearly full from the start: a warning, not an error.
      await until(() => h.state().problems.some((p) => p.id === 'disk-low'), 15_000, 'disk-low');
      expect(h.state().problems.find((p) => p.id === 'disk-low')).toMatchObject({ severity: 'warning' });
      // Fill it up completely.
      const filler = join(disk, 'filler');
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', 'count=64'], { stdio: 'ignore' });
      } catch {
        // dd stops with "No space left on device": that is the point
      }
      for (let i = 0; i < 200; i++)
        h.client.sendBatch(Array.from({ length: 500 }, (_, k) => ({ metric: `fill.m${k % 50}`, value: i + k })));
      await until(() => h.state().problems.some((p) => p.id === 'storage'), 15_000, 'the storage problem');
      const p = h.state().problems.find((x) => x.id === 'storage')!;
      expect(p.severity).toBe('error');
      expect(p.message).toMatch(/cannot write to its disk/);
      expect(p.remedy).toMatch(/Free space/);
      const mark = await call(h, 'marker.add', { note: 'valve opened' });
      expect(mark.warning).toMatch(/waits in memory/);
      rmSync(filler);
      await until(() => !h.state().problems.some((x) => x.id === 'storage'), 20_000, 'the storage problem cleared');
      expect((await call(h, 'marker.add', { note: 'after' })).warning).toBeUndefined();
    },
  );

  it('the client, plugins and the host write to a log file in the data folder', async () => {
    const dir = tempDir();
    const h = await startHost(dir, { pluginTiming: { restart: { baseMs: 100 } } });
    await call(h, 'plugin.add', {
      folder: scriptPlugin('noisy', `ctx.log.warn('pressure above limit'); throw new Error('no instrument');`),
    });
    const file = join(dir, 'logs', 'plexus-bench.log');
    expect(h.state().settings.logDir).toBe(join(dir, 'logs'));
    await until(() => existsSync(file) && readFileSync(file, 'utf8').includes('no instrument'), 15_000, 'log lines');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/\[warn\].*\[plugin noisy\] pressure above limit/);
    expect(text).toMatch(/\[error\].*\[plugin noisy\] setup failed: no instrument/);
    expect(text).toMatch(/Plexus Bench starting/);
    // Headless (no file manager to open): the answer is the folder's path.
    expect(await call(h, 'app.openLogFolder', {})).toEqual({ opened: false, path: join(dir, 'logs') });
  });

  it('a saved API key goes only to the gateway it was entered for', async () => {
    const a = await TestGateway.start();
    const b = await TestGateway.start();
    gateways.push(a, b);
    const h = await startHost();
    await call(h, 'settings.setGateway', { gateway: { mode: 'custom', url: a.url, wsUrl: a.wsUrl } });
    await call(h, 'settings.setApiKey', { apiKey: 'plx_secret_for_a' });
    await until(() => h.state().status.status === 'connected', 10_000, 'connected to A');
    // Pointing the recorder at another gateway does not take the key along.
    const s = await call(h, 'settings.setGateway', { gateway: { mode: 'custom', url: b.url, wsUrl: b.wsUrl } });
    expect(s.apiKeySet).toBe(false);
    expect(s.keyWarning).toMatch(
      /API key was removed because the gateway changed to 127\.0\.0\.1:\d+: enter the key for this gateway/,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(b.auths.some((x) => x.msg.api_key === 'plx_secret_for_a')).toBe(false);
    // A key entered for B is used for B.
    await call(h, 'settings.setApiKey', { apiKey: 'plx_secret_for_b' });
    await until(() => b.auths.some((x) => x.msg.api_key === 'plx_secret_for_b'), 10_000, 'B authenticated');
  });

  it('a key never goes in clear text to another machine', async () => {
    const h = await startHost();
    await call(h, 'settings.setGateway', { gateway: { mode: 'custom', url: 'http://10.20.30.40:8080' } });
    const r = await h.handle('settings.setApiKey', { apiKey: 'plx_secret_key_1' });
    expect(r.ok || r.error.message).toMatch(
      /10\.20\.30\.40:8080 is not encrypted \(http:\/\/\): the API key would travel in clear text/,
    );
    expect(h.state().settings.apiKeySet).toBe(false);
    // With a key saved (for https), switching to plain http elsewhere is refused too.
    await call(h, 'settings.setGateway', { gateway: { mode: 'custom', url: 'https://10.20.30.40:8443' } });
    await call(h, 'settings.setApiKey', { apiKey: 'plx_secret_key_1' });
    const g = await h.handle('settings.setGateway', { gateway: { mode: 'custom', url: 'http://10.20.30.40:8443' } });
    expect(g.ok || g.error.message).toMatch(/not encrypted.*remove the API key first/);
    expect(h.state().settings.gateway).toEqual({ mode: 'custom', url: 'https://10.20.30.40:8443' });
  });

  it('a settings file from before the key rule binds the key to the gateway in use', async () => {
    const gw = await TestGateway.start();
    gateways.push(gw);
    const dir = tempDir();
    const first = await startHost(dir);
    await call(first, 'settings.setGateway', { gateway: { mode: 'custom', url: gw.url, wsUrl: gw.wsUrl } });
    await call(first, 'settings.setApiKey', { apiKey: 'plx_old_file_key' });
    await stopHosts();
    const file = join(dir, 'settings.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete saved.apiKeyHost;
    writeFileSync(file, JSON.stringify(saved));
    const h = await startHost(dir);
    expect(h.state().settings.apiKeySet).toBe(true);
    await until(() => gw.auths.filter((x) => x.msg.api_key === 'plx_old_file_key').length >= 2, 10_000, 'the key used');
  });

  it('a marker note of 200 characters is kept whole, whatever the script', async () => {
    const dir = tempDir();
    const h = await startHost(dir);
    const emoji = '🔥'.repeat(200); // 800 UTF-8 bytes: more than an event's text may hold
    const cjk = '温度'.repeat(40); // 240 bytes: fits as text
    const a = await call(h, 'marker.add', { note: emoji });
    const b = await call(h, 'marker.add', { note: cjk });
    expect(a.seq).toBeGreaterThan(0);
    expect(b.seq).toBeGreaterThan(a.seq);
    const markers = () => readLog(join(dir, 'plexus')).filter((p) => p.metric === 'marker');
    await until(() => markers().length === 2, 10_000, 'both markers on disk');
    expect(markers().map((m) => m.value)).toEqual([{ note: emoji }, cjk]);
  });

  it('the FFmpeg program is set in the window, checked before it is kept, and kept across a restart', async () => {
    const dir = tempDir();
    const h = await startHost(dir);
    expect(h.state().settings.ffmpeg).toMatchObject({ path: null, problem: null });
    expect(h.state().settings.ffmpeg.version).toMatch(/^\d/); // Debian's ffmpeg on PATH
    const missing = await h.handle('settings.setFfmpegPath', { path: '/opt/nowhere/ffmpeg' });
    expect(missing.ok || missing.error.message).toMatch(
      /FFmpeg not found at the configured path \/opt\/nowhere\/ffmpeg \(no such file\)/,
    );
    const notFfmpeg = await h.handle('settings.setFfmpegPath', { path: '/bin/true' });
    expect(notFfmpeg.ok || notFfmpeg.error.message).toMatch(/does not look like FFmpeg/);
    expect(h.state().settings.ffmpeg.path).toBeNull();
    const real = execFileSync('which', ['ffmpeg'], { encoding: 'utf8' }).trim();
    const s = await call(h, 'settings.setFfmpegPath', { path: real });
    expect(s.ffmpeg).toMatchObject({ path: real, found: real, problem: null });
    await stopHosts();
    const again = await startHost(dir);
    expect(again.state().settings.ffmpeg).toMatchObject({ path: real, found: real, problem: null });
  });

  it('a damaged buffer file does not stop the recorder: it starts, and the window says what was kept and where the old file is', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'plexus'), { recursive: true });
    writeFileSync(join(dir, 'plexus', 'buffer.db'), Buffer.alloc(64 * 1024, 0x5a)); // not a database at all
    const h = await startHost(dir);
    const p = h.state().problems.find((x) => x.id === 'recovered');
    expect(p?.severity).toBe('warning');
    expect(p?.message).toMatch(/buffer\.db\.damaged-/);
    expect(readdirSync(join(dir, 'plexus')).some((f) => f.startsWith('buffer.db.damaged-'))).toBe(true);
    // And it records.
    await call(h, 'marker.add', { note: 'after the repair' });
    await until(
      () => readLog(join(dir, 'plexus')).some((x) => x.value === 'after the repair'),
      10_000,
      'a marker on disk',
    );
  });
});
