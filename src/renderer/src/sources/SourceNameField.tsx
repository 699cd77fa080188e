// The name of a plugin instance or network source, checked as the technician types: it prefixes
// every metric the source records (see sourceName.ts), so the hint shows what a value becomes.
import { Field } from '../common/Field';

export function SourceNameField(props: {
  value: string;
  onChange: (name: string) => void;
  problem: string | null;
  /** What the prefix does, for this kind of source. */
  hint: string;
  label?: string;
  testId: string;
  problemTestId?: string;
  autoFocus?: boolean;
}): React.JSX.Element {
  return (
    <Field
      label={props.label ?? 'Name here'}
      hint={props.hint}
      problem={props.problem}
      {...(props.problemTestId ? { problemTestId: props.problemTestId } : {})}
    >
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          spellCheck={false}
          autoFocus={props.autoFocus}
          data-testid={props.testId}
        />
      )}
    </Field>
  );
}
