// A coloured dot plus the state in words (never colour alone).
import type { CameraSourceView, SerialSourceView } from '../../../shared/contract';
import type { Tone } from '../status/connectionWords';

type State = SerialSourceView['state'] | CameraSourceView['state'] | 'on' | 'off';

const TONES: Record<State, Tone> = {
  open: 'ok',
  streaming: 'ok',
  on: 'ok',
  opening: 'warn',
  starting: 'warn',
  restarting: 'warn',
  waiting: 'warn',
  closed: 'idle',
  stopped: 'idle',
  off: 'idle',
  error: 'bad',
};

export function StateDot({ state, label }: { state: State; label?: string }): React.JSX.Element {
  return (
    <span className="state">
      <span className={`dot dot-${TONES[state]}`} aria-hidden />
      <span className="state-word">{label ?? state}</span>
    </span>
  );
}
