// `npm run headless -- --data-dir DIR [--port N]`: the recorder without Electron. Runs the same
// host in plain Node and serves the window on http://127.0.0.1 with a token in the URL it prints.
// Ctrl-C (or SIGTERM) flushes everything and exits cleanly.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Host } from '../host';
import { startHeadless } from './server';

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

export function parseArgs(argv: string[], defaultRendererDir: string): CliArgs {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i === -1) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    return v;
  };
  const known = new Set(['--data-dir', '--port', '--renderer', '--demo-metrics', '--demo-rate', '--ffmpeg']);
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}\n${USAGE}`);
  const dataDir = get('--data-dir');
  if (!dataDir) throw new Error(`--data-dir is required\n${USAGE}`);
  const int = (flag: string, min: number, max: number): number | undefined => {
    const v = get(flag);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${flag} must be a whole number from ${min} to ${max}, got ${v}`);
    return n;
  };
  const args: CliArgs = {
    dataDir: resolve(dataDir),
    port: int('--port', 0, 65535) ?? 0,
    rendererDir: resolve(get('--renderer') ?? defaultRendererDir),
  };
  const metrics = int('--demo-metrics', 1, 10_000);
  const rate = int('--demo-rate', 1, 1_000_000);
  if (metrics !== undefined) args.demoMetrics = metrics;
  if (rate !== undefined) args.demoRate = rate;
  const ff = get('--ffmpeg');
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

export async function main(argv: string[], defaultRendererDir: string): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(argv, defaultRendererDir);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const host = await Host.start({
    dataDir: args.dataDir,
    ffmpegPath: args.ffmpegPath ?? null,
    ...(args.demoMetrics ? { demo: { metrics: args.demoMetrics, rate: args.demoRate ?? 1000 } } : {}),
    exporter: async (e) => ({
      kind: 'download',
      url: `/export/${encodeURIComponent(e.run.id)}.csv?token=${server.token}`,
      filename: e.filename,
    }),
  });
  const server = await startHeadless({
    host,
    rendererDir: args.rendererDir,
    port: args.port,
    token: headlessToken(args.dataDir),
  });
  process.stdout.write(`Plexus Bench (headless) — data in ${args.dataDir}\nOpen ${server.url}\n`);
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
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
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
