// What React needs to know about the live preview. The values themselves live in live/liveData.ts
// (ring buffers outside React); this store only changes when the *set* of metrics changes, when
// the event list should be redrawn (throttled), or when the technician changes the view.
import { create } from 'zustand';

export type PreviewView = 'tiles' | 'table';

export interface PreviewStore {
  /** Bumped when a metric name appears for the first time, so the metric list re-renders. */
  namesVersion: number;
  /** Bumped (at most a few times a second) when new events arrived, for the events list. */
  eventsVersion: number;
  /** Text the metric names must contain (space-separated words, all must match, case-insensitive). */
  filter: string;
  /** Large tiles or a dense table. */
  view: PreviewView;
}

export const usePreviewStore = create<PreviewStore>(() => ({
  namesVersion: 0,
  eventsVersion: 0,
  filter: '',
  view: 'tiles',
}));
