// better-sqlite3 is a native module built for one runtime at a time: Node's ABI (tests, headless
// mode) or Electron's (the desktop app). A marker in node_modules remembers which; these helpers
// switch when needed, so `npm test` and `npm start` both work on one machine (the switch costs one
// rebuild, about a minute).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const marker = join(root, 'node_modules', '.plexus-native-target');

export function currentTarget() {
  return existsSync(marker) ? readFileSync(marker, 'utf8').trim() : 'node';
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  return r.status === 0;
}

/** Make sure better-sqlite3 loads in this Node (rebuilding it if it was built for Electron). */
export function ensureNodeNative() {
  if (currentTarget() === 'node') return true;
  process.stdout.write('Rebuilding better-sqlite3 for Node (it was built for Electron)…\n');
  if (!run('npm', ['rebuild', 'better-sqlite3'])) return false;
  writeFileSync(marker, 'node\n');
  return true;
}

/** Make sure native modules are built for the installed Electron. */
export function ensureElectronNative(electronVersion) {
  const want = `electron-${electronVersion}`;
  if (currentTarget() === want) return true;
  process.stdout.write(`Building native modules for Electron ${electronVersion} (once)…\n`);
  if (!run(join(root, 'node_modules', '.bin', 'electron-builder'), ['install-app-deps'])) return false;
  writeFileSync(marker, `${want}\n`);
  return true;
}
