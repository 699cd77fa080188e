// The one contract between the window and the host: every request, reply and event, as a
// TypeScript type and (for what the window sends) a zod schema that main validates before use.
// Imported by main, preload and renderer; imports nothing from them. The same contract runs over
// Electron IPC and, in headless mode, over a token-protected local WebSocket.

import { z } from 'zod';
import type { ConfigSchema, ConfigValues } from './plugin-config';

// ── shared value schemas ─────────────────────────────────────────────────────────────────────

/** The device name rule (Plexus device setup): also the Plexus source id. */
export const DEVICE_NAME_RE = /^[a-z0-9][a-z0-9_-]{1,62}$/;
export const DEVICE_NAME_RULE =
  '2–63 characters: lowercase letters, digits, "-" or "_", starting with a letter or digit';

/** Why a device name is not valid, or null when it is (for live validation in the window). */
export function deviceNameProblem(name: string): string | null {
  if (name.length === 0) return 'enter a name';
  if (name.length < 2) return 'at least 2 characters';
  if (name.length > 63) return `at most 63 characters (this one has ${name.length})`;
  if (/[A-Z]/.test(name)) return 'lowercase letters only';
  if (!/^[a-z0-9]/.test(name)) return 'must start with a letter or digit';
  const bad = name.match(/[^a-z0-9_-]/);
  if (bad) return `"${bad[0]}" is not allowed: use letters, digits, "-" or "_"`;
  return DEVICE_NAME_RE.test(name) ? null : DEVICE_NAME_RULE;
}

const deviceName = z.string().refine((s) => deviceNameProblem(s) === null, {
  error: (iss) =>
    `device name ${JSON.stringify(iss.input)}: ${deviceNameProblem(String(iss.input)) ?? DEVICE_NAME_RULE}`,
});
const id = z.string().min(1, 'id is required').max(100, 'id is at most 100 characters');
const httpUrl = z
  .string()
  .refine((s) => /^https?:\/\/[^\s/]+/.test(s), { error: 'must be an http:// or https:// URL' })
  .pipe(z.url());
const wsUrl = z
  .string()
  .refine((s) => /^wss?:\/\/[^\s/]+/.test(s), { error: 'must be a ws:// or wss:// URL' })
  .pipe(z.url());

export const GatewaySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('cloud') }).strict(),
  z.object({ mode: z.literal('custom'), url: httpUrl, wsUrl: wsUrl.optional() }).strict(),
  z.object({ mode: z.literal('local') }).strict(),
]);
export type GatewaySetting = z.infer<typeof GatewaySchema>;

export const ParserSchema = z.enum(['auto', 'plotter', 'csv', 'jsonl', 'kv']);

export const SerialConfigSchema = z
  .object({
    name: z.string().trim().min(1, 'name is required').max(64),
    prefix: z.string().max(64).regex(/^\S*$/, 'prefix cannot contain spaces').optional(),
    path: z.string().min(1).max(512).optional(),
    serialNumber: z.string().min(1).max(128).optional(),
    vendorId: z
      .string()
      .regex(/^[0-9a-fA-F]{4}$/, 'vendor id is 4 hex digits')
      .optional(),
    productId: z
      .string()
      .regex(/^[0-9a-fA-F]{4}$/, 'product id is 4 hex digits')
      .optional(),
    baudRate: z.number().int('baud rate must be a whole number').min(50).max(4_000_000),
    dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).optional(),
    parity: z.enum(['none', 'even', 'odd', 'mark', 'space']).optional(),
    stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]).optional(),
    parser: ParserSchema,
  })
  .strict()
  .refine((c) => c.path || c.serialNumber || (c.vendorId && c.productId), {
    error: 'say which port: a path, a USB serial number, or vendor and product id',
  });
export type SerialConfig = z.infer<typeof SerialConfigSchema>;

