// A past run as a file, in the form the technician chose: the long CSV (one row per point), the
// wide CSV (one row per time, a column per metric), MCAP (Foxglove, Lichtblick) or XDF (LSL
// tools). Each is streamed from the run library, which holds every point of the run however long
// ago it was delivered; the shell's exporter (a save dialog, a download URL) takes it, or,
// without one, it is written to <data dir>/exports. Progress is told about twice a second.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportFormat, ExportProgress, ExportResult } from '../../shared/contract';
import type { LoggedPoint, Plexus } from '../plexus';
import { CSV_HEADER, csvFilename, csvRowsOfLines } from './csv-export';
import { PointLineReader } from './run-library/metric-line';
import { writeWideCsv } from './csv-wide-export';
import { writeExportFile, type ExportSink } from './export-sink';
import type { RunExport } from './host-options';
import { writeMcap } from './mcap-export';
import type { RunLibrary } from './run-library/run-library';
import { writeXdf } from './xdf-export';
import { ContractError } from './contract-error';
import { NotFoundError } from './sources';

/** What the host knows beside the run log: units and the device name, and where scratch files go. */
export interface RunExportContext {
  client: Plexus;
  library: RunLibrary;
  progress(p: ExportProgress): void;
  /** A metric's unit as the recorder knows it now (plugins' describe(), serial field units). */
  unit(metric: string): string | undefined;
  /** The device name the points are recorded under. */
  device: string;
  /** The data folder (exports and the wide CSV's scratch file go under it). */
  dataDir: string;
}

const FILE_ENDS: Record<ExportFormat, string> = { csv: '.csv', 'csv-wide': '.wide.csv', mcap: '.mcap', xdf: '.xdf' };
const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  'csv-wide': 'text/csv; charset=utf-8',
  mcap: 'application/octet-stream',
  xdf: 'application/octet-stream',
};
/** Runs of at least this many points have their MCAP chunks built on worker threads. */
const MCAP_THREADS_FROM = 200_000;
/** How often progress is told while an export reads the run. */
const PROGRESS_MS = 500;

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
  // Its name and details as the library has them (edited after the run, say).
  const run = ctx.library.viewOf(runId);
  if (!run) throw new NotFoundError(`no run with id ${runId}`);
  if (run.endedAt === null) throw new ContractError('the run is still recording; stop it to export it', 'failed');
  let total = 0;
  let read = 0;
  let told = 0;
  const tell = (done: boolean): void => ctx.progress({ runId, format, points: read, total, done });
  // Counts the points as the writer reads them (the wide CSV and XDF read the run twice: the
  // second read counts from zero again, so progress stays honest about what is left).
  const points = function* (): Generator<LoggedPoint> {
    read = 0;
    for (const p of ctx.library.points(runId)) {
      read++;
      if ((read & 1023) === 0 && Date.now() - told >= PROGRESS_MS) {
        told = Date.now();
        tell(false);
      }
      yield p;
    }
  };
  const write = async (sink: ExportSink): Promise<number> => {
    // Neither the quota nor the technician deletes the run while it is written.
    const release = ctx.library.hold(runId);
    try {
      await ctx.library.caughtUp();
      total = ctx.library.pointCount(runId);
      tell(false);
      const n = await writeAs(sink);
      // Every point the library holds, or the file is not called saved.
      if (read !== total) throw new Error(`the run changed while it was exported (${read} of ${total} points read)`);
      return n;
    } finally {
      release();
      tell(true); // done, written or not (a failure is the request's answer)
    }
  };
  const writeAs = async (sink: ExportSink): Promise<number> => {
    switch (format) {
      case 'csv': {
        // From the lines as written (a number's text is its cell), a piece of the log at a time.
        const reader = new PointLineReader();
        await sink.text(`${CSV_HEADER}\r\n`);
        read = 0;
        for (const body of ctx.library.bodies(runId)) {
          const { rows, n } = csvRowsOfLines(body, reader);
          read += n;
          await sink.text(rows);
          if (Date.now() - told >= PROGRESS_MS) {
            told = Date.now();
            tell(false);
          }
        }
        return read;
      }
      case 'csv-wide':
        return writeWideCsv(points(), { unit: ctx.unit, scratchDir: exportsDir(ctx.dataDir) }, sink);
      case 'mcap':
        // From the lines' text, as the CSV: a number's text is copied into its message.
        return writeMcap(
          ctx.library.lines(runId),
          { run, device: ctx.device, unit: ctx.unit },
          sink,
          (n) => {
            read = n;
            if (Date.now() - told >= PROGRESS_MS) {
              told = Date.now();
              tell(false);
            }
          },
          // A long run's chunks are built on every core; a short one's here (threads cost a start).
          { numberMetrics: ctx.library.numberMetrics(runId), ...(total < MCAP_THREADS_FROM ? { threads: 0 } : {}) },
        );
      case 'xdf': {
        // The offsets in force: the last sync before the run, and every one during it.
        const end = run.endedAt ?? client.now();
        const clockOffsets = client.clockHistory(run.startedAt - 24 * 3600_000, end);
        const before = clockOffsets.filter((c) => c.at < run.startedAt).slice(-1);
        const during = clockOffsets.filter((c) => c.at >= run.startedAt);
        return writeXdf(
          points,
          { run, device: ctx.device, unit: ctx.unit, clockOffsets: [...before, ...during] },
          sink,
        );
      }
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
