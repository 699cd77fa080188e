// `npm start`: build the app and open it. In Electron when its binary is installed; else (its
// download failed or was skipped) the recorder runs headless on the desktop app's data folder and
// the window opens in the system's browser — its address, with the token, is printed too, for a
// machine without a desktop. Ctrl-C flushes and exits either way. Arguments after `--` go to
// electron-vite preview, or to the headless recorder (e.g. `npm start -- --port 7420`).
//
// PLEXUS_BENCH_BROWSER=1 takes the browser way even where Electron is installed (the test of this
// command sets it on such machines). BROWSER=<command> opens the address with that command;
// BROWSER=none only prints it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { desktopDataDir, electronBinary, electronVersion } from './desktop.mjs';
import { runHeadless } from './headless.mjs';
import { ensureElectronNative } from './native.mjs';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);

/** Opens `url` in the system's browser; says so when it cannot (the address is printed already). */
function openInBrowser(url) {
  const cannot = (why) =>
    process.stdout.write(`Could not open a browser (${why}): open this URL in a browser: ${url}\n`);
  const custom = process.env.BROWSER;
  if (custom === 'none') return;
  // On Linux without a display, xdg-open could only start a text browser on this terminal.
  if (!custom && process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return cannot('no desktop session here');
  const [cmd, cmdArgs] = custom
    ? [custom, [url]]
    : process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]] // start's first quoted argument is a window title
        : ['xdg-open', [url]];
  // Its own process group: Ctrl-C here must not close the browser it starts.
  const p = spawn(cmd, cmdArgs, { detached: true, stdio: 'ignore', windowsVerbatimArguments: true });
  p.on('error', (e) => cannot(e.code === 'ENOENT' ? `${cmd} was not found` : e.message));
  p.on('exit', (code) => {
    if (code) cannot(`${cmd} exited with code ${code}`);
  });
  p.unref();
}

const forced = !!process.env.PLEXUS_BENCH_BROWSER;
if (electronBinary() && !forced) {
  // The desktop app: better-sqlite3 rebuilt for Electron first (once), then electron-vite preview.
  const version = electronVersion();
  if (!ensureElectronNative(version)) {
    process.stderr.write('Could not build the native modules for Electron (see above).\n');
    process.exit(1);
  }
  const child = spawn(join(root, 'node_modules', '.bin', 'electron-vite'), ['preview', ...args], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stdout.write(
    forced
      ? 'PLEXUS_BENCH_BROWSER is set: opening Plexus Bench in your browser instead of the desktop app.\n'
      : 'Electron is not installed: opening Plexus Bench in your browser instead (for the desktop app: node node_modules/electron/install.js).\n',
  );
  process.exit(await runHeadless(['--data-dir', desktopDataDir(), ...args], { onUrl: openInBrowser }));
}
