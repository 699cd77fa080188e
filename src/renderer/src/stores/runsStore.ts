// The run being recorded (updated per tick, so its point count moves) and the run library.
import { create } from 'zustand';
import type { RunView } from '../../../shared/contract';

export interface RunsStore {
  /** The run recording now, or null. */
  run: RunView | null;
  /** Every run the host knows, as it sends them (we sort for display). */
  runs: RunView[];
  /** False until the first state arrived, so "no runs yet" is not shown while loading. */
  loaded: boolean;
}

export const useRunsStore = create<RunsStore>(() => ({ run: null, runs: [], loaded: false }));
