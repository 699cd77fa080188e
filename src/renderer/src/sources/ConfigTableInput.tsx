// A table field of a plugin's settings (e.g. a register map): one column per item field with the
// input its type calls for, a row per entry, add and remove, each cell's problem under it, and
// Import CSV / Export CSV (ConfigTableCsv) for pasting a map from a device manual.
import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { fieldLabel, maxRows, type ScalarField, type TableField } from '../../../shared/plugin-config';
import { ConfigTableCsv } from './ConfigTableCsv';
import { cellKey, rowDraft, type TableDraftRow } from './configDraft';

interface Props {
  fieldKey: string;
  field: TableField;
  rows: readonly TableDraftRow[];
  /** The table's own problem (too many rows) or the first cell's, in the host's words. */
  problem: string | null;
  /** Per cell (`<row index>.<column>`), why it is wrong. */
  cells: Readonly<Record<string, string>>;
  /** Change the rows from the latest ones (a functional update, so a row's handlers never go stale). */
  onUpdate: (update: (rows: TableDraftRow[]) => TableDraftRow[]) => void;
}

interface CellProps {
  id: string;
  label: string;
  col: ScalarField;
  value: string | boolean | undefined;
  invalid: boolean;
  onChange: (v: string | boolean) => void;
}

function Cell({ id, label, col, value, invalid, onChange }: CellProps): React.JSX.Element {
  const common = { 'aria-label': label, 'aria-invalid': invalid, 'data-testid': id };
  if (col.type === 'boolean')
    return <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  const text = typeof value === 'string' ? value : '';
  if (col.type === 'string' && col.enum)
    return (
      <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
        {(text === '' || !col.enum.includes(text)) && <option value={text}>{text === '' ? '—' : text}</option>}
        {col.enum.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    );
  const placeholder = col.default !== undefined ? String(col.default) : undefined;
  if (col.type === 'string')
    return (
      <input
        {...common}
        type={col.format === 'password' ? 'password' : 'text'}
        autoComplete="off"
        spellCheck={false}
        value={text}
        placeholder={placeholder}
        maxLength={col.maxLength}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  // Text with a decimal keyboard rather than type=number: a mistyped value stays visible with
  // its problem instead of silently reading as empty.
  return (
    <input
      {...common}
      inputMode="decimal"
      spellCheck={false}
      value={text}
      placeholder={placeholder}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

interface RowProps {
  testId: string;
  field: TableField;
  index: number;
  row: TableDraftRow;
  problems: Readonly<Record<string, string>>;
  /** The row's problems as one string: the row redraws only when its values or these change. */
  problemSig: string;
  onCell: (index: number, column: string, v: string | boolean) => void;
  onRemove: (index: number) => void;
}

const Row = memo(
  function Row({ testId, field, index, row, problems, onCell, onRemove }: RowProps): React.JSX.Element {
    const n = index + 1;
    return (
      <tr>
        <th scope="row" className="config-table-n">
          {n}
        </th>
        {Object.entries(field.items.properties).map(([key, col]) => {
          const problem = problems[key];
          const id = `${testId}-${n}-${key}`;
          return (
            <td key={key} className={problem ? 'config-table-bad' : undefined}>
              <Cell
                id={id}
                label={`Row ${n}: ${fieldLabel(key, col)}`}
                col={col}
                value={row[key]}
                invalid={!!problem}
                onChange={(v) => onCell(index, key, v)}
              />
              {problem && (
                <p className="config-table-problem" data-testid={`${id}-problem`}>
                  {problem}
                </p>
              )}
            </td>
          );
        })}
        <td>
          <button
            type="button"
            className="icon-button"
            aria-label={`Remove row ${n}`}
            title={`Remove row ${n}`}
            onClick={() => onRemove(index)}
            data-testid={`${testId}-${n}-remove`}
          >
            ×
          </button>
        </td>
      </tr>
    );
  },
  (a, b) =>
    a.row === b.row &&
    a.index === b.index &&
    a.problemSig === b.problemSig &&
    a.field === b.field &&
    a.onCell === b.onCell &&
    a.onRemove === b.onRemove,
);

export function ConfigTableInput({ fieldKey, field, rows, problem, cells, onUpdate }: Props): React.JSX.Element {
  const testId = `plugin-config-${fieldKey}`;
  const [csv, setCsv] = useState<'import' | 'export' | null>(null);
  // Stable handlers, so typing in one cell of a long register map redraws only its row.
  const update = useRef(onUpdate);
  useEffect(() => {
    update.current = onUpdate;
  });
  const onCell = useCallback(
    (index: number, column: string, v: string | boolean): void =>
      update.current((all) => all.map((r, i) => (i === index ? { ...r, [column]: v } : r))),
    [],
  );
  const onRemove = useCallback((index: number): void => update.current((all) => all.filter((_, i) => i !== index)), []);
  const onChange = (next: TableDraftRow[]): void => onUpdate(() => next);
  const columns = Object.entries(field.items.properties);
  const required = field.items.required ?? [];
  const max = maxRows(field);
  const perRow = rows.map((_, i) => {
    const p: Record<string, string> = {};
    for (const [key] of columns) {
      const why = cells[cellKey(i, key)];
      if (why) p[key] = why;
    }
    return p;
  });
  return (
    <fieldset className="config-table" data-testid={testId}>
      <legend>{field.title ?? fieldKey}</legend>
      {field.description && <p className="field-hint">{field.description}</p>}
      {rows.length > 0 ? (
        <div className="config-table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col" className="config-table-n">
                  #
                </th>
                {columns.map(([key, col]) => (
                  <th key={key} scope="col" title={col.description}>
                    {fieldLabel(key, col)}
                    {required.includes(key) && col.default === undefined && (
                      <span aria-label="required" title="required">
                        {' '}
                        *
                      </span>
                    )}
                    {'unit' in col && col.unit && <span className="muted"> ({col.unit})</span>}
                  </th>
                ))}
                <th aria-label="Remove" />
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <Row
                  key={i}
                  testId={testId}
                  field={field}
                  index={i}
                  row={row}
                  problems={perRow[i]!}
                  problemSig={JSON.stringify(perRow[i])}
                  onCell={onCell}
                  onRemove={onRemove}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted" data-testid={`${testId}-empty`}>
          No rows yet: add one, or import a CSV.
        </p>
      )}
      {problem && (
        <p className="field-problem" data-testid={`${testId}-problem`}>
          {problem}
        </p>
      )}
      <div className="button-row">
        <button
          type="button"
          className="button button-small"
          disabled={rows.length >= max}
          title={rows.length >= max ? `This table takes at most ${max} rows` : undefined}
          onClick={() => onChange([...rows, rowDraft(field)])}
          data-testid={`${testId}-add`}
        >
          Add row
        </button>
        <button
          type="button"
          className="button button-small"
          aria-expanded={csv === 'import'}
          onClick={() => setCsv(csv === 'import' ? null : 'import')}
          data-testid={`${testId}-import`}
        >
          Import CSV
        </button>
        <button
          type="button"
          className="button button-small"
          aria-expanded={csv === 'export'}
          onClick={() => setCsv(csv === 'export' ? null : 'export')}
          data-testid={`${testId}-export`}
        >
          Export CSV
        </button>
        <span className="muted tabular" data-testid={`${testId}-count`}>
          {rows.length} row{rows.length === 1 ? '' : 's'} (at most {max})
        </span>
      </div>
      {csv && (
        <ConfigTableCsv
          mode={csv}
          testId={testId}
          fieldKey={fieldKey}
          field={field}
          rows={rows}
          onRows={(r) => {
            onChange(r);
            setCsv(null);
          }}
          onClose={() => setCsv(null)}
        />
      )}
    </fieldset>
  );
}
