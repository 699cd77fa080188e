// Remove with an inline confirmation: one extra click, no modal, the error shown in place.
import { useState } from 'react';
import { ErrorText } from '../common/ErrorText';
import { useAction } from '../common/useAction';

export function RemoveButton({
  what,
  testId,
  onRemove,
}: {
  what: string;
  testId: string;
  onRemove: () => Promise<unknown>;
}): React.JSX.Element {
  const [asking, setAsking] = useState(false);
  const remove = useAction(onRemove);
  if (!asking)
    return (
      <button type="button" className="button button-small" onClick={() => setAsking(true)} data-testid={testId}>
        Remove
      </button>
    );
  return (
    <span className="inline-confirm">
      <span>Remove {what}?</span>
      <button
        type="button"
        className="button button-small button-danger"
        onClick={() => void remove.run()}
        disabled={remove.busy}
        data-testid={`${testId}-confirm`}
        autoFocus
      >
        Remove
      </button>
      <button type="button" className="button button-small" onClick={() => setAsking(false)}>
        Keep
      </button>
      <ErrorText error={remove.error} />
    </span>
  );
}
