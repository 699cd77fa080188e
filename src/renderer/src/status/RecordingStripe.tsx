// A red stripe across the top while a run records, visible from across the room.
import { useRunsStore } from '../stores/runsStore';

export function RecordingStripe(): React.JSX.Element | null {
  const recording = useRunsStore((s) => s.run !== null);
  return recording ? <div className="rec-stripe" data-testid="recording-stripe" aria-hidden /> : null;
}
