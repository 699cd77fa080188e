// What the host shows the window: the state, its parts, and the tick that updates them. Types
// only (the host builds them, the window draws them); part of the contract, which re-exports them.

import type { CameraConfig } from './camera-config';
import type { GatewaySetting } from './gateway';
import type { NetworkConfig } from './network-config';
import type { ConfigSchema, ConfigValues } from './plugin-config';
import type { PortInfo } from './ports';
import type { RunMetaView, RunStorageView } from './run-review';
import type { SerialConfig } from './serial-config';
import type { ActiveTransport, ConnectionStatus } from './status';

/** A serial port the window can pick (the host lists them). */
export type PortView = PortInfo;

export interface StatusView {
  status: ConnectionStatus;
  /** One line for a person, with what to do. */
  message: string;
  transport: ActiveTransport;
  detail: string | null;
  deviceName: string;
  buffered: number;
  /** SDK time − this machine's clock, ms. */
  clockOffsetMs: number;
  /** Bound on the error against gateway time; null before any sync. */
  clockUncertaintyMs: number | null;
  clockSource: 'local' | 'persisted' | 'gateway';
  /** Points recorded per second, all sources. */
  pointsPerSec: number;
}

export interface SerialSourceView {
  id: string;
  config: SerialConfig;
  /** Whether the technician wants it connected. */
  enabled: boolean;
  state: 'opening' | 'open' | 'closed' | 'waiting' | 'error';
  message: string;
  path: string | null;
  lines: number;
  points: number;
  problems: Record<string, number>;
  parser: string | null;
  log: Array<{ at: number; level: 'info' | 'warn' | 'error'; message: string }>;
  /**
   * Set when the format was detected and the lines stopped fitting it: one line for a person
   * ("the lines no longer look like plotter: re-detect?"); `serial.redetect` clears it.
   */
  formatChanged?: string | null;
}

