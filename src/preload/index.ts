// Preload: exposes one narrow global to the renderer. Filled in by the IPC contract.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('bench', {});
