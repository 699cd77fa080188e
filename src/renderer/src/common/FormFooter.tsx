// The footer of a source dialog: the submit error, Cancel, and Add/Save with its busy state.
import { ErrorText } from './ErrorText';

interface Props {
  error: string | null;
  errorTestId: string;
  busy: boolean;
  editing: boolean;
  /** The submit button's words when adding, e.g. "Add device". */
  addLabel: string;
  addTestId: string;
  saveTestId: string;
  onCancel: () => void;
}

export function FormFooter(p: Props): React.JSX.Element {
  return (
    <footer className="modal-foot">
      <ErrorText error={p.error} testId={p.errorTestId} />
      <button type="button" className="button" onClick={p.onCancel}>
        Cancel
      </button>
      <button
        type="submit"
        className="button button-primary"
        disabled={p.busy}
        data-testid={p.editing ? p.saveTestId : p.addTestId}
      >
        {p.busy ? 'Saving…' : p.editing ? 'Save' : p.addLabel}
      </button>
    </footer>
  );
}
