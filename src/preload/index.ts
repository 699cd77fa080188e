// The preload: one narrow global for the window, `window.bench`, built from the contract —
// invoke(name, payload) and on(event, listener) returning an unsubscribe function. Never a raw
// ipcRenderer. (contextBridge wraps functions, so the window could not hand a listener back to
// remove it: the returned closure does the removing.) Sandboxed: only `electron` is importable at
// run time, so the contract comes in as types only (erased from the bundle).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  BenchApi,
  Envelope,
  EventMap,
  EventName,
  ReplyMap,
  RequestName,
  RequestPayload,
} from '../shared/contract';

const api = {
  async invoke<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<ReplyMap[N]> {
    // The host answers with the reply its typed handler for `name` returned (RequestHandlers).
    const r = (await ipcRenderer.invoke('bench:invoke', name, payload)) as Envelope<ReplyMap[N]>;
    if (r.ok) return r.value;
    throw Object.assign(new Error(r.error.message), { code: r.error.code });
  },
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown): void => {
      if (name === event) listener(payload as EventMap[E]);
    };
    ipcRenderer.on('bench:event', handler);
    return () => {
      ipcRenderer.removeListener('bench:event', handler);
    };
  },
} satisfies BenchApi;

contextBridge.exposeInMainWorld('bench', api);
