// `npm run headless -- --data-dir DIR [--port N]`: build, then run the recorder in plain Node
// (native modules built for Node first, in case `npm start` built them for Electron). `npm start`
// takes the same steps (runHeadless) when Electron is not installed.
import { spawn, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureNodeNative } from './native.mjs';

const root = join(import.meta.dirname, '..');

/**
 * Builds the app and runs out/main/headless.js with `args`; `onUrl` gets the window's address (with
 * its token) once it is served. Resolves to the recorder's exit code.
 */
export function runHeadless(args, { onUrl } = {}) {
  if (!ensureNodeNative()) return Promise.resolve(1);
  const b = spawnSync(join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (b.status !== 0) return Promise.resolve(b.status ?? 1);
  const child = spawn(process.execPath, [join(root, 'out', 'main', 'headless.js'), ...args], {
    cwd: root,
    stdio: ['inherit', 'pipe', 'inherit'],
  });
  // Its output passes through as it comes; the line with the address is also handed to onUrl.
  let seen = '';
  child.stdout.on('data', (d) => {
    process.stdout.write(d);
    if (!onUrl) return;
    seen += d;
    const url = /^Open (http\S+)$/m.exec(seen)?.[1];
    if (url) {
      onUrl(url);
      onUrl = null;
    }
  });
  // Ctrl-C reaches the child too (same process group): it flushes and exits, and we follow. A signal
  // sent to this process alone (npm forwards one to its script) is passed on; a second is harmless.
  process.on('SIGINT', () => child.kill('SIGINT'));
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

// Run as a script (not imported by start.mjs). Node gives import.meta.url with symlinks resolved.
if (import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exit(await runHeadless(process.argv.slice(2)));
}
