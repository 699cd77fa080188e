// What a host is started with: the data folder and how the surrounding shell (Electron, headless,
// tests, benchmarks) provides what only it can (the keychain, a save dialog, a file manager).

import type { ExportFormat, ExportResult, RunView } from '../../shared/contract';
import type { Plexus } from '../plexus';
import type { PluginTiming } from '../plugins';
import type { ExportSink } from './export-sink';
import type { RunLibraryOptions } from './run-library/run-library';
import type { SecretStore } from './secrets';

/** A run ready to export: the shell chooses where the bytes go, then calls `write`. */
export interface RunExport {
  run: RunView;
  format: ExportFormat;
  /** A suggested file name, ending as the format does (.csv, .wide.csv, .mcap). */
  filename: string;
  /** For a download: text/csv or application/octet-stream. */
  contentType: string;
  /** Streams the file into the sink (with backpressure); resolves with the points written. */
  write: (sink: ExportSink) => Promise<number>;
}

export interface HostOptions {
  /** Where everything lives: settings, the client's buffer and run log. */
  dataDir: string;
  /** How the API key is kept (Electron: safeStorage). Default: unprotected, with a warning. */
  secrets?: SecretStore;
  /** How an export reaches the person (Electron: a save dialog; headless: a download URL). */
  exporter?: (e: RunExport) => Promise<ExportResult>;
  /** Demo sensor in load mode (benchmarks): this many metrics at this many points/s in all. */
  demo?: { metrics?: number; rate?: number };
  /** Where the shipped plugins are (default: `plugins/` beside the app's package.json). */
  builtInPluginsDir?: string;
  /** Plugin liveness and restart timing (tests shorten them). */
  pluginTiming?: Partial<PluginTiming>;
  /** Show a folder in the system's file manager (Electron: shell.openPath). Absent: headless. */
  openFolder?: (dir: string) => Promise<void>;
  /** Ticks per second to the window (default 15; at most 20). */
  tickHz?: number;
  /** FFmpeg binary; default `ffmpeg` on PATH. */
  ffmpegPath?: string | null;
  /** How long a command no handler claims waits for the technician (default 120 s). */
  answerTimeoutMs?: number;
  /** The run library's quota (over settings.json's `runLibrary`; tests set a byte budget). */
  runLibrary?: RunLibraryOptions;
  /** Passed to the client (tests shorten backoffs). */
  clientOptions?: Partial<ConstructorParameters<typeof Plexus>[0]>;
}
