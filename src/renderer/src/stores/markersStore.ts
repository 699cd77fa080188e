// The technician's markers as the host keeps them (the current run's, the last run's, and recent
// ones outside runs): replaced by each state snapshot, and added to at once when a marker is
// confirmed, so the list never waits for the next snapshot.
import { create } from 'zustand';
import type { MarkerView } from '../../../shared/contract';

export interface MarkersStore {
  /** Oldest first. */
  markers: MarkerView[];
}

export const useMarkersStore = create<MarkersStore>(() => ({ markers: [] }));

export function setMarkers(markers: MarkerView[]): void {
  useMarkersStore.setState({ markers });
}

export function addMarker(m: MarkerView): void {
  const rest = useMarkersStore.getState().markers.filter((x) => x.seq !== m.seq);
  useMarkersStore.setState({ markers: [...rest, m].sort((a, b) => a.t - b.t || a.seq - b.seq) });
}
