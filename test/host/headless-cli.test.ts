// The built headless recorder (`node out/main/headless.js`, built by `npx electron-vite build`)
// when it cannot start: a taken port, a read-only or impossible data folder, a damaged one. Each
// must end with exit code 1 and one sentence on stderr that says what is wrong and what to do — no
// stack trace, and no ENOENT for a folder that exists but is read-only. Options are read with
// util.parseArgs: `--port=7420` works like `--port 7420`.
//
// Read-only folders: the tests run as root on CI, where chmod 0500 does not stop writes. So they use
// folders that refuse writes to root too: /sys (sysfs: no file can be created there, EACCES/EPERM,
// or EROFS where it is mounted read-only) and /proc (procfs answers ENOENT when a file is created in
// an existing folder — the message must still say read-only; today's build loops forever in
// mkdirSync there). A chmod 0500 folder is also tried when not running as root.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

const ROOT = join(__dirname, '..', '..');
const HEADLESS = join(ROOT, 'out', 'main', 'headless.js');
const isRoot = process.getuid?.() === 0;
const linux = process.platform === 'linux';

afterAll(() => cleanupTempDirs());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built headless with `args` until it exits (killed after `timeoutMs`: code null). */
function runHeadless(args: string[], timeoutMs = 20_000): Promise<Run> {
  if (!existsSync(HEADLESS)) throw new Error(`${HEADLESS} is missing: run npx electron-vite build first`);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [HEADLESS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setTimeout(() => resolve({ code, stdout, stderr }), 50);
    });
  });
}

/** Exit code 1, nothing printed but one sentence on stderr: no stack trace, no error dump. */
function expectOneSentence(r: Run): string {
  expect(r.code, `exit code (stderr: ${r.stderr})`).toBe(1);
  const text = r.stderr.trim();
  expect(text).not.toContain('\n');
  expect(text).toMatch(/^[A-Z].*\.$/);
  expect(text).not.toMatch(/\bat .*:\d+:\d+|Error:|errno|node:internal/);
  expect(r.stdout).not.toContain('Open http');
  return text;
}

/** A port that something is listening on (closed by the caller). */
async function takenPort(): Promise<net.Server> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return s;
}

