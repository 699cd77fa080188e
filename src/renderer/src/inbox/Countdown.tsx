// Seconds left to answer a waiting command, on the host's clock.
import { useHostNow } from '../common/useHostNow';

export function Countdown({ deadline, testId }: { deadline: number; testId?: string }): React.JSX.Element {
  const now = useHostNow(500);
  const left = Math.max(0, Math.ceil((deadline - now) / 1000));
  return (
    <span className={left <= 10 ? 'countdown warn-text tabular' : 'countdown tabular'} data-testid={testId}>
      {left > 0 ? `${left} s left to answer` : 'time is up'}
    </span>
  );
}
