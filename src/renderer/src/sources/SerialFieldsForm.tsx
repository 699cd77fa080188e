// "Field units and labels" in the serial device form: one row per field the device sends (a
// plotter column, a CSV header, a JSON key), with the unit and label shown beside its values.
// The host publishes them as the metrics' info, so tiles and tables show them like a plugin's.
import { exampleMetric, type FieldRow, type SerialDraft } from './serialDraft';

interface Props {
  draft: SerialDraft;
  onChange: (fields: FieldRow[]) => void;
  /** The first row's problem, when the technician tried to save. */
  problem: { row: number; problem: string } | undefined;
}

export function SerialFieldsForm({ draft, onChange, problem }: Props): React.JSX.Element {
  const rows = draft.fields;
  const set = (i: number, p: Partial<FieldRow>): void => onChange(rows.map((r, j) => (j === i ? { ...r, ...p } : r)));
  return (
    <fieldset className="serial-fields" data-testid="serial-fields">
      <legend>Field units and labels</legend>
      <p className="field-hint">
        A field is what the device names in each line: a column of plotter values (1, 2…), a CSV header, a JSON key. Its
        unit and label are shown with its values.
      </p>
      {rows.length > 0 && (
        <table className="serial-fields-table">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Unit</th>
              <th scope="col">Label</th>
              <th scope="col">Recorded as</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>
                  <input
                    value={r.field}
                    placeholder="temp"
                    aria-label={`Field ${i + 1}: name`}
                    aria-invalid={problem?.row === i}
                    spellCheck={false}
                    onChange={(e) => set(i, { field: e.target.value })}
                    data-testid={`serial-field-name-${i}`}
                  />
                </td>
                <td>
                  <input
                    value={r.unit}
                    placeholder="°C"
                    aria-label={`Field ${i + 1}: unit`}
                    spellCheck={false}
                    onChange={(e) => set(i, { unit: e.target.value })}
                    data-testid={`serial-field-unit-${i}`}
                  />
                </td>
                <td>
                  <input
                    value={r.label}
                    placeholder="Plate temperature"
                    aria-label={`Field ${i + 1}: label`}
                    onChange={(e) => set(i, { label: e.target.value })}
                    data-testid={`serial-field-label-${i}`}
                  />
                </td>
                <td>
                  <code className="serial-fields-metric">{exampleMetric(draft, r.field.trim() || '…')}</code>
                </td>
                <td>
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => onChange(rows.filter((_, j) => j !== i))}
                    aria-label={`Remove field ${i + 1}`}
                    data-testid={`serial-field-remove-${i}`}
                  >
                    ✕
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {problem && (
        <p className="field-problem" data-testid="serial-fields-problem">
          Field {problem.row + 1}: {problem.problem}
        </p>
      )}
      <button
        type="button"
        className="button button-small"
        onClick={() => onChange([...rows, { field: '', unit: '', label: '' }])}
        data-testid="serial-field-add"
      >
        + Unit or label for a field
      </button>
    </fieldset>
  );
}
