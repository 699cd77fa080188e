// The window's own link to the recorder (host). In Electron the preload is always there; in
// headless mode the link is a WebSocket that can drop and is re-dialled with backoff.
import { create } from 'zustand';

export type LinkState = 'connecting' | 'open' | 'lost';

export interface LinkStore {
  /** How the window talks to the host: the preload's IPC bridge or the headless WebSocket. */
  mode: 'ipc' | 'websocket';
  /** connecting = first dial; open = talking; lost = dropped after having worked (or never worked), re-dialling. */
  state: LinkState;
  /** Reconnect attempts since the link was last open. */
  attempts: number;
  /** Why the last attempt failed, for a person (null when open). */
  problem: string | null;
}

export const useLinkStore = create<LinkStore>(() => ({
  mode: 'ipc',
  state: 'connecting',
  attempts: 0,
  problem: null,
}));