export interface LogEntryView {
  at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** How the window shows a metric (from a plugin's describe(), a manifest, or the recorder). */
export interface MetricInfo {
  unit?: string;
  label?: string;
  min?: number;
  max?: number;
}

/** What a plugin folder holds, as the technician sees it before allowing it to run. */
export interface PluginManifestView {
  folder: string;
  id: string;
  name: string;
  version: string;
  kind: 'script' | 'process';
  description: string | null;
  /** What will run, in plain words: `python3 sensor.py (in …/python-jsonl)` or `index.ts in a worker thread`. */
  runs: string;
  /** Shipped with the recorder. */
  builtIn: boolean;
  /** Allowed to run: shipped, or confirmed by the technician (and unchanged since). */
  trusted: boolean;
}

export interface PluginCatalogEntry {
  folder: string;
  where: 'built-in' | 'data-folder' | 'added';
  /** null when the folder holds no usable plugin.json (`problem` says why). */
  manifest: PluginManifestView | null;
  problem: string | null;
}

export type PluginState = 'starting' | 'running' | 'restarting' | 'stopped' | 'failed' | 'invalid' | 'untrusted';

/** One command a plugin instance answers, as it declared it. */
export interface PluginCommandView {
  /** The full name (with the instance's prefix), as the platform sends it. */
  name: string;
  description?: string;
  /** Its parameters: name, type ("string", "int", "float", "bool", …) and what it means. */
  params: Array<{ name: string; type: string; description?: string }>;
  /** Calls from the platform wait for the technician's approval. */
  requiresApproval?: boolean;
}

export interface PluginView {
  id: string;
  /** The instance's name: the prefix of its metric, event and command names. */
  name: string;
  enabled: boolean;
  folder: string;
  manifest: PluginManifestView | null;
  state: PluginState;
  /** One line for a person: "running", "threw: … — restarting in 0.5 s", "stopped after 5 crashes: …". */
  message: string;
  /** The plugin's own status line (ctx.status). */
  statusText: string | null;
  lastError: string | null;
  pointsPerSec: number;
  points: number;
  /** Points refused by the gateway's rules (each rule's first few are in the log). */
  rejected: number;
  restarts: number;
  configSchema: ConfigSchema | null;
  config: ConfigValues;
  /** Per field, why the config is refused (null when it is fine). */
  configProblems: Record<string, string> | null;
  /** Remote commands it answers (full names, as the platform sends them). */
  commands: string[];
  /** The same commands with what they do and take, for the window's command line. */
  commandSpecs: PluginCommandView[];
  /** The OS process of a process plugin. */
  pid: number | null;
  log: LogEntryView[];
}

export interface NetworkSourceView {
  id: string;
  config: NetworkConfig;
  enabled: boolean;
  state: 'stopped' | 'starting' | 'listening' | 'error';
  message: string;
  connections: number;
  lines: number;
  points: number;
  pointsPerSec: number;
  problems: Record<string, number>;
  parser: string | null;
  log: LogEntryView[];
}

export interface CameraSourceView {
  id: string;
  config: CameraConfig;
  enabled: boolean;
  state: 'starting' | 'streaming' | 'restarting' | 'stopped' | 'error';
  message: string;
  fps: number;
  framesSent: number;
  framesDropped: number;
}

export interface WebcamView {
  cameraId: string;
  streaming: boolean;
  label: string | null;
  /** Frames per second that reached the client. */
  fps: number;
  framesSent: number;
  framesDropped: number;
  /** Why it is not streaming, for a person ("stopped: the window was reloaded/closed"); null while streaming. */
  message?: string | null;
  /** The platform asked to stop it (stop_camera): the window that streams it stops. */
  stopRequested?: boolean;
}

export interface RunView {
  id: string;
  name: string;
  startedAt: number;
  endedAt: number | null;
  points: number;
  /**
   * The recorder was killed or quit while it recorded: `endedAt` is then the time of the run's
   * last recorded point (where it really ended), not a stop the technician pressed.
   */
  interrupted?: boolean;
  /** Operator, description, fields and the sources it recorded (absent for the live run's tick). */
  meta?: RunMetaView;
  /** Its size in the run library and whether the platform has all of it. */
  storage?: RunStorageView;
}

/** The run library: where past runs are kept until deleted, and the room they take. */
export interface RunLibraryView {
  /** Bytes all kept runs take. */
  totalBytes: number;
  /** The disk the data folder is on: its free and total bytes. */
  diskFreeBytes: number;
  diskBytes: number;
  /** Runs are kept while the disk has more than this share free (percent). */
  keepFreePercent: number;
  /** Said while the disk nears the quota, before any run would be deleted; null when all is well. */
  warning: string | null;
  /** Runs the quota deleted (oldest delivered first), for the technician to see. */
  deleted: { name: string; at: number }[];
}

/** A marker the technician dropped (kept on the host: the current run's, the last run's, and recent ones outside runs). */
export interface MarkerView {
  seq: number;
  /** SDK time, epoch ms. */
  t: number;
  note: string | null;
  /** The run it belongs to; null: dropped while no run was recording. */
  runId: string | null;
}

export interface CommandView {
  id: string;
  command: string;
  params: Record<string, unknown>;
  receivedAt: number;
  /** waiting = no handler claimed it; the technician can answer until `deadline`. */
  state: 'received' | 'acked' | 'waiting' | 'result' | 'error';
  handledBy: 'built-in' | 'plugin' | 'technician' | 'none';
  deadline: number | null;
  result?: unknown;
  error?: string;
  /**
   * How it ended, in words the inbox uses: done (a handler answered), approved / rejected (by
   * the technician), timed out (nobody answered within `answerWithinS`), failed (a handler's
   * error), or lost (the recorder stopped before it ended).
   */
  outcome?: 'done' | 'approved' | 'rejected' | 'timed-out' | 'failed' | 'lost';
  /** How long the technician had to answer, in seconds. */
  answerWithinS?: number;
  /** The plugin instance whose command it is (handledBy "plugin"). */
  plugin?: string;
  /**
   * true: the plugin asked for the technician's approval; while `waiting`, approving runs the
   * plugin's handler (its result or error is the answer) and rejecting refuses it.
   */
  needsApproval?: boolean;
}

/** Something wrong right now, with the one thing that helps. */
export interface ProblemView {
  id: string;
  severity: 'warning' | 'error';
  message: string;
  remedy: string | null;
  since: number;
}

export interface SettingsView {
  deviceName: string;
  gateway: GatewaySetting;
  apiKeySet: boolean;
  /** How the key is kept: sealed by the OS keychain, or readable on disk. */
  keyStorage: 'os-keychain' | 'unprotected';
  /** Shown when the key is not protected (e.g. safeStorage fell back to basic_text). */
  keyWarning: string | null;
  dataDir: string;
  /** Where the log files are. */
  logDir: string;
  /** The FFmpeg cameras use: as set (null: from PATH), the binary found, its version, or why none works. */
  ffmpeg: { path: string | null; found: string | null; version: string | null; problem: string | null };
}

export interface AppState {
  settings: SettingsView;
  status: StatusView;
  demo: { enabled: boolean };
  serial: SerialSourceView[];
  cameras: CameraSourceView[];
  webcams: WebcamView[];
  plugins: PluginView[];
  network: NetworkSourceView[];
  /** Units and labels per full metric name. */
  metricInfo: Record<string, MetricInfo>;
  run: RunView | null;
  runs: RunView[];
  /** Absent until the run library has looked at the disk once. */
  runLibrary?: RunLibraryView;
  inbox: CommandView[];
  problems: ProblemView[];
  /** Markers kept on the host: the current run's, the last run's, and recent ones outside runs. */
  markers: MarkerView[];
  /** Recent events (not markers), oldest first, so a reloaded window shows them again. */
  events: PreviewEvent[];
}

/**
 * One metric's update in a tick: [name, last value, min, max, count] over the tick's window.
 * min/max are null for non-numeric values.
 */
export type MetricUpdate = [string, number | string | boolean | null, number | null, number | null, number];

export interface PreviewEvent {
  metric: string;
  value: unknown;
  /** SDK time, epoch ms. */
  t: number;
  runId: string | null;
}

/**
 * One metric's last minute as the host kept it, for a window that opens, reloads or reconnects:
 * one bucket per `LiveHistory.bucketMs` of SDK time that carried a number or a boolean, as
 * columns of equal length, oldest first. A text-valued metric has no buckets, only its latest value.
 */
export interface MetricHistory {
  name: string;
  /** The latest value as the last tick carried it (text and booleans included). */
  value: MetricUpdate[1];
  /** SDK time of the tick that carried it, epoch ms. */
  lastT: number;
  /** SDK time of each bucket's last tick, epoch ms (whole). */
  t: number[];
  min: number[];
  max: number[];
  /** The value at the bucket's last tick. */
  last: number[];
  /** Points the bucket covers. */
  count: number[];
}

/** What `live.history` answers: every metric the host remembers, as of SDK time `t`. */
export interface LiveHistory {
  t: number;
  /**
   * How wide its buckets are, ms: HISTORY_BUCKET_MS (live-window.ts), or a multiple of it when so
   * many metrics are kept that the answer would be too large at full resolution.
   */
  bucketMs: number;
  metrics: MetricHistory[];
}

/** The coalesced update the window gets at most 20 times a second. */
export interface Tick {
  /** SDK time of the tick, epoch ms. */
  t: number;
  status: StatusView;
  run: RunView | null;
  /** Metrics that changed since the last tick. */
  metrics: MetricUpdate[];
  /** Events and markers since the last tick (at most 100; `eventsDropped` says how many more). */
  events: PreviewEvent[];
  eventsDropped: number;
  /** The current problems, when they changed. */
  problems?: ProblemView[];
  /** Source counters, when they changed (at most twice a second). */
  sources?: {
    serial: SerialSourceView[];
    cameras: CameraSourceView[];
    webcams: WebcamView[];
    plugins: PluginView[];
    network: NetworkSourceView[];
  };
}
