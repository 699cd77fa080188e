// After `npm install` / `npm ci` in this folder (package.json "prepare": unlike "postinstall", npm
// runs it only for the project itself, not where the packed package is installed as a dependency,
// which has no scripts/ folder). It does the two install steps that npm is told not to run itself
// (allowScripts: electron and better-sqlite3 are false), so that no network problem fails the install:
//  1. Electron's binary, with Electron's own installer. It downloads from GitHub, which lab networks
//     often block: a failure is fine — the electron package (and its types) stays installed, and
//     `npm start` then opens the window in the browser. One line says so.
//  2. better-sqlite3 for the Node running npm (native.mjs): a prebuilt binary where one can be
//     fetched, else a compile with this Node's headers. This one must work: the recorder needs it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { electronBinary } from './desktop.mjs';
import { afterInstall } from './native.mjs';

const root = join(import.meta.dirname, '..');
const installer = join(root, 'node_modules', 'electron', 'install.js');
// Generous: the download is about 100 MB and may be slow; a network that silently drops packets
// must still not hang the install for ever.
const ELECTRON_TIMEOUT_MS = 10 * 60_000;

/** Why the installer left no binary, in a few words (its first error line, not its stack). */
function reason(r) {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return 'ELECTRON_SKIP_BINARY_DOWNLOAD is set';
  if (r.error?.code === 'ETIMEDOUT') return `no download within ${ELECTRON_TIMEOUT_MS / 60_000} minutes`;
  if (r.error) return r.error.message;
  const line = `${r.stderr ?? ''}`.split('\n').find((l) => l.trim()) ?? `its installer exited with ${r.status}`;
  const short = line.trim().replace(/^(\w*Error: )+/, '');
  return short.length > 120 ? `${short.slice(0, 117)}...` : short;
}

// npm also runs "prepare" before `npm pack` / `npm publish`: nothing to set up then.
if (['pack', 'publish'].includes(process.env.npm_command)) process.exit(0);

// The electron package is missing only from a production install (--omit=dev): nothing to do then.
if (existsSync(installer) && !electronBinary()) {
  const r = spawnSync(process.execPath, [installer], {
    cwd: join(root, 'node_modules', 'electron'),
    encoding: 'utf8',
    timeout: ELECTRON_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!electronBinary()) {
    process.stdout.write(
      `Electron could not be downloaded (${reason(r)}): \`npm start\` will open Plexus Bench in your browser instead. ` +
        'To get the desktop app later: node node_modules/electron/install.js\n',
    );
  }
}

if (!afterInstall()) process.exit(1);
