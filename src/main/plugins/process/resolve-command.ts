// Finding the program a process plugin names, before anything is started: a name is looked up on
// the PATH the plugin will get, a path is taken relative to the plugin's working folder. When it
// is not there (or cannot be run), the message says what to do about it — a restart would not help.

import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export type Resolved = { ok: true; path: string } | { ok: false; message: string };

/** The working folder must exist before we start anything in it. */
export function checkFolder(cwd: string): string | null {
  try {
    if (statSync(cwd).isDirectory()) return null;
    return `the working folder ${cwd} is not a folder — check "cwd" in plugin.json`;
  } catch {
    return `the working folder ${cwd} does not exist — check "cwd" in plugin.json`;
  }
}

type FileState = 'runnable' | 'missing' | 'folder' | 'not-executable';

function fileState(p: string, platform: NodeJS.Platform): FileState {
  try {
    if (statSync(p).isDirectory()) return 'folder';
  } catch {
    return 'missing';
  }
  try {
    if (platform !== 'win32') accessSync(p, constants.X_OK);
    return 'runnable';
  } catch {
    return 'not-executable';
  }
}

/**
 * The absolute path of the program to start. `env` is the plugin's own environment (its PATH, and
 * PATHEXT on Windows), not the recorder's.
 */
export function resolveCommand(
  command: string,
  cwd: string,
  env: Record<string, string>,
  platform: NodeJS.Platform = process.platform,
): Resolved {
  const win = platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const name = command.trim();
  if (!name) return { ok: false, message: 'no command given — set "command" in plugin.json' };
  // On Windows a name without an extension may be any of PATHEXT (python → python.exe).
  const exts = win
    ? [''].concat((env.PATHEXT ?? env.Pathext ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean))
    : [''];
  const isPath = name.includes('/') || (win && name.includes('\\'));

  if (isPath) {
    const full = p.resolve(cwd, name);
    for (const ext of exts) {
      const state = fileState(full + ext, platform);
      if (state === 'runnable') return { ok: true, path: full + ext };
      if (state === 'folder')
        return {
          ok: false,
          message: `command "${name}" is a folder (${full}), not a program — check "command" in plugin.json`,
        };
      if (state === 'not-executable') return { ok: false, message: notExecutable(name, full) };
    }
    return { ok: false, message: `command "${name}" not found: there is no ${full} — check "command" in plugin.json` };
  }

  const pathVar = (win ? (env.Path ?? env.PATH ?? env.path) : env.PATH) ?? '';
  let notRunnable: string | null = null;
  for (const dir of pathVar.split(win ? ';' : ':')) {
    if (!dir) continue;
    for (const ext of exts) {
      // A relative PATH entry (".", "bin") is relative to where the plugin runs.
      const candidate = p.resolve(cwd, dir.replace(/^"(.*)"$/, '$1'), name + ext);
      const state = fileState(candidate, platform);
      if (state === 'runnable') return { ok: true, path: candidate };
      if (state === 'not-executable') notRunnable ??= candidate;
    }
  }
  if (notRunnable) return { ok: false, message: notExecutable(name, notRunnable) };
  // A script next to plugin.json, named without "./": say how to name it.
  const local = exts.find((ext) => fileState(p.join(cwd, name + ext), platform) !== 'missing');
  const hint = local !== undefined ? ` (to run the ${name} in the plugin's folder, write "./${name}")` : '';
  return {
    ok: false,
    message: `command "${name}" not found on PATH — install it or give its full path in plugin.json${hint}`,
  };
}

function notExecutable(name: string, full: string): string {
  return (
    `command "${name}" cannot be run: ${full} is not executable — make it executable (chmod +x ${full}) ` +
    'or run it through its interpreter (e.g. "command": "python3", "args": ["script.py"]) in plugin.json'
  );
}
