// Connection status of the Plexus client, as the host words it; replaced on every tick.
import { create } from 'zustand';
import type { StatusView } from '../../../shared/contract';

export interface StatusStore {
  /** The latest status from the host; null until the first state or tick arrives. */
  status: StatusView | null;
}

export const useStatusStore = create<StatusStore>(() => ({ status: null }));
