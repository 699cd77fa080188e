// A coloured dot plus the state in words (never colour alone).
import type { CameraSourceView, NetworkSourceView, PluginState, SerialSourceView } from '../../../shared/contract';
import type { Tone } from '../status/connectionWords';

type State =
  SerialSourceView['state'] | CameraSourceView['state'] | NetworkSourceView['state'] | PluginState | 'on' | 'off';

const TONES: Record<State, Tone> = {
  open: 'ok',
  streaming: 'ok',
  running: 'ok',
  listening: 'ok',
  on: 'ok',
  opening: 'warn',
  starting: 'warn',
  restarting: 'warn',
  waiting: 'warn',
  untrusted: 'warn',
  closed: 'idle',
  stopped: 'idle',
  off: 'idle',
  error: 'bad',
  failed: 'bad',
  invalid: 'bad',
};

export function StateDot({ state, label }: { state: State; label?: string }): React.JSX.Element {
  return (
    <span className="state">
      <span className={`dot dot-${TONES[state]}`} aria-hidden />
      <span className="state-word">{label ?? state}</span>
    </span>
  );
}
