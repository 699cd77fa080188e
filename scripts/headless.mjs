// `npm run headless -- --data-dir DIR [--port N]`: build, then run the recorder in plain Node
// (native modules built for Node first, in case `npm start` built them for Electron).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureNodeNative } from './native.mjs';

const root = join(import.meta.dirname, '..');
if (!ensureNodeNative()) process.exit(1);
const b = spawnSync(join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  shell: process.platform === 'win32',
});
if (b.status !== 0) process.exit(b.status ?? 1);
const child = spawn(process.execPath, [join(root, 'out', 'main', 'headless.js'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
// Ctrl-C reaches the child too (same process group): it flushes and exits; we follow.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code) => process.exit(code ?? 0));
