// The event-marker control: its note, the last marker placed, and any error. The M key and the
// button both call dropMarker().
import { create } from 'zustand';
import { errorText, getBench } from '../bridge';
import { addMarker } from '../stores/markersStore';

export interface MarkerStore {
  /** Optional note for the next marker. */
  note: string;
  /** Markers requested and not yet confirmed by the host. */
  inFlight: number;
  /** The last marker the host confirmed: its sequence number, time and note. */
  last: { seq: number; t: number; note: string; outsideRun: boolean } | null;
  /** Why the last marker failed, shown next to the button. */
  error: string | null;
}

export const useMarkerStore = create<MarkerStore>(() => ({ note: '', inFlight: 0, last: null, error: null }));

export function setMarkerNote(note: string): void {
  useMarkerStore.setState({ note });
}

export async function dropMarker(): Promise<void> {
  const note = useMarkerStore.getState().note.trim();
  // Clear the note at once so a second press does not repeat it.
  useMarkerStore.setState((s) => ({ note: '', inFlight: s.inFlight + 1, error: null }));
  try {
    const r = await getBench().invoke('marker.add', note ? { note } : {});
    // A marker kept in memory (the disk refuses writes) is still a marker: say so, do not hide it.
    addMarker({ seq: r.seq, t: r.t, note: note || null, runId: r.runId ?? null });
    useMarkerStore.setState((s) => ({
      inFlight: s.inFlight - 1,
      last: { seq: r.seq, t: r.t, note, outsideRun: r.runId === null },
      error: r.warning ? `Marker kept, but ${r.warning}` : null,
    }));
  } catch (e) {
    // Give the note back so it is not lost with the failed marker.
    useMarkerStore.setState((s) => ({ inFlight: s.inFlight - 1, error: errorText(e), note: s.note || note }));
  }
}
