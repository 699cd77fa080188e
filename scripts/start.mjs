// `npm start`: build the app and open it in Electron. Checks first that the Electron binary is
// there (machines that skip its download say how to get it) and that native modules are built
// for Electron rather than for Node.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureElectronNative } from './native.mjs';

const root = join(import.meta.dirname, '..');
const electronDir = join(root, 'node_modules', 'electron');
const pathTxt = join(electronDir, 'path.txt');
if (!existsSync(pathTxt) || !existsSync(join(electronDir, 'dist', readFileSync(pathTxt, 'utf8').trim()))) {
  process.stderr.write(
    'The Electron binary is not installed (its download was skipped, e.g. with ELECTRON_SKIP_BINARY_DOWNLOAD).\n' +
      'Get it with:  node node_modules/electron/install.js\n' +
      'Or run without a desktop window:  npm run headless -- --data-dir ./bench-data\n',
  );
  process.exit(1);
}
const version = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
if (!ensureElectronNative(version)) {
  process.stderr.write('Could not build the native modules for Electron (see above).\n');
  process.exit(1);
}
const child = spawn(join(root, 'node_modules', '.bin', 'electron-vite'), ['preview', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
child.on('exit', (code) => process.exit(code ?? 0));
