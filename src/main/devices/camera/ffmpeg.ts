// Finding FFmpeg and asking it its version. Cameras need an `ffmpeg` binary we do not ship: the
// user configures its path in Settings, or we take the first `ffmpeg` on PATH. When there is
// none, the error says how to install it on each platform.

import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export const FFMPEG_INSTALL_HINT =
  'Install FFmpeg — Debian/Ubuntu: `sudo apt install ffmpeg`; macOS: `brew install ffmpeg`; ' +
  'Windows: `winget install ffmpeg` — or set the path to the ffmpeg binary in Settings.';

/** No usable FFmpeg binary: neither the configured path nor `ffmpeg` on PATH. */
export class FfmpegNotFoundError extends Error {
  override name = 'FfmpegNotFoundError';
  constructor(
    /** The configured path that did not work, or null when PATH was searched. */
    readonly configuredPath: string | null,
    detail?: string,
  ) {
    super(
      configuredPath !== null
        ? `FFmpeg not found at the configured path ${configuredPath}${detail ? ` (${detail})` : ''}. ${FFMPEG_INSTALL_HINT}`
        : `FFmpeg not found: no \`ffmpeg\` on PATH. ${FFMPEG_INSTALL_HINT}`,
    );
  }
}

/** The binary exists but does not behave like FFmpeg (`-version` failed or printed something else). */
export class FfmpegUnusableError extends Error {
  override name = 'FfmpegUnusableError';
}

function isExecutableFile(p: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    if (platform !== 'win32') accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ResolveOptions {
  /** The path configured in Settings (empty or undefined: search PATH). */
  configuredPath?: string | null | undefined;
  /** Defaults to process.env.PATH / PATHEXT. */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/**
 * The FFmpeg binary to use: the configured path when one is set (a configured path that does not
 * work is an error, not a silent switch to another binary), else the first `ffmpeg` on PATH.
 * Synchronous and cheap (a few stat calls). Throws FfmpegNotFoundError.
 */
export function resolveFfmpeg(opts: ResolveOptions = {}): string {
  const platform = opts.platform ?? process.platform;
  const env = opts.env ?? process.env;
  const configured = opts.configuredPath?.trim();
  if (configured) {
    if (isExecutableFile(configured, platform)) return configured;
    let detail = 'no such file';
    try {
      detail = statSync(configured).isFile() ? 'not executable' : 'not a file';
    } catch {}
    throw new FfmpegNotFoundError(configured, detail);
  }
  const pathVar = (platform === 'win32' ? (env.Path ?? env.PATH) : env.PATH) ?? '';
  const delimiter = platform === 'win32' ? ';' : ':';
  const exts =
    platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean).concat('') : [''];
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir.replace(/^"(.*)"$/, '$1'), `ffmpeg${ext.toLowerCase()}`);
      if (isExecutableFile(candidate, platform)) return candidate;
    }
  }
  throw new FfmpegNotFoundError(null);
}

export interface FfmpegVersion {
  /** As printed, e.g. `5.1.6-0+deb12u1`, `6.1.1`, `N-113345-g1b2c3d4` (a git build). */
  version: string;
  /** Major and minor when the version starts with them (null for git builds). */
  major: number | null;
  minor: number | null;
}

/** Parses the first line of `ffmpeg -version` (`ffmpeg version 5.1.6-0+deb12u1 Copyright …`). */
export function parseFfmpegVersion(output: string): FfmpegVersion | null {
  const m = /^ffmpeg version (\S+)/m.exec(output);
  if (!m) return null;
  const version = m[1]!;
  const num = /^n?(\d+)\.(\d+)/.exec(version);
  return { version, major: num ? Number(num[1]) : null, minor: num ? Number(num[2]) : null };
}

const versionCache = new Map<string, Promise<FfmpegVersion>>();

/**
 * Runs `<ffmpeg> -version` once per path (cached; a failure is not cached) and parses it.
 * Rejects with FfmpegUnusableError when the binary does not run or is not FFmpeg.
 */
export function ffmpegVersion(ffmpegPath: string): Promise<FfmpegVersion> {
  let p = versionCache.get(ffmpegPath);
  if (!p) {
    p = new Promise<FfmpegVersion>((resolve, reject) => {
      execFile(ffmpegPath, ['-hide_banner', '-version'], { timeout: 10_000, windowsHide: true }, (err, stdout) => {
        const parsed = parseFfmpegVersion(String(stdout));
        if (parsed) return resolve(parsed);
        reject(
          new FfmpegUnusableError(
            err
              ? `${ffmpegPath} -version failed: ${err.message.split('\n')[0]}. ${FFMPEG_INSTALL_HINT}`
              : `${ffmpegPath} does not look like FFmpeg (\`-version\` printed no "ffmpeg version" line). ${FFMPEG_INSTALL_HINT}`,
          ),
        );
      });
    });
    versionCache.set(ffmpegPath, p);
    p.catch(() => versionCache.delete(ffmpegPath));
  }
  return p;
}
