// `npm start` — the README's second command — on a machine without Electron's binary (ours: its
// download host is unreachable, so `npm ci` left it out): one line says so, the recorder runs
// headless on the desktop app's data folder, the window answers on the printed URL with its token,
// the URL goes to the system's browser, the demo sensor records into a run, and Ctrl-C flushes and
// exits 0 with the run kept in that data folder.
//
// Real processes, no mocks: `npm start` itself, in a copy of the working tree whose node_modules is
// this one's (linked), so that its build (electron-vite build) does not rewrite out/ under the tests
// running beside it. XDG_CONFIG_HOME is a temp folder, so the user's own data folder is never
// touched; BROWSER is a script that notes the URL it is asked to open (in place of xdg-open). Where
// Electron happens to be installed, PLEXUS_BENCH_BROWSER=1 takes the browser way all the same.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { decodeWire, encodeWire } from '../../src/shared/contract';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import { until } from '../helpers/plexus';

const ROOT = join(__dirname, '..', '..');
const electronInstalled = existsSync(join(ROOT, 'node_modules', 'electron', 'path.txt'));

afterAll(() => cleanupTempDirs());

/** The working tree as a technician would have it after `npm install`, without build output. */
function copyOfTree(): string {
  const dir = join(tempDir('plexus-start-'), 'plexus-bench');
  const skip = new Set(['node_modules', '.git', 'out', 'dist', 'test-artifacts']);
  cpSync(ROOT, dir, { recursive: true, filter: (src) => !skip.has(relative(ROOT, src).split(sep)[0]!) });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'junction');
  return dir;
}

/** Whether any process of the process group `pgid` is still running. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Bridge {
  invoke(name: string, payload: unknown): Promise<{ ok: boolean; value?: unknown }>;
  events: Array<{ event: string; payload: unknown }>;
  close(): void;
}

/** The window's contract socket, opened the way the page opens it (token, own origin). */
async function bridge(url: URL): Promise<Bridge> {
  const ws = new WebSocket(`ws://${url.host}/bridge?token=${url.searchParams.get('token')}`, { origin: url.origin });
  const events: Bridge['events'] = [];
  const waiting = new Map<number, (r: { ok: boolean; value?: unknown }) => void>();
  ws.on('message', (d) => {
    const m = decodeWire(d.toString()) as {
      type: string;
      id?: number;
      reply?: { ok: boolean; value?: unknown };
      event?: string;
      payload?: unknown;
    };
    if (m.type === 'reply') waiting.get(m.id!)?.(m.reply!);
    if (m.type === 'event') events.push({ event: m.event!, payload: m.payload });
  });
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  let next = 1;
  return {
    invoke: (name, payload) =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        ws.send(encodeWire({ type: 'invoke', id, name, payload }));
      }),
    events,
    close: () => ws.close(),
  };
}

