// The action row every configured source has: switch on/off, edit, remove — and the error of the
// switch right under it. Serial devices and cameras differ only in words and test ids.
import { getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { useAction } from '../common/useAction';
import { RemoveButton } from './RemoveButton';

interface Props {
  /** Test-id prefix and kind: `serial` or `camera`. */
  kind: 'serial' | 'camera';
  id: string;
  /** Whether the source is switched on. */
  on: boolean;
  /** Words for the switch, e.g. ['Connect', 'connect'] … */
  onLabel: string;
  offLabel: string;
  onTestId: string;
  offTestId: string;
  /** What the remove confirmation names. */
  name: string;
  switchTo: (on: boolean) => Promise<unknown>;
  onEdit: (id: string) => void;
}

export function SourceActions(p: Props): React.JSX.Element {
  const toggle = useAction(p.switchTo);
  return (
    <>
      <div className="button-row">
        {p.on ? (
          <button
            type="button"
            className="button button-small"
            disabled={toggle.busy}
            onClick={() => void toggle.run(false)}
            data-testid={p.offTestId}
          >
            {p.offLabel}
          </button>
        ) : (
          <button
            type="button"
            className="button button-small button-primary"
            disabled={toggle.busy}
            onClick={() => void toggle.run(true)}
            data-testid={p.onTestId}
          >
            {p.onLabel}
          </button>
        )}
        <button
          type="button"
          className="button button-small"
          onClick={() => p.onEdit(p.id)}
          data-testid={`${p.kind}-edit-${p.id}`}
        >
          Edit
        </button>
        <RemoveButton
          what={p.name}
          testId={`${p.kind}-remove-${p.id}`}
          onRemove={() => getBench().invoke(p.kind === 'serial' ? 'serial.remove' : 'camera.remove', { id: p.id })}
        />
      </div>
      <ErrorText error={toggle.error} testId={`${p.kind}-error-${p.id}`} />
    </>
  );
}
