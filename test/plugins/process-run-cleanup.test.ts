// Process plugins with real child processes (/bin/sh, /usr/bin/python3) leave nothing they started
// running: not on stop(), not when they end by themselves, not when the recorder itself is killed
// with SIGKILL.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { pidRunning } from '../fixtures/camera-helpers';
import { sleep, until } from '../helpers/plexus';
import { tempDir } from '../helpers/tmp';
import { cleanUp, pids, apps, start, settlesWithin, sessionOf } from './process-harness';

const SUBREAPER = path.join(__dirname, '../fixtures/camera-subreaper.py');
const APP = path.join(__dirname, '../fixtures/plugins/process-app.ts');

afterEach(cleanUp);

describe('process plugin: nothing left behind', () => {
  it('kills a plugin that ignores SIGTERM after the grace period; stop() is idempotent', async () => {
    const h = await start('sh', `trap '' TERM\necho ready >&2\nwhile :; do sleep 0.1; done\n`, { stopGraceMs: 500 });
    await until(() => h.logs.some((l) => l.message === 'ready'), 10_000, 'the plugin to start');
    const t0 = Date.now();
    const a = h.run.stop();
    const b = h.run.stop();
    await Promise.all([a, b]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450); // it waited for the grace period
    expect(pidRunning(h.run.pid!)).toBe(false);
    expect(await settlesWithin(h.run.ended, 100)).toBe(false); // a stop is not an end
  });

  it('does not wait for the grace period when the plugin ends on SIGTERM', async () => {
    const h = await start('sh', 'echo ready >&2\nwhile :; do sleep 0.1; done\n', { stopGraceMs: 30_000 });
    await until(() => h.logs.some((l) => l.message === 'ready'), 10_000, 'the plugin to start');
    const t0 = Date.now();
    await h.run.stop();
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(pidRunning(h.run.pid!)).toBe(false);
  });

  it('stop() ends its children, including one in its own session that ignores SIGTERM', async () => {
    const h = await start(
      'sh',
      [
        'sleep 1000 &',
        'echo "child $!" >&2',
        `setsid sh -c 'trap "" TERM HUP; echo "setsid $$" >&2; exec sleep 1000' &`,
        'wait',
      ].join('\n'),
    );
    await until(() => h.pid('child') !== undefined && h.pid('setsid') !== undefined, 10_000, 'the children');
    const all = [h.run.pid!, h.pid('child')!, h.pid('setsid')!];
    expect(all.every(pidRunning)).toBe(true);
    expect(sessionOf(h.pid('setsid')!)).not.toBe(sessionOf(h.run.pid!)); // really escaped the group
    await h.run.stop();
    await until(() => !all.some(pidRunning), 10_000, `pids ${all.join(', ')} to end`);
  });

  it('kills what a plugin left behind when it exits by itself', async () => {
    const h = await start('sh', 'sleep 1000 &\necho "child $!" >&2\nsleep 0.3\nexit 0\n');
    const reason = await h.run.ended;
    expect(reason.message).toMatch(/^exited with code 0/);
    const child = h.pid('child')!;
    expect(child).toBeGreaterThan(0);
    await until(() => !pidRunning(child), 10_000, `the left-behind child ${child} to end`);
  });

  it.each([
    { when: 'while it runs', mode: 'run', trap: '' },
    // The watcher ignores SIGTERM: the recorder dying in the middle of a graceful stop still cleans up.
    { when: 'during the grace period of a stop', mode: 'stop', trap: "trap '' TERM\n" },
  ])('leaves nothing running when the recorder is killed with SIGKILL $when', async ({ mode, trap }) => {
    const dir = tempDir('plexus-proc-');
    const script = path.join(dir, 'plugin.sh');
    // It never writes to stdout: no broken pipe can end it, only the watcher.
    writeFileSync(
      script,
      [
        `${trap}sleep 1000 &`,
        'echo "child $!" >&2',
        `setsid sh -c 'trap "" TERM HUP; echo "setsid $$" >&2; exec sleep 1000' &`,
        'sleep 0.2', // the setsid child has printed its pid
        'echo ready >&2',
        'wait',
      ].join('\n'),
    );
    // Under a subreaper: the orphans are adopted and reaped here, so dead ones really are gone.
    const app = spawn('/usr/bin/python3', [SUBREAPER, process.execPath, '--import', 'tsx', APP, script, mode], {
      cwd: path.join(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    apps.push(app);
    const seen = new Map<string, number>();
    createInterface({ input: app.stdout }).on('line', (l) => {
      const m = /^(?:log warn )?(app|plugin|child|setsid) (\d+)$/.exec(l);
      if (m) {
        seen.set(m[1]!, Number(m[2]));
        pids.push(Number(m[2]));
      }
      if (l === 'stopping' || (mode === 'run' && l === 'log warn ready')) seen.set('go', 0);
    });
    await until(() => seen.size === 5, 20_000, `the app and plugin pids (have ${[...seen.keys()].join(', ')})`);
    const tree = ['plugin', 'child', 'setsid'].map((k) => seen.get(k)!);
    if (mode === 'stop') await sleep(200); // SIGTERM was sent and ignored
    expect(tree.every(pidRunning)).toBe(true);

    process.kill(seen.get('app')!, 'SIGKILL');
    await until(() => !tree.some(pidRunning), 10_000, `pids ${tree.join(', ')} to end after the app was killed`);
    // The subreaper exits once every process below it has ended: the watcher too.
    await until(() => app.exitCode !== null || app.signalCode !== null, 10_000, 'every process of the app to end');
  });
});