describe('npm start without Electron', () => {
  it('serves the window in the browser on the desktop data folder, records the demo sensor, and Ctrl-C flushes and ends it', async () => {
    const tree = copyOfTree();
    const config = tempDir('plexus-xdg-');
    const opened = join(tempDir('plexus-browser-'), 'opened');
    const opener = join(tempDir('plexus-browser-'), 'open-url');
    writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$1" > '${opened}'\n`, { mode: 0o755 });
    // A technician's shell: no npm_* variables from the `npm test` this runs under.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'PLEXUS_BENCH_BROWSER'),
    );
    Object.assign(env, { XDG_CONFIG_HOME: config, BROWSER: opener });
    if (electronInstalled) env.PLEXUS_BENCH_BROWSER = '1';

    // Its own process group, so that SIGINT reaches npm and everything under it, as Ctrl-C does.
    const npm = spawn('npm', ['start'], { cwd: tree, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    createInterface({ input: npm.stdout }).on('line', (l) => lines.push(l));
    npm.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      npm.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const output = () => `stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`;
    try {
      // It builds first (electron-vite build, 10–40 s on two busy cores).
      await until(() => lines.some((l) => l.startsWith('Open http')) || npm.exitCode !== null, 180_000, 'the URL');
      const address = lines.find((l) => l.startsWith('Open http'))?.slice('Open '.length);
      expect(address, output()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
      const url = new URL(address!);

      // One line on why it is the browser, before anything else of ours.
      const ours = lines.filter((l) => l && !l.startsWith('> '));
      expect(ours[0]).toMatch(
        electronInstalled
          ? /^PLEXUS_BENCH_BROWSER is set: opening Plexus Bench in your browser/
          : /^Electron is not installed: opening Plexus Bench in your browser instead \(for the desktop app: node node_modules\/electron\/install\.js\)\.$/,
      );
      // The desktop app's data folder: Electron names userData after productName, else name.
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        name: string;
        productName?: string;
      };
      const dataDir = join(config, pkg.productName ?? pkg.name);
      expect(lines).toContain(`Plexus Bench (headless) — data in ${dataDir}`);

      // The system's browser was asked to open exactly that URL.
      await until(() => existsSync(opened) && readFileSync(opened, 'utf8').includes('\n'), 10_000, 'the browser');
      expect(readFileSync(opened, 'utf8').trim()).toBe(address);

      // The window.
      const page = await fetch(address!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');

      // The demo sensor, recorded into a run over the window's own socket.
      const b = await bridge(url);
      const state = await b.invoke('state.get', {});
      expect(state).toMatchObject({ ok: true, value: { demo: { enabled: true } } });
      const started = await b.invoke('run.start', { name: 'npm-start' });
      expect(started.ok).toBe(true);
      const runId = (started.value as { id: string }).id;
      const points = () =>
        Math.max(
          0,
          ...b.events.map((e) =>
            e.event === 'tick' ? ((e.payload as { run?: { points?: number } }).run?.points ?? 0) : 0,
          ),
        );
      await until(() => points() > 0, 15_000, 'demo points in the run');
      const stopped = await b.invoke('run.stop', {});
      expect(stopped).toMatchObject({ ok: true, value: { id: runId } });
      const recorded = (stopped.value as { points: number }).points;
      expect(recorded).toBeGreaterThan(0);
      b.close();

      // Ctrl-C, as a terminal sends it (to the whole process group): the recorder flushes, says so
      // and exits 0, and the whole group is gone soon after. npm's own status is 0 or — where /bin/sh
      // is dash, as on Debian — SIGINT: dash ends itself with the SIGINT it saw once its child has
      // exited, even with 0, and npm passes that on, as for any script (a terminal shows no error).
      process.kill(-npm.pid!, 'SIGINT');
      const end = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
      expect(end, `npm still running 30 s after SIGINT\n${output()}`).not.toBeNull();
      expect(end!.code === 0 || (end!.code === null && end!.signal === 'SIGINT'), output()).toBe(true);
      expect(
        lines.some((l) => /^closed; /.test(l)),
        output(),
      ).toBe(true);
      await until(() => !groupAlive(npm.pid!), 10_000, 'every process of npm start to exit');

      // The run is kept in the desktop app's data folder, with its points.
      expect(readFileSync(join(dataDir, 'headless-token'), 'utf8').trim()).toBe(url.searchParams.get('token'));
      const db = new Database(join(dataDir, 'runs.db'), { readonly: true });
      try {
        expect(db.prepare('SELECT name FROM lib_runs WHERE id = ?').get(runId)).toEqual({ name: 'npm-start' });
        const kept = db.prepare('SELECT COALESCE(SUM(n), 0) AS n FROM lib_lines WHERE run_id = ?').get(runId) as {
          n: number;
        };
        expect(kept.n).toBeGreaterThanOrEqual(recorded);
      } finally {
        db.close();
      }
    } finally {
      // Whatever is left of its process group (nothing, when all went well).
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {}
    }
  }, 300_000);
});
