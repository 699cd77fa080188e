// The Electron shell. Thin on purpose: every behaviour lives in the host (plain Node, tested);
// this file only makes a safe window, wires IPC to the host, keeps the API key in the OS keychain
// and makes sure quitting never loses data. It is the one part that cannot run without Electron.
// The decisions (which URL, which permission, which file) live in ./shell, plain Node and tested.

import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  protocol,
  safeStorage,
  session,
  shell,
  type IpcMainInvokeEvent,
} from 'electron';
import { join } from 'node:path';
import { Host, writeExportFile, type RunExport, type SecretStore } from './host';
import { EVENT_NAMES, EXPORT_FORMAT_WORDS, type ExportResult } from '../shared/contract';
import { errorMessage } from '../shared/util';
import { APP_INDEX_URL, APP_SCHEME, isAppUrl } from './shell/origin';
import { APP_SCHEME_PRIVILEGES, serveAppRequest } from './shell/app-protocol';
import { allowNavigation, allowWebview, windowOpenDecision } from './shell/navigation';
import { allowPermissionCheck, allowPermissionRequest } from './shell/permissions';

/** The built window, served as app://bench/ (never file://: only this origin is trusted). */
const RENDERER_DIR = join(__dirname, '../renderer');
const KEYCHAIN_TAG = '$00:';

// Before `ready`: app:// is a standard, secure origin (CSP 'self', getUserMedia, module scripts).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

/** The API key sealed by the OS keychain (Bruno's tagging: `$00:` safeStorage). */
class KeychainSecrets implements SecretStore {
  readonly protection: 'os-keychain' | 'unprotected';
  readonly warning: string | null;
  constructor() {
    const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
    const weak = !safeStorage.isEncryptionAvailable() || backend === 'basic_text';
    this.protection = weak ? 'unprotected' : 'os-keychain';
    this.warning = weak
      ? 'No OS keychain is available (safeStorage uses basic_text): the API key is stored without real protection. Install and unlock a keyring (GNOME Keyring or KWallet) to protect it.'
      : null;
  }
  seal(plain: string): string {
    return KEYCHAIN_TAG + safeStorage.encryptString(plain).toString('base64');
  }
  open(sealed: string): string {
    if (!sealed.startsWith(KEYCHAIN_TAG)) throw new Error('the stored API key is not sealed by the keychain');
    return safeStorage.decryptString(Buffer.from(sealed.slice(KEYCHAIN_TAG.length), 'base64'));
  }
}

let win: BrowserWindow | null = null;
let host: Host | null = null;
let quitting = false;

/** IPC only from our own page (app://bench), in its top-level frame. */
function fromOurWindow(e: IpcMainInvokeEvent): boolean {
  return (
    !!win && e.sender === win.webContents && e.senderFrame === win.webContents.mainFrame && isAppUrl(e.senderFrame?.url)
  );
}

async function saveWithDialog(e: RunExport): Promise<ExportResult> {
  const r = await dialog.showSaveDialog(win!, {
    defaultPath: e.filename,
    filters: [
      { name: EXPORT_FORMAT_WORDS[e.format].label, extensions: [EXPORT_FORMAT_WORDS[e.format].extension] },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  if (r.canceled || !r.filePath) return { kind: 'cancelled' };
  const points = await writeExportFile(r.filePath, e.write);
  return { kind: 'saved', path: r.filePath, points };
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: 'Plexus Bench',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      devTools: !app.isPackaged,
      // Webcam frames and live updates keep flowing while the window is minimised.
      backgroundThrottling: false,
    },
  });
  win.once('ready-to-show', () => win?.show());
  win.on('close', (ev) => {
    if (quitting || !host?.isRecording()) return;
    ev.preventDefault();
    app.quit(); // goes through before-quit, which asks
  });
  win.loadURL(APP_INDEX_URL).catch((e: unknown) => {
    // The window's own files are in the app: failing to load them is a broken install, not a state to run in.
    dialog.showErrorBox('Plexus Bench could not open its window', errorMessage(e));
    app.exit(1);
  });
}