async function freePort(): Promise<number> {
  const s = await takenPort();
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('headless start-up failures', () => {
  it('a port in use: one sentence naming the port and what to do, before the data folder is touched', async () => {
    const holder = await takenPort();
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const dir = tempDir();
      const text = expectOneSentence(await runHeadless(['--data-dir', dir, '--port', String(port)]));
      expect(text).toContain(`Port ${port}`);
      expect(text).toContain('already in use');
      expect(text).toContain('--port');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });

  it.runIf(linux && existsSync('/sys'))('a read-only data folder (/sys, read-only for root too)', async () => {
    const text = expectOneSentence(await runHeadless(['--data-dir', '/sys']));
    expect(text).toMatch(/^The data folder \/sys is (read-only|on a read-only file system)/);
    expect(text).toContain('--data-dir');
    expect(text).not.toContain('ENOENT');
  });

  it.runIf(linux && existsSync('/sys'))('a data folder to be made in a read-only one (/sys/…)', async () => {
    const text = expectOneSentence(await runHeadless(['--data-dir', '/sys/plexus-bench-test/data']));
    expect(text).toContain('/sys/plexus-bench-test/data cannot be created: /sys is');
    expect(text).toMatch(/read-only/);
  });

  it.runIf(linux && existsSync('/proc/version'))(
    'a read-only folder whose file system answers ENOENT (/proc) is called read-only, and does not hang',
    async () => {
      const text = expectOneSentence(await runHeadless(['--data-dir', '/proc'], 15_000));
      expect(text).toBe(
        'The data folder /proc is read-only (no file can be created in it): choose another folder with --data-dir DIR.',
      );
      const below = expectOneSentence(await runHeadless(['--data-dir', '/proc/plexus-bench-test'], 15_000));
      expect(below).toContain('cannot be created: /proc is read-only');
      expect(below).not.toContain('ENOENT');
    },
  );

  it.runIf(!isRoot && linux)('a chmod 0500 data folder (when not running as root)', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o500);
    try {
      const text = expectOneSentence(await runHeadless(['--data-dir', dir]));
      expect(text).toContain(`The data folder ${dir} is read-only for this user (permission denied)`);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('a data folder that is a regular file, or lies under one', async () => {
    const file = join(tempDir(), 'data');
    writeFileSync(file, 'not a folder');
    expect(expectOneSentence(await runHeadless(['--data-dir', file]))).toBe(
      `The data folder ${file} is a file, not a folder: choose another folder with --data-dir DIR.`,
    );
    const under = expectOneSentence(await runHeadless(['--data-dir', join(file, 'x', 'y')]));
    expect(under).toContain(`cannot be created because ${file} is a file, not a folder`);
    if (existsSync('/proc/version')) {
      const proc = expectOneSentence(await runHeadless(['--data-dir', '/proc/version/x']));
      expect(proc).toContain('because /proc/version is a file');
    }
  });

  it('a damaged data folder (a file where its plexus folder should be, a folder where the buffer should be)', async () => {
    const a = tempDir();
    writeFileSync(join(a, 'plexus'), 'in the way');
    const first = expectOneSentence(await runHeadless(['--data-dir', a]));
    expect(first).toContain(`The data folder ${a} looks damaged (${join(a, 'plexus')} is a file where a folder`);
    expect(first).toContain('move it aside');
    const b = tempDir();
    mkdirSync(join(b, 'plexus', 'buffer.db'), { recursive: true });
    const second = expectOneSentence(await runHeadless(['--data-dir', b]));
    expect(second).toContain(`Cannot start with the data folder ${b}: cannot open the buffer`);
  });
});

describe('headless options', () => {
  it('accepts --option=value (`--port=7420`) as well as --option value', async () => {
    const port = await freePort();
    const dir = tempDir();
    const p = spawn(process.execPath, [HEADLESS, `--data-dir=${dir}`, `--port=${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
    const t0 = Date.now();
    while (!out.includes('Open http') && p.exitCode === null && Date.now() - t0 < 15_000) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(out, err).toContain(`Open http://127.0.0.1:${port}/?token=`);
    p.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses bad options with the usage and exit code 2', async () => {
    const cases: Array<[string[], string]> = [
      [['--bogus'], 'unknown option --bogus'],
      [['--data-dir'], '--data-dir needs a value'],
      [['--data-dir', '/tmp/x', '--port'], '--port needs a value'],
      [['--port', '--data-dir', '/tmp/x'], '--port needs a value'],
      [['--data-dir=/tmp/x', '--port='], '--port needs a value'],
      [['--data-dir', '/tmp/x', 'extra'], 'unexpected argument extra'],
      [['--port=80'], '--data-dir is required'],
      [['--data-dir=/tmp/x', '--port=99999'], '--port must be a whole number from 0 to 65535, got 99999'],
      [['--data-dir=/tmp/x', '--port=0x10'], '--port must be a whole number from 0 to 65535, got 0x10'],
    ];
    // Each refusal is its own short process: three at a time (more would only queue for the cores
    // and stretch the other tests' deadlines).
    const runs: Run[] = [];
    for (let i = 0; i < cases.length; i += 3)
      runs.push(...(await Promise.all(cases.slice(i, i + 3).map(([args]) => runHeadless(args)))));
    cases.forEach(([args, message], i) => {
      expect(runs[i]!.code, args.join(' ')).toBe(2);
      expect(runs[i]!.stderr.split('\n')[0], args.join(' ')).toBe(message);
    });
    expect(runs[0]!.stderr).toContain('usage: npm run headless -- --data-dir DIR [--port N]');
  });
});
