// Import CSV / Export CSV of a table field. Import: paste the text (or pick a file, which fills the
// box so the technician sees what is read), then replace the rows or add them; a problem names its
// line and nothing changes. Export: the table as CSV with a header of column keys, to download or
// copy. The rows imported are checked like typed ones: each bad cell shows its problem.
import { useState } from 'react';
import { fieldLabel, maxRows, type TableField } from '../../../shared/plugin-config';
import { MAX_CSV_CHARS, tableFromCsv, tableToCsv, type TableDraftRow } from '../../../shared/table-csv';
import { downloadUrl } from '../common/download';

interface Props {
  mode: 'import' | 'export';
  testId: string;
  fieldKey: string;
  field: TableField;
  rows: readonly TableDraftRow[];
  onRows: (rows: TableDraftRow[]) => void;
  onClose: () => void;
}

function download(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  downloadUrl(url, filename);
  // The download has its own copy once it starts; give it a moment before letting the blob go.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ConfigTableCsv({ mode, testId, fieldKey, field, rows, onRows, onClose }: Props): React.JSX.Element {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const exported = mode === 'export' ? tableToCsv(field, rows) : '';
  const columns = Object.entries(field.items.properties)
    .map(([k, c]) => (fieldLabel(k, c) === k ? k : `${k} (or “${fieldLabel(k, c)}”)`))
    .join(', ');

  const apply = (add: boolean): void => {
    try {
      const imported = tableFromCsv(field, text);
      const all = add ? [...rows, ...imported] : imported;
      if (all.length > maxRows(field))
        return setError(`that makes ${all.length} rows; this table takes at most ${maxRows(field)}`);
      setError(null);
      onRows(all);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const pick = (file: File | undefined): void => {
    if (!file) return;
    if (file.size > MAX_CSV_CHARS) {
      setError(
        `${file.name} is ${Math.round(file.size / 1024)} KB; a table's CSV is at most ${MAX_CSV_CHARS / 1024 / 1024} MB`,
      );
      return;
    }
    file.text().then(
      (t) => {
        setText(t);
        setError(null);
      },
      (e: unknown) => setError(`${file.name} could not be read: ${(e as Error).message}`),
    );
  };

  const copy = (): void => {
    // The clipboard exists only in secure contexts (Electron, or 127.0.0.1/localhost in a browser).
    if (!navigator.clipboard) return setNote('Copying is not available here: select the text and copy it.');
    navigator.clipboard.writeText(exported).then(
      () => setNote('Copied.'),
      () => setNote('Could not copy: select the text and copy it.'),
    );
  };

  if (mode === 'export')
    return (
      <div className="config-table-csv">
        <textarea
          readOnly
          rows={Math.min(10, rows.length + 2)}
          value={exported}
          aria-label={`${field.title ?? fieldKey} as CSV`}
          onFocus={(e) => e.target.select()}
          data-testid={`${testId}-csv-out`}
        />
        <div className="button-row">
          <button
            type="button"
            className="button button-small"
            onClick={() => download(exported, `${fieldKey}.csv`)}
            data-testid={`${testId}-csv-download`}
          >
            Download
          </button>
          <button type="button" className="button button-small" onClick={copy} data-testid={`${testId}-csv-copy`}>
            Copy
          </button>
          <button type="button" className="button button-small" onClick={onClose}>
            Close
          </button>
          {note && <span className="muted">{note}</span>}
        </div>
      </div>
    );

  return (
    <div className="config-table-csv">
      <p className="field-hint">
        Paste CSV (commas or semicolons; quote cells that hold them). The first line names the columns: {columns}.
        Columns left out take their defaults.
      </p>
      <textarea
        rows={6}
        value={text}
        spellCheck={false}
        placeholder={`${Object.keys(field.items.properties).join(',')}\n…`}
        aria-label={`CSV to import into ${field.title ?? fieldKey}`}
        onChange={(e) => {
          setText(e.target.value);
          setError(null);
        }}
        data-testid={`${testId}-csv`}
      />
      <div className="button-row">
        <label className="button button-small">
          Choose file…
          <input
            type="file"
            accept=".csv,.txt,text/csv,text/plain"
            className="visually-hidden"
            onChange={(e) => {
              pick(e.target.files?.[0]);
              e.target.value = '';
            }}
            data-testid={`${testId}-csv-file`}
          />
        </label>
        <button
          type="button"
          className="button button-small button-primary"
          disabled={text.trim() === ''}
          onClick={() => apply(false)}
          data-testid={`${testId}-csv-replace`}
        >
          Replace the rows
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={text.trim() === ''}
          onClick={() => apply(true)}
          data-testid={`${testId}-csv-append`}
        >
          Add after the rows
        </button>
        <button type="button" className="button button-small" onClick={onClose}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert" data-testid={`${testId}-csv-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
