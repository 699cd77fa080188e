// A run's CSV: streamed line by line from the client's run log, handed to the shell's exporter
// (a save dialog, a download URL) or, without one, written to <data dir>/exports.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportResult } from '../../shared/contract';
import type { Plexus } from '../plexus';
import { csvFilename, runCsv } from './csv-export';
import type { RunExport } from './host-options';
import { toRunView } from './run-requests';
import { NotFoundError } from './sources';
import { writeLines } from './write-lines';

export function runExport(client: Plexus, runId: string): RunExport {
  const r = client.runs(100_000).find((x) => x.id === runId);
  if (!r) throw new NotFoundError(`no run with id ${runId}`);
  const run = toRunView(r);
  return { run, filename: csvFilename(run), lines: () => runCsv(client.runPoints(runId)) };
}

export async function exportRun(
  e: RunExport,
  exporter: ((e: RunExport) => Promise<ExportResult>) | undefined,
  dataDir: string,
): Promise<ExportResult> {
  if (exporter) return exporter(e);
  const dir = join(dataDir, 'exports');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, e.filename);
  const points = (await writeLines(path, e.lines())) - 1; // the header line is not a point
  return { kind: 'saved', path, points };
}
