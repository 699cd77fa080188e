// A labelled form field with an optional hint and the problem with its value, wired up with
// aria-describedby so screen readers read them with the control.
import { useId, type ReactElement, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  hint?: ReactNode | undefined;
  problem?: string | null | undefined;
  problemTestId?: string | undefined;
  /** Render the control; receives the id to put on it and the ids describing it. */
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactElement;
}

export function Field({ label, hint, problem, problemTestId, children }: FieldProps): React.JSX.Element {
  const id = useId();
  const hintId = hint ? `${id}-hint` : null;
  const problemId = problem ? `${id}-problem` : null;
  const describedBy = [problemId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: !!problem })}
      {problem && (
        <p id={problemId ?? undefined} className="field-problem" data-testid={problemTestId}>
          {problem}
        </p>
      )}
      {hint && (
        <p id={hintId ?? undefined} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}
