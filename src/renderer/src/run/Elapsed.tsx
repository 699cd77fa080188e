// Elapsed time of a run, in tabular digits so it does not shimmer as it counts.
import { duration } from '../common/format';
import { useHostNow } from '../common/useHostNow';

export function Elapsed({
  startedAt,
  endedAt,
  testId,
  className,
}: {
  startedAt: number;
  endedAt?: number | null;
  testId?: string;
  className?: string;
}): React.JSX.Element {
  const now = useHostNow(250);
  return (
    <span className={className ? `tabular ${className}` : 'tabular'} data-testid={testId}>
      {duration((endedAt ?? now) - startedAt)}
    </span>
  );
}
