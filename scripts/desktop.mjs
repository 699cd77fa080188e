// What the desktop app would use, found without starting Electron: its binary (present only when
// Electron's download succeeded) and its data folder (so that `npm start` in the browser records
// into the same folder as the desktop app, and either one finds the other's runs and settings).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const electronDir = join(root, 'node_modules', 'electron');

/** The Electron executable, or null when it is not installed (its download failed or was skipped). */
export function electronBinary() {
  // The same lookup as node_modules/electron/index.js: path.txt is written only after a complete
  // download and unzip.
  const pathTxt = join(electronDir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const exe = readFileSync(pathTxt, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist');
  const file = join(dist, exe);
  return existsSync(file) ? file : null;
}

/** The version of the installed electron package (its types are there even without the binary). */
export function electronVersion() {
  return JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
}

/**
 * Electron's app.getPath('userData') for this app: the per-user app-data folder, named after
 * package.json's productName, else its name (Electron's own rule, so the two cannot drift apart).
 */
export function desktopDataDir(env = process.env, platform = process.platform, home = homedir()) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const name = pkg.productName || pkg.name;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', name);
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), name);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), name);
}
