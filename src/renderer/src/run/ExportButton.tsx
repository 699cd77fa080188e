// Export a run to CSV. In a browser the host answers with a URL we download through <a download>;
// in Electron it saves the file itself and tells us where; a cancelled save dialog shows nothing.
// The result shows for a few seconds, then clears (the browser's own download bar takes over).
import { useEffect, useState } from 'react';
import type { ExportResult } from '../../../shared/contract';
import { getBench } from '../bridge';
import { ErrorText } from '../common/ErrorText';
import { count } from '../common/format';
import { useAction } from '../common/useAction';

/** How long the export's result stays under the run. */
const RESULT_MS = 6000;

function download(url: string, filename: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

export function ExportButton({ runId }: { runId: string }): React.JSX.Element {
  const [done, setDone] = useState<ExportResult | null>(null);
  useEffect(() => {
    if (!done) return;
    const t = setTimeout(() => setDone(null), RESULT_MS);
    return () => clearTimeout(t);
  }, [done]);
  const exp = useAction(async () => {
    setDone(null);
    const r = await getBench().invoke('run.export', { runId });
    if (r.kind === 'download') download(r.url, r.filename);
    setDone(r);
  });
  return (
    <>
      <button
        type="button"
        className="button button-small"
        onClick={() => void exp.run()}
        disabled={exp.busy}
        data-testid={`export-${runId}`}
      >
        {exp.busy ? 'Exporting…' : 'CSV'}
      </button>
      {done?.kind === 'saved' && (
        <p className="muted export-done" data-testid={`export-done-${runId}`}>
          Saved {count(done.points)} points to <code>{done.path}</code>
        </p>
      )}
      {done?.kind === 'download' && (
        <p className="muted export-done" data-testid={`export-done-${runId}`}>
          CSV handed to your browser: {done.filename} (see its downloads)
        </p>
      )}
      <ErrorText error={exp.error} testId={`export-error-${runId}`} />
    </>
  );
}
