// A past run as a file, in the form the technician chose: the long CSV (one row per point), the
// wide CSV (one row per time, a column per metric) or MCAP (Foxglove, Lichtblick). Each is
// streamed from the client's run log; the shell's exporter (a save dialog, a download URL) takes
// it, or, without one, it is written to <data dir>/exports.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportFormat, ExportResult } from '../../shared/contract';
import type { LoggedPoint, Plexus } from '../plexus';
import { csvFilename, runCsv } from './csv-export';
import { writeWideCsv } from './csv-wide-export';
import { writeExportFile, type ExportSink } from './export-sink';
import type { RunExport } from './host-options';
import { writeMcap } from './mcap-export';
import { toRunView } from './run-requests';
import { NotFoundError } from './sources';

/** What the host knows beside the run log: units and the device name, and where scratch files go. */
export interface RunExportContext {
  client: Plexus;
  /** A metric's unit as the recorder knows it now (plugins' describe(), serial field units). */
  unit(metric: string): string | undefined;
  /** The device name the points are recorded under. */
  device: string;
  /** The data folder (exports and the wide CSV's scratch file go under it). */
  dataDir: string;
}

const FILE_ENDS: Record<ExportFormat, string> = { csv: '.csv', 'csv-wide': '.wide.csv', mcap: '.mcap' };
const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  'csv-wide': 'text/csv; charset=utf-8',
  mcap: 'application/octet-stream',
};

export function exportFilename(run: { name: string; startedAt: number }, format: ExportFormat): string {
  return csvFilename(run).replace(/\.csv$/, FILE_ENDS[format]);
}

export function exportsDir(dataDir: string): string {
  const dir = join(dataDir, 'exports');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function runExport(ctx: RunExportContext, runId: string, format: ExportFormat = 'csv'): RunExport {
  const { client } = ctx;
  const r = client.runs(100_000).find((x) => x.id === runId);
  if (!r) throw new NotFoundError(`no run with id ${runId}`);
  const run = toRunView(r);
  const points = (): Iterable<LoggedPoint> => client.runPoints(runId);
  const write = async (sink: ExportSink): Promise<number> => {
    switch (format) {
      case 'csv': {
        let lines = -1; // the header line is not a point
        for (const line of runCsv(points())) {
          await sink.text(line);
          lines++;
        }
        return lines;
      }
      case 'csv-wide':
        return writeWideCsv(points(), { unit: ctx.unit, scratchDir: exportsDir(ctx.dataDir) }, sink);
      case 'mcap':
        return writeMcap(points(), { run, device: ctx.device, unit: ctx.unit }, sink);
    }
  };
  return { run, format, filename: exportFilename(run, format), contentType: CONTENT_TYPES[format], write };
}

/** Hands the export to the shell's exporter, or writes it to <data dir>/exports. */
export async function exportRun(
  e: RunExport,
  exporter: ((e: RunExport) => Promise<ExportResult>) | undefined,
  dataDir: string,
): Promise<ExportResult> {
  if (exporter) return exporter(e);
  const path = join(exportsDir(dataDir), e.filename);
  const points = await writeExportFile(path, e.write);
  return { kind: 'saved', path, points };
}
