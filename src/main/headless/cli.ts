// `npm run headless -- --data-dir DIR [--port N]`: the recorder without Electron. Runs the same
// host in plain Node and serves the window on http://127.0.0.1 with a token in the URL it prints.
// Ctrl-C (or SIGTERM) flushes everything and exits cleanly.
//
// A start-up that cannot succeed — the port taken, the data folder read-only, a file where the
// folder should be, a damaged folder — ends with one sentence on stderr saying what is wrong and
// what to do, and exit code 1 (2 for bad options); never a stack trace.

import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs as parseOptions } from 'node:util';
import { Host } from '../host';
import { exportUrl } from './export-route';
import { checkPortFree, startHeadless, type HeadlessServer } from './server';

export interface CliArgs {
  dataDir: string;
  port: number;
  rendererDir: string;
  demoMetrics?: number;
  demoRate?: number;
  ffmpegPath?: string;
}

const USAGE =
  'usage: npm run headless -- --data-dir DIR [--port N] [--ffmpeg PATH] [--demo-metrics N --demo-rate POINTS_PER_S]';

const OPTIONS = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  renderer: { type: 'string' },
  'demo-metrics': { type: 'string' },
  'demo-rate': { type: 'string' },
  ffmpeg: { type: 'string' },
} as const;

/** util.parseArgs's error, in this CLI's words. */
function optionError(e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new Error(`unknown option ${quoted}\n${USAGE}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new Error(`${quoted.split(' ')[0]} needs a value\n${USAGE}`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new Error(`unexpected argument ${quoted}\n${USAGE}`);
    default:
      return new Error(`${err.message}\n${USAGE}`);
  }
}

/** The options (`--port 7420` or `--port=7420`); throws a message with the usage on a bad one. */
export function parseArgs(argv: string[], defaultRendererDir: string): CliArgs {
  let values: Partial<Record<keyof typeof OPTIONS, string>>;
  try {
    values = parseOptions({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw optionError(e);
  }
  const get = (name: keyof typeof OPTIONS): string | undefined => {
    const v = values[name];
    if (v !== undefined && v.trim() === '') throw new Error(`--${name} needs a value\n${USAGE}`);
    return v;
  };
  const dataDir = get('data-dir');
  if (!dataDir) throw new Error(`--data-dir is required\n${USAGE}`);
  const int = (name: keyof typeof OPTIONS, min: number, max: number): number | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new Error(`--${name} must be a whole number from ${min} to ${max}, got ${v}`);
    return n;
  };
  const args: CliArgs = {
    dataDir: resolve(dataDir),
    port: int('port', 0, 65535) ?? 0,
    rendererDir: resolve(get('renderer') ?? defaultRendererDir),
  };
  const metrics = int('demo-metrics', 1, 10_000);
  const rate = int('demo-rate', 1, 1_000_000);
  if (metrics !== undefined) args.demoMetrics = metrics;
  if (rate !== undefined) args.demoRate = rate;
  const ff = get('ffmpeg');
  if (ff) args.ffmpegPath = ff;
  return args;
}

/**
 * The URL token, random once per data folder and kept there (readable by its owner only), so a
 * window left open reconnects after the recorder restarts.
 */
export function headlessToken(dataDir: string): string {
  const file = join(dataDir, 'headless-token');
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (/^[\w-]{32,}$/.test(t)) return t;
  }
  const t = randomBytes(32).toString('base64url');
  writeFileSync(file, `${t}\n`, { mode: 0o600 });
  return t;
}

/** A start-up failure that is fully explained by its message (one sentence for the technician). */
export class StartupError extends Error {}

const CHOOSE = 'choose another folder with --data-dir DIR';

const codeOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

/** The nearest existing ancestor of `path` (or `path` itself): a folder, a file, or one that cannot be looked at. */
function nearestExisting(path: string): { path: string; kind: 'folder' | 'file' | 'unreachable'; error?: unknown } {
  for (let p = path; ; p = dirname(p)) {
    try {
      return { path: p, kind: statSync(p).isDirectory() ? 'folder' : 'file' };
    } catch (e) {
      const code = codeOf(e);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(p) === p)
        return { path: p, kind: 'unreachable', error: e };
    }
  }
}

/** One sentence on why the data folder `dir` cannot be written, from the error of a write in it. */
function notWritable(dir: string, e: unknown): string {
  switch (codeOf(e)) {
    case 'EACCES':
    case 'EPERM':
      return `The data folder ${dir} is read-only for this user (permission denied): make it writable, or ${CHOOSE}.`;
    case 'EROFS':
      return `The data folder ${dir} is on a read-only file system: ${CHOOSE}.`;
    case 'ENOENT':
      // The folder exists, yet no file can be made in it: a read-only pseudo file system (/proc).
      return `The data folder ${dir} is read-only (no file can be created in it): ${CHOOSE}.`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `The disk holding the data folder ${dir} is full: free some space, or ${CHOOSE}.`;
    default:
      return `The data folder ${dir} cannot be written (${codeOf(e) ?? (e as Error).message}): ${CHOOSE}.`;
  }
}

/** One sentence on why the data folder `dir` cannot be created, from the error of a mkdir in `parent`. */
function cannotCreate(dir: string, parent: string, e: unknown): string {
  const start = `The data folder ${dir} cannot be created`;
  switch (codeOf(e)) {
    case 'EACCES':
    case 'EPERM':
      return `${start}: ${parent} is read-only for this user (permission denied); make it writable, or ${CHOOSE}.`;
    case 'EROFS':
      return `${start}: ${parent} is on a read-only file system; ${CHOOSE}.`;
    case 'ENOENT':
      // The parent exists, yet no folder can be made in it: a read-only pseudo file system (/proc).
      return `${start}: ${parent} is read-only (no folder can be created in it); ${CHOOSE}.`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `${start}: the disk holding ${parent} is full; free some space, or ${CHOOSE}.`;
    default:
      return `${start} in ${parent} (${codeOf(e) ?? (e as Error).message}): ${CHOOSE}.`;
  }
}

/**
 * Makes sure `dir` is a folder this process can write to, creating it (and its parents) if needed;
 * else throws a StartupError saying why. Runs before anything else touches the folder, so that a
 * folder that cannot work is named as such rather than by the first library call that trips on it.
 */
export function prepareDataDir(dir: string): void {
  const found = nearestExisting(dir);
  if (found.kind === 'file') {
    throw new StartupError(
      found.path === dir
        ? `The data folder ${dir} is a file, not a folder: ${CHOOSE}.`
        : `The data folder ${dir} cannot be created because ${found.path} is a file, not a folder: ${CHOOSE}.`,
    );
  }
  if (found.kind === 'unreachable') {
    const code = codeOf(found.error);
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? reason(found.error));
    throw new StartupError(`The data folder ${dir} cannot be reached (${found.path}: ${why}): ${CHOOSE}.`);
  }
  // One level at a time: fs.mkdirSync(…, { recursive: true }) loops forever where mkdir fails with
  // ENOENT under an existing folder (e.g. /proc/x).
  const missing: string[] = [];
  for (let p = dir; p !== found.path; p = dirname(p)) missing.unshift(p);
  for (const p of missing) {
    try {
      mkdirSync(p);
    } catch (e) {
      if (codeOf(e) === 'EEXIST' && statSync(p).isDirectory()) continue;
      throw new StartupError(cannotCreate(dir, dirname(p), e));
    }
  }
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx', 0o600));
  } catch (e) {
    if (codeOf(e) !== 'EEXIST') throw new StartupError(notWritable(dir, e));
  }
  try {
    unlinkSync(probe);
  } catch {
    // A leftover empty file does no harm.
  }
}

/** The first line of an error's message, without its final punctuation (to go inside a sentence). */
function reason(e: unknown): string {
  const line = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
  return line.replace(/[.:;,]+$/, '') || 'unknown error';
}

/** An error whose message is a sentence already (the server's), as one sentence. */
const sentence = (e: unknown): string => {
  const r = reason(e);
  return `${r.charAt(0).toUpperCase()}${r.slice(1)}.`;
};

/**
 * One sentence on why the host could not start on `dir` (which passed prepareDataDir): a file
 * system error means something inside the folder is in the way or broken; any other error is the
 * host's own explanation (e.g. the folder is in use by another recorder).
 */
function hostProblem(dir: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code !== 'string' || !/^E[A-Z]+$/.test(err.code)) {
    return `Cannot start with the data folder ${dir}: ${reason(e)}.`;
  }
  const where = typeof err.path === 'string' ? err.path : dir;
  const what: Record<string, string> = {
    EEXIST: `${where} is a file where a folder should be`,
    ENOTDIR: `part of ${where} is a file where a folder should be`,
    EISDIR: `${where} is a folder where a file should be`,
    EACCES: `${where} may not be written by this user`,
    EPERM: `${where} may not be written by this user`,
    EROFS: `${where} is on a read-only file system`,
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
  };
  return `The data folder ${dir} looks damaged (${what[err.code] ?? reason(e)}): move it aside, or ${CHOOSE}.`;
}

/** Starts the host and the server; every failure becomes a StartupError. */
async function start(args: CliArgs): Promise<{ host: Host; server: HeadlessServer }> {
  if (args.port !== 0) {
    try {
      await checkPortFree(args.port);
    } catch (e) {
      throw new StartupError(sentence(e));
    }
  }
  prepareDataDir(args.dataDir);
  let host: Host;
  try {
    host = await Host.start({
      dataDir: args.dataDir,
      ffmpegPath: args.ffmpegPath ?? null,
      ...(args.demoMetrics ? { demo: { metrics: args.demoMetrics, rate: args.demoRate ?? 1000 } } : {}),
      exporter: async (e) => ({
        kind: 'download',
        url: exportUrl(e.run.id, e.format, server.token),
        filename: e.filename,
      }),
    });
  } catch (e) {
    throw new StartupError(hostProblem(args.dataDir, e));
  }
  // From here on a failure closes the host cleanly first (it may hold recorded points).
  const fail = async (message: string): Promise<never> => {
    await host.shutdown({ flushTimeoutMs: 5000 }).catch(() => {});
    throw new StartupError(message);
  };
  let token: string;
  try {
    token = headlessToken(args.dataDir);
  } catch (e) {
    return fail(hostProblem(args.dataDir, e));
  }
  let server: HeadlessServer;
  try {
    server = await startHeadless({ host, rendererDir: args.rendererDir, port: args.port, token });
  } catch (e) {
    // The port was taken between the check and now, or the window is not built.
    return fail(sentence(e));
  }
  return { host, server };
}

export async function main(argv: string[], defaultRendererDir: string): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(argv, defaultRendererDir);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  // The signal handlers go in before anything starts: a Ctrl-C during start-up (or right after the
  // address is printed) must still flush and close, not kill the recorder with its buffer open.
  let started: { host: Host; server: HeadlessServer } | null = null;
  let signalled: string | null = null;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping || !started) return;
    stopping = true;
    const { host, server } = started;
    process.stdout.write(`\n${signal}: flushing and closing…\n`);
    const localOnly = host.client.status().status === 'local-only';
    await server.close();
    await host.shutdown({ flushTimeoutMs: 5000 });
    const left = host.client.bufferSize();
    process.stdout.write(
      left === 0
        ? 'closed; everything delivered\n'
        : localOnly
          ? `closed; ${left} points recorded locally (no API key: add one to ship them)\n`
          : `closed; ${left} points kept in the buffer, sent on the next start\n`,
    );
    process.exit(0);
  };
  const stopOn = (signal: string): void => {
    if (!started) {
      signalled ??= signal; // still starting: stop as soon as there is something to close
      return;
    }
    stop(signal).catch((e: unknown) => {
      process.stderr.write(`could not close cleanly: ${reason(e)} (what was committed is kept)\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stopOn('SIGINT'));
  process.on('SIGTERM', () => stopOn('SIGTERM'));
  try {
    started = await start(args);
  } catch (e) {
    process.stderr.write(`${e instanceof StartupError ? e.message : `Cannot start: ${reason(e)}.`}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `Plexus Bench (headless) — data in ${args.dataDir}\nLog: ${started.host.log.file}\nOpen ${started.server.url}\n`,
  );
  if (signalled) stopOn(signalled);
}
