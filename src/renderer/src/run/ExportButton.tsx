// Export a past run: long CSV (one row per point), wide CSV (a column per metric), MCAP (for
// Foxglove and Lichtblick) or XDF (LSL tools). In a browser the host answers with a URL we
// download through <a download>; in Electron it saves the file itself and tells us where; a
// cancelled save dialog shows nothing. While the host writes it, its progress ("Exporting XDF…
// 45 %", from the export.progress events) shows under the run — in a browser that is while the
// download runs, after the button's request has returned. The result shows for a few seconds,
// then clears (the browser's own download bar takes over).
import { useEffect, useState } from 'react';
import { EXPORT_FORMATS, EXPORT_FORMAT_WORDS, type ExportFormat, type ExportResult } from '../../../shared/contract';
import { getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { downloadUrl } from '../common/download';
import { count } from '../common/format';
import { useAction } from '../common/useAction';
import { percent, useExportProgress } from '../review/exportProgress';

/** How long the export's result stays under the run. */
const RESULT_MS = 6000;

/** The CSV button keeps its old test id (`export-<run>`); the others add their format. */
function testId(runId: string, format: ExportFormat): string {
  return format === 'csv' ? `export-${runId}` : `export-${runId}-${format}`;
}

export function ExportButton({ runId }: { runId: string }): React.JSX.Element {
  const [done, setDone] = useState<{ format: ExportFormat; result: ExportResult } | null>(null);
  const [running, setRunning] = useState<ExportFormat | null>(null);
  useEffect(() => {
    if (!done) return;
    const t = setTimeout(() => setDone(null), RESULT_MS);
    return () => clearTimeout(t);
  }, [done]);
  const exp = useAction(async (format: ExportFormat) => {
    setDone(null);
    setRunning(format);
    try {
      const r = await getBench().invoke('run.export', { runId, format });
      if (r.kind === 'download') downloadUrl(r.url, r.filename);
      setDone({ format, result: r });
    } finally {
      setRunning(null);
    }
  });
  const result = done?.result;
  const progress = useExportProgress((s) => s.byRun[runId]);
  return (
    <>
      <div className="button-row" role="group" aria-label="Export this run as">
        {EXPORT_FORMATS.map((format) => (
          <button
            key={format}
            type="button"
            className="button button-small"
            title={EXPORT_FORMAT_WORDS[format].title}
            onClick={() => void exp.run(format)}
            disabled={exp.busy}
            data-testid={testId(runId, format)}
          >
            {running === format ? 'Exporting…' : EXPORT_FORMAT_WORDS[format].label}
          </button>
        ))}
      </div>
      {progress && (
        <p className="muted export-progress tabular" role="status" data-testid={`export-progress-${runId}`}>
          Exporting {EXPORT_FORMAT_WORDS[progress.format].label}… {percent(progress)} %
          <progress max={100} value={percent(progress)} aria-hidden />
        </p>
      )}
      {result?.kind === 'saved' && (
        <p className="muted export-done" data-testid={`export-done-${runId}`}>
          Saved {count(result.points)} points to <code>{result.path}</code>
        </p>
      )}
      {result?.kind === 'download' && done && (
        <p className="muted export-done" data-testid={`export-done-${runId}`}>
          {EXPORT_FORMAT_WORDS[done.format].label} handed to your browser: {result.filename} (see its downloads)
        </p>
      )}
      <ErrorText error={exp.error} testId={`export-error-${runId}`} />
    </>
  );
}
