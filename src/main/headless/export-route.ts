// The headless download URL of a run's export: /export/<run id><file end>?token=…, where the file
// end says the format (.csv, .wide.csv, .mcap, .xdf), so the browser's download has the right name and
// the URL alone says what it holds.

import type { ExportFormat } from '../../shared/contract';

const ENDS: ReadonlyArray<[string, ExportFormat]> = [
  // Longest first: ".wide.csv" also ends in ".csv".
  ['.wide.csv', 'csv-wide'],
  ['.csv', 'csv'],
  ['.mcap', 'mcap'],
  ['.xdf', 'xdf'],
];

export function exportUrl(runId: string, format: ExportFormat, token: string): string {
  const end = ENDS.find(([, f]) => f === format)![0];
  return `/export/${encodeURIComponent(runId)}${end}?token=${token}`;
}

/** The run id (still URL-encoded) and format of an export path, or null when it is none. */
export function parseExportPath(pathname: string): { encodedRunId: string; format: ExportFormat } | null {
  const m = /^\/export\/([^/]+)$/.exec(pathname);
  if (!m) return null;
  for (const [end, format] of ENDS) {
    if (m[1]!.endsWith(end) && m[1]!.length > end.length) return { encodedRunId: m[1]!.slice(0, -end.length), format };
  }
  return null;
}
