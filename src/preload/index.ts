// The preload: one narrow global for the window, `window.bench`, built from the contract —
// invoke(name, payload) and on(event, listener) returning an unsubscribe function. Never a raw
// ipcRenderer. (contextBridge wraps functions, so the window could not hand a listener back to
// remove it: the returned closure does the removing.) Sandboxed: only `electron` is importable.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

type Envelope = { ok: true; value: unknown } | { ok: false; error: { message: string; code: string } };

const api = {
  async invoke(name: string, payload: unknown): Promise<unknown> {
    const r = (await ipcRenderer.invoke('bench:invoke', name, payload)) as Envelope;
    if (r.ok) return r.value;
    throw Object.assign(new Error(r.error.message), { code: r.error.code });
  },
  on(event: string, listener: (payload: unknown) => void): () => void {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown): void => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on('bench:event', handler);
    return () => {
      ipcRenderer.removeListener('bench:event', handler);
    };
  },
};

contextBridge.exposeInMainWorld('bench', api);