/** Every webContents (ours or any other): no navigation away, no new windows, no <webview>. */
function guardContents(contents: Electron.WebContents): void {
  const stay = (ev: Electron.Event, url: string): void => {
    if (!allowNavigation(url)) ev.preventDefault();
  };
  contents.on('will-navigate', stay);
  contents.on('will-redirect', stay);
  contents.on('will-attach-webview', (ev) => {
    if (!allowWebview()) ev.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    const d = windowOpenDecision(url);
    const external = d.openExternal;
    if (external)
      shell
        .openExternal(external)
        .catch((e: unknown) => host?.log.warn(`could not open ${external}: ${errorMessage(e)}`));
    return { action: d.action };
  });
}

async function start(): Promise<void> {
  // The window's files, from out/renderer only (traversal, unknown types and other hosts refused).
  protocol.handle(APP_SCHEME, async (req) => {
    const r = await serveAppRequest(req.url, RENDERER_DIR);
    return new Response(r.body, { status: r.status, headers: r.headers });
  });
  // The camera (video only) for our own page only; every other permission and page is refused.
  session.defaultSession.setPermissionRequestHandler((wc, permission, cb, details) => {
    cb(
      allowPermissionRequest({
        permission,
        mediaTypes: (details as { mediaTypes?: string[] }).mediaTypes,
        requestingUrl: details.requestingUrl,
        fromOurWindow: !!win && wc === win.webContents,
      }),
    );
  });
  // Checks carry the origin (app://bench), not always the page URL: the window must match too.
  session.defaultSession.setPermissionCheckHandler((wc, permission, origin, details) =>
    allowPermissionCheck({
      permission,
      requestingOrigin: origin,
      requestingUrl: details.requestingUrl,
      mediaType: (details as { mediaType?: string }).mediaType,
      fromOurWindow: !!win && wc === win.webContents,
    }),
  );

  host = await Host.start({
    dataDir: app.getPath('userData'),
    secrets: new KeychainSecrets(),
    exporter: saveWithDialog,
    openFolder: async (dir) => {
      const failed = await shell.openPath(dir);
      if (failed) throw new Error(`could not open ${dir}: ${failed}`);
    },
  });
  ipcMain.handle('bench:invoke', async (e, name: unknown, payload: unknown) => {
    if (!fromOurWindow(e))
      return { ok: false, error: { message: 'request refused: not from the recorder window', code: 'bad-request' } };
    return host!.handle(name, payload);
  });
  for (const event of EVENT_NAMES) {
    host.on(event, (payload) => win?.webContents.send('bench:event', event, payload));
  }
  createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      // Never a process that holds the single-instance lock with no window: say why and quit.
      dialog.showErrorBox('Plexus Bench could not start', errorMessage(e));
      app.exit(1);
    });
  app.on('web-contents-created', (_ev, contents) => guardContents(contents));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (ev) => {
    if (quitting || !host) return;
    ev.preventDefault();
    const h = host;
    (async () => {
      if (h.isRecording() && win) {
        const r = await dialog.showMessageBox(win, {
          type: 'warning',
          buttons: ['Keep recording', 'Stop the run and quit'],
          defaultId: 0,
          cancelId: 0,
          message: 'A run is recording.',
          detail: 'Quitting stops the run. Everything recorded so far is kept and sent.',
        });
        if (r.response === 0) return;
      }
      quitting = true;
      await h.shutdown({ flushTimeoutMs: 5000 }); // always flush
      app.exit(0);
    })().catch((e: unknown) => {
      // Shutting down failed half-way: what was committed is safe on disk; say so in the log and go.
      h.log.error(`closing failed: ${errorMessage(e)}`);
      app.exit(1);
    });
  });
}
