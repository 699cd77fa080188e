// A run's fields as key = value rows: add a row, remove one, each key checked as it is typed with
// the rule shown under the rows. `prefix` keeps the test ids of two editors on one page apart (the
// recorder's and the details dialog's).
import { MAX_RUN_FIELDS, RUN_FIELD_KEY_RULE } from '../../../shared/contract';
import { fieldProblems, type FieldRow } from './detailsDraft';

interface Props {
  rows: FieldRow[];
  onChange: (rows: FieldRow[]) => void;
  prefix: string;
}

export function FieldsEditor({ rows, onChange, prefix }: Props): React.JSX.Element {
  const problems = fieldProblems(rows);
  const set = (i: number, row: Partial<FieldRow>): void =>
    onChange(rows.map((r, k) => (k === i ? { ...r, ...row } : r)));
  return (
    <fieldset className="run-fields">
      <legend>Fields</legend>
      <p className="field-hint">
        Each field is kept with every point of the run, e.g. <code>part = PSU-7</code>.
      </p>
      {rows.length > 0 && (
        <ul className="run-field-rows">
          {rows.map((r, i) => (
            <li key={i} className="run-field-row">
              <div className="run-field-inputs">
                <input
                  value={r.key}
                  onChange={(e) => set(i, { key: e.target.value })}
                  placeholder="name"
                  aria-label={`Field ${i + 1} name`}
                  aria-invalid={!!problems[i]}
                  spellCheck={false}
                  maxLength={64}
                  data-testid={`${prefix}-key-${i}`}
                />
                <span aria-hidden>=</span>
                <input
                  value={r.value}
                  onChange={(e) => set(i, { value: e.target.value })}
                  placeholder="value"
                  aria-label={`Field ${i + 1} value`}
                  spellCheck={false}
                  maxLength={200}
                  data-testid={`${prefix}-value-${i}`}
                />
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Remove field ${i + 1}`}
                  onClick={() => onChange(rows.filter((_, k) => k !== i))}
                  data-testid={`${prefix}-remove-${i}`}
                >
                  ×
                </button>
              </div>
              {problems[i] && (
                <p className="field-problem" data-testid={`${prefix}-problem-${i}`}>
                  {problems[i]}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="button-row">
        <button
          type="button"
          className="button button-small"
          onClick={() => onChange([...rows, { key: '', value: '' }])}
          disabled={rows.length >= MAX_RUN_FIELDS}
          data-testid={`${prefix}-add`}
        >
          + Add field
        </button>
        <span className="field-hint">Names: {RUN_FIELD_KEY_RULE}.</span>
      </div>
    </fieldset>
  );
}