export const CameraConfigSchema = z
  .object({
    cameraId: z.string().min(1, 'camera id is required').max(200),
    url: z.string().min(1, 'camera URL or device is required').max(2048),
    fps: z.number().min(0.1).max(60).optional(),
    quality: z.number().int().min(1).max(100).optional(),
    width: z.number().int().min(16).max(7680).optional(),
    height: z.number().int().min(16).max(4320).optional(),
  })
  .strict();
export type CameraConfig = z.infer<typeof CameraConfigSchema>;

/** A plugin instance's or a network source's name: also the prefix of its metric names. */
export const SOURCE_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const SOURCE_NAME_RULE =
  '1–63 characters: lowercase letters, digits, "-" or "_", starting with a letter or digit (it prefixes the metric names)';
const sourceName = z.string().regex(SOURCE_NAME_RE, SOURCE_NAME_RULE);

const configValue = z.custom<number | string | boolean>(
  (v) =>
    (typeof v === 'number' && Number.isFinite(v)) ||
    (typeof v === 'string' && v.length <= 4096) ||
    typeof v === 'boolean',
  {
    error: (iss) =>
      typeof iss.input === 'number'
        ? 'must be a finite number'
        : typeof iss.input === 'string'
          ? 'text is at most 4096 characters'
          : 'a setting is a number, text or true/false',
  },
);
export const ConfigValuesSchema = z.record(z.string().max(64), configValue);

export const NetworkConfigSchema = z
  .object({
    name: sourceName,
    protocol: z.enum(['tcp', 'udp']),
    port: z
      .number()
      .int('port must be a whole number')
      .min(1024, 'port must be 1024–65535 (lower ones need administrator rights)')
      .max(65535, 'port must be 1024–65535'),
    parser: ParserSchema,
  })
  .strict();
export type NetworkConfig = z.infer<typeof NetworkConfigSchema>;

const folder = z.string().trim().min(1, 'give the plugin folder').max(4096);

const empty = z.object({}).strict();

// ── requests: what the window may ask ────────────────────────────────────────────────────────

