// Operator, description and fields: what a technician can say about a run, at its start (the
// recorder's details) or afterwards (the details dialog). `prefix` keeps their test ids apart.
import { Field } from '../common/Field';
import type { DetailsDraft } from './detailsDraft';
import { FieldsEditor } from './FieldsEditor';

interface Props {
  draft: DetailsDraft;
  onChange: (d: DetailsDraft) => void;
  prefix: string;
}

export function DetailsFields({ draft, onChange, prefix }: Props): React.JSX.Element {
  return (
    <>
      <Field label="Operator" hint="Who runs the test.">
        {({ id, describedBy }) => (
          <input
            id={id}
            value={draft.operator}
            onChange={(e) => onChange({ ...draft, operator: e.target.value })}
            aria-describedby={describedBy}
            maxLength={100}
            autoComplete="off"
            data-testid={`${prefix}-operator`}
          />
        )}
      </Field>
      <Field label="Description">
        {({ id }) => (
          <textarea
            id={id}
            value={draft.description}
            onChange={(e) => onChange({ ...draft, description: e.target.value })}
            rows={3}
            maxLength={4000}
            data-testid={`${prefix}-description`}
          />
        )}
      </Field>
      <FieldsEditor
        rows={draft.fields}
        onChange={(fields) => onChange({ ...draft, fields })}
        prefix={`${prefix}-field`}
      />
    </>
  );
}