export const requestSchemas = {
  /** Everything the window shows, at once. */
  'state.get': empty,
  'settings.setDeviceName': z.object({ name: deviceName }).strict(),
  /** null removes the key (the app goes local only). */
  'settings.setApiKey': z
    .object({ apiKey: z.string().trim().min(8, 'an API key has at least 8 characters').max(512).nullable() })
    .strict(),
  'settings.setGateway': z.object({ gateway: GatewaySchema }).strict(),
  /** The FFmpeg binary cameras use; null: the first `ffmpeg` on PATH. Checked before it is kept. */
  'settings.setFfmpegPath': z
    .object({ path: z.string().trim().min(1, 'give the path of the ffmpeg program').max(4096).nullable() })
    .strict(),
  'serial.listPorts': empty,
  'serial.add': z.object({ config: SerialConfigSchema }).strict(),
  'serial.update': z.object({ id, config: SerialConfigSchema }).strict(),
  'serial.remove': z.object({ id }).strict(),
  'serial.connect': z.object({ id }).strict(),
  'serial.disconnect': z.object({ id }).strict(),
  'serial.write': z
    .object({
      id,
      line: z
        .string()
        .max(4096)
        .regex(/^[^\r\n]*$/, 'one line, without line breaks'),
    })
    .strict(),
  'camera.add': z.object({ config: CameraConfigSchema }).strict(),
  'camera.update': z.object({ id, config: CameraConfigSchema }).strict(),
  'camera.remove': z.object({ id }).strict(),
  'camera.start': z.object({ id }).strict(),
  'camera.stop': z.object({ id }).strict(),
  'demo.set': z.object({ enabled: z.boolean() }).strict(),
  'run.start': z.object({ name: z.string().trim().min(1, 'give the run a name').max(200) }).strict(),
  'run.stop': empty,
  'run.export': z.object({ runId: id }).strict(),
  'marker.add': z.object({ note: z.string().trim().max(200).optional() }).strict(),
  /** One webcam frame captured in the window (JPEG bytes). */
  'webcam.frame': z
    .object({
      cameraId: z.string().min(1).max(200),
      jpeg: z
        .instanceof(Uint8Array, { error: 'jpeg must be bytes' })
        .refine((b) => b.length > 0 && b.length <= 1_000_000, { error: 'jpeg must be 1 byte to 1 MB' }),
      /** Capture time on the recorder's clock (SDK time, epoch ms — as ticks give it). */
      capturedAt: z.number().finite().optional(),
    })
    .strict(),
  /** The window started or stopped streaming its webcam (shown as a source). */
  'webcam.state': z
    .object({
      cameraId: z.string().min(1).max(200),
      streaming: z.boolean(),
      label: z.string().max(200).optional(),
      fps: z.number().min(0).max(60).optional(),
    })
    .strict(),
  /** Plugins the recorder can offer: shipped ones, those in <data dir>/plugins, and folders added before. */
  'plugin.catalog': empty,
  /** Read a plugin folder's manifest, to show the technician what it would run. Runs nothing. */
  'plugin.inspect': z.object({ folder }).strict(),
  /** The technician confirmed: allow the folder's plugin and start an instance of it. */
  'plugin.add': z.object({ folder, name: sourceName.optional(), config: ConfigValuesSchema.optional() }).strict(),
  /** Allow an instance's plugin again after its plugin.json changed (the technician reviewed it). */
  'plugin.allow': z.object({ id }).strict(),
  /** New settings for an instance (validated against its schema); it restarts with them. */
  'plugin.configure': z.object({ id, name: sourceName.optional(), config: ConfigValuesSchema }).strict(),
  'plugin.setEnabled': z.object({ id, enabled: z.boolean() }).strict(),
  'plugin.restart': z.object({ id }).strict(),
  'plugin.remove': z.object({ id }).strict(),
  /** A loopback line source (TCP or UDP on 127.0.0.1). */
  'network.add': z.object({ config: NetworkConfigSchema }).strict(),
  'network.update': z.object({ id, config: NetworkConfigSchema }).strict(),
  'network.setEnabled': z.object({ id, enabled: z.boolean() }).strict(),
  'network.remove': z.object({ id }).strict(),
  /** Show the log folder (desktop: in the file manager; headless: its path is the answer). */
  'app.openLogFolder': empty,
  /** The technician's answer to a command no handler claimed. */
  'command.answer': z
    .object({
      id: z.string().min(1).max(100),
      approve: z.boolean(),
      reason: z.string().trim().max(500).optional(),
    })
    .strict(),
} as const;

export type RequestName = keyof typeof requestSchemas;
/** What the window sends for a request (before defaults and trimming). */
export type RequestPayload<N extends RequestName> = z.input<(typeof requestSchemas)[N]>;
/** What the host's handler gets for a request: the payload as the schema parsed it. */
export type RequestData<N extends RequestName> = z.output<(typeof requestSchemas)[N]>;

// ── what the host tells the window ───────────────────────────────────────────────────────────

export type ConnectionStatus =
  'local-only' | 'connecting' | 'connected' | 'http-fallback' | 'offline' | 'auth-failed' | 'name-conflict' | 'closed';

export interface StatusView {
  status: ConnectionStatus;
  /** One line for a person, with what to do. */
  message: string;
  transport: 'ws' | 'http' | null;
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
}

export interface RunView {
  id: string;
  name: string;
  startedAt: number;
  endedAt: number | null;
  points: number;
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
  inbox: CommandView[];
  problems: ProblemView[];
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

export interface EventMap {
  /** The whole state, after a discrete change (a source added, a run ended, a setting saved). */
  state: AppState;
  tick: Tick;
  command: CommandView;
}
export type EventName = keyof EventMap;

export type ExportResult =
  | { kind: 'saved'; path: string; points: number }
  | { kind: 'download'; url: string; filename: string }
  | { kind: 'cancelled' };

export interface PortView {
  path: string;
  vendorId: string | null;
  productId: string | null;
  manufacturer: string | null;
  serialNumber: string | null;
  label: string;
}

/** What each request answers. */
export interface ReplyMap {
  'state.get': AppState;
  'settings.setDeviceName': SettingsView;
  'settings.setApiKey': SettingsView;
  'settings.setGateway': SettingsView;
  'settings.setFfmpegPath': SettingsView;
  'serial.listPorts': PortView[];
  'serial.add': { id: string };
  'serial.update': { id: string };
  'serial.remove': { id: string };
  'serial.connect': { id: string };
  'serial.disconnect': { id: string };
  'serial.write': { id: string };
  'camera.add': { id: string };
  'camera.update': { id: string };
  'camera.remove': { id: string };
  'camera.start': { id: string };
  'camera.stop': { id: string };
  'demo.set': { enabled: boolean };
  'run.start': RunView;
  'run.stop': RunView | null;
  'run.export': ExportResult;
  /** `warning`: the marker is kept but waits in memory (the disk refuses writes). */
  'marker.add': { seq: number; t: number; warning?: string };
  'webcam.frame': { sent: boolean; reason?: string };
  'webcam.state': { cameraId: string };
  'plugin.catalog': PluginCatalogEntry[];
  'plugin.inspect': PluginCatalogEntry;
  'plugin.add': { id: string };
  'plugin.allow': { id: string };
  'plugin.configure': { id: string };
  'plugin.setEnabled': { id: string };
  'plugin.restart': { id: string };
  'plugin.remove': { id: string };
  'network.add': { id: string };
  'network.update': { id: string };
  'network.setEnabled': { id: string };
  'network.remove': { id: string };
  'app.openLogFolder': { opened: boolean; path: string };
  'command.answer': CommandView;
}

/**
 * One handler per request, typed from the contract: a handler missing, taking the wrong payload or
 * answering the wrong reply is a compile error.
 */
export type RequestHandlers = { [N in RequestName]: (payload: RequestData<N>) => Promise<ReplyMap[N]> | ReplyMap[N] };

/** The reply envelope on the wire: errors travel as data, never as crashes. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: { message: string; code: ContractErrorCode } };
export type ContractErrorCode = 'bad-request' | 'unknown-request' | 'not-found' | 'failed';

/** The one global the preload exposes (and the headless bridge imitates). */
export interface BenchApi {
  invoke<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<ReplyMap[N]>;
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
}

/** Validate a request; returns the parsed payload or a message naming what is wrong. */
export function parseRequest(
  name: unknown,
  payload: unknown,
): { ok: true; name: RequestName; payload: unknown } | { ok: false; message: string; code: ContractErrorCode } {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(requestSchemas, name)) {
    return { ok: false, code: 'unknown-request', message: `unknown request ${JSON.stringify(name)}` };
  }
  const schema = requestSchemas[name as RequestName];
  const r = schema.safeParse(payload ?? {});
  if (!r.success) {
    const issues = r.error.issues
      .slice(0, 5)
      .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
      .join('; ');
    return { ok: false, code: 'bad-request', message: `bad payload for ${name}: ${issues}` };
  }
  return { ok: true, name: name as RequestName, payload: r.data };
}

/** Binary-safe JSON for the headless bridge: Uint8Array travels as {$bytes: base64}. */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Uint8Array) {
      let s = '';
      for (let i = 0; i < v.length; i += 0x8000) s += String.fromCharCode(...v.subarray(i, i + 0x8000));
      return { $bytes: btoa(s) };
    }
    return v;
  });
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { $bytes?: unknown }).$bytes === 'string') {
      const keys = Object.keys(v);
      if (keys.length === 1) {
        const bin = atob((v as { $bytes: string }).$bytes);
        const out = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
        return out;
      }
    }
    return v;
  });
}
