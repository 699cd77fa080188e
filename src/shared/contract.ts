// The one contract between the window and the host: every request, reply and event, as a
// TypeScript type and (for what the window sends) a zod schema that main validates before use.
// Imported by main, preload and renderer; imports nothing from them. The same contract runs over
// Electron IPC and, in headless mode, over a token-protected local WebSocket.

import { z } from 'zod';
import { CameraConfigSchema } from './camera-config';
import { CommandParamsSchema } from './command-params';
import { ConfigValuesSchema } from './config-values';
import { EXPORT_FORMATS, type ExportFormat as ExportFormatName } from './export-format';
import { GatewaySchema } from './gateway';
import { DEVICE_NAME_RULE, SOURCE_NAME_RE, SOURCE_NAME_RULE, deviceNameProblem } from './names';
import { NetworkConfigSchema } from './network-config';
import { plainIssue, refusalText } from './request-words';
import { RunMetaSchema, RunSeriesRequestSchema, type RunDetail, type RunSeriesView } from './run-review';
import { SerialConfigSchema } from './serial-config';
import type {
  AppState,
  CommandView,
  LiveHistory,
  PluginCatalogEntry,
  PortView,
  RunView,
  SettingsView,
  Tick,
} from './views';

// The value rules live in their own files (both sides import them there) and the views in
// views.ts; re-exported here so the window's code finds the whole contract in one place.
export { CameraConfigSchema, type CameraConfig } from './camera-config';
export { ConfigValuesSchema } from './config-values';
export { EXPORT_FORMATS, EXPORT_FORMAT_WORDS, type ExportFormat } from './export-format';
export { GatewaySchema, type GatewaySetting } from './gateway';
export { ParserSchema } from './line-format';
export { HISTORY_BUCKET_MS, LIVE_WINDOW_MS, historyBucket } from './live-window';
export { DEVICE_NAME_RE, DEVICE_NAME_RULE, SOURCE_NAME_RE, SOURCE_NAME_RULE, deviceNameProblem } from './names';
export { NetworkConfigSchema, type NetworkConfig } from './network-config';
export { SerialConfigSchema, type SerialConfig } from './serial-config';
export * from './run-review';
export { REQUEST_WORDS, failureText, fieldLabel, refusalText, shownText } from './request-words';
export type { ConnectionStatus } from './status';
export type * from './views';

// ── shared value schemas ─────────────────────────────────────────────────────────────────────

// The field's label ("Device name") comes from request-words.ts: the message is only the problem.
const deviceName = z.string().refine((s) => deviceNameProblem(s) === null, {
  error: (iss) => deviceNameProblem(String(iss.input)) ?? DEVICE_NAME_RULE,
});
const id = z.string().min(1, 'id is required').max(100, 'id is at most 100 characters');
const sourceName = z.string().regex(SOURCE_NAME_RE, SOURCE_NAME_RULE);

const folder = z.string().trim().min(1, 'give the plugin folder').max(4096);
const apiKey = z
  .string()
  .trim()
  .min(8, 'an API key has at least 8 characters')
  .max(512, 'an API key has at most 512 characters');

const empty = z.object({}).strict();
const runName = z.string().trim().min(1, 'give the run a name').max(200);

// ── requests: what the window may ask ────────────────────────────────────────────────────────

export const requestSchemas = {
  /** Everything the window shows, at once. */
  'state.get': empty,
  /** Each metric's last minute, so a window that (re)opens draws its sparklines and charts at once. */
  'live.history': empty,
  /**
   * The Settings dialog's Save: what changed, applied all or nothing (every field is checked, and
   * the key's gateway rule against the new gateway, before anything is changed or sent).
   */
  'settings.save': z
    .object({ deviceName: deviceName.optional(), gateway: GatewaySchema.optional(), apiKey: apiKey.optional() })
    .strict(),
  'settings.setDeviceName': z.object({ name: deviceName }).strict(),
  /** null removes the key (the app goes local only). */
  'settings.setApiKey': z.object({ apiKey: apiKey.nullable() }).strict(),
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
  /** Forget the detected line format and detect it again from the next lines. */
  'serial.redetect': z.object({ id }).strict(),
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
  /**
   * Start a run. `sources`: the source keys (`serial:<id>`, `plugin:<id>`, …) it records; absent:
   * all of them. The metadata's fields become tags on every point of the run.
   */
  'run.start': RunMetaSchema.extend({
    name: runName,
    sources: z.array(id).max(200).optional(),
  }).strict(),
  'run.stop': empty,
  /** Change a run's name or metadata, during it or after. */
  'run.update': RunMetaSchema.extend({ runId: id, name: runName.optional() }).strict(),
  /** Delete a past run from the run library (never the one recording). */
  'run.delete': z.object({ runId: id }).strict(),
  /** Open a past run for review: its metrics, markers and events. */
  'run.open': z.object({ runId: id }).strict(),
  /** Series of a past run at one zoom level (decimated by the host). */
  'run.series': RunSeriesRequestSchema,
  /** A past run as a file; `csv` (one row per point) when the window does not say. */
  'run.export': z
    .object({
      runId: id,
      format: z.enum(EXPORT_FORMATS, { error: 'choose CSV, wide CSV, MCAP or XDF' }).default('csv'),
    })
    .strict(),
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
      /** Why it stopped when the window did not choose to (the page was reloaded or closed). */
      reason: z.enum(['window-closed']).optional(),
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
  /**
   * Run one of an instance's commands, as the technician sends it from the window: the plugin's
   * own handler answers (no gateway, no approval), within the command's deadline.
   */
  'plugin.command': z
    .object({
      id,
      command: z.string().trim().min(1, 'choose the command').max(256),
      params: CommandParamsSchema,
    })
    .strict(),
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

// ── what the host tells the window (the views themselves are in views.ts) ─────────────────────

export interface EventMap {
  /** The whole state, after a discrete change (a source added, a run ended, a setting saved). */
  state: AppState;
  tick: Tick;
  command: CommandView;
  /** How far a long export has come (about twice a second while it writes). */
  'export.progress': ExportProgress;
}
export type EventName = keyof EventMap;
/** Every event, for transports that forward them all (a name missing here does not compile). */
export const EVENT_NAMES = ['state', 'tick', 'command', 'export.progress'] as const satisfies readonly EventName[];
type MissingEvents = Exclude<EventName, (typeof EVENT_NAMES)[number]>;
const allEventsListed: MissingEvents extends never ? true : MissingEvents = true;
void allEventsListed;

export interface ExportProgress {
  runId: string;
  format: ExportFormatName;
  /** Points written so far, and the run's points (the total to reach). */
  points: number;
  total: number;
  done: boolean;
}

export type ExportResult =
  | { kind: 'saved'; path: string; points: number }
  | { kind: 'download'; url: string; filename: string }
  | { kind: 'cancelled' };

/** What each request answers. */
export interface ReplyMap {
  'state.get': AppState;
  'live.history': LiveHistory;
  'settings.save': SettingsView;
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
  'serial.redetect': { id: string };
  'camera.add': { id: string };
  'camera.update': { id: string };
  'camera.remove': { id: string };
  'camera.start': { id: string };
  'camera.stop': { id: string };
  'demo.set': { enabled: boolean };
  'run.start': RunView;
  'run.stop': RunView | null;
  'run.update': RunView;
  'run.delete': { runId: string; bytes: number };
  'run.open': RunDetail;
  'run.series': RunSeriesView[];
  'run.export': ExportResult;
  /** `warning`: the marker is kept but waits in memory (the disk refuses writes). */
  'marker.add': {
    seq: number;
    t: number;
    warning?: string;
    /** The run it belongs to; null: no run was recording, so it is kept outside any run. */
    runId?: string | null;
    /** Where it went, for a person: "marker recorded outside a run" when no run records. */
    message?: string;
  };
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
  /** What the handler returned (`{ ok: true }` when it returned nothing). */
  'plugin.command': { result: unknown };
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

/**
 * Validate a request; returns the parsed payload or a message naming what is wrong, in the words
 * the window shows (request-words.ts): what the technician was doing and each field's problem.
 */
export function parseRequest(
  name: unknown,
  payload: unknown,
): { ok: true; name: RequestName; payload: unknown } | { ok: false; message: string; code: ContractErrorCode } {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(requestSchemas, name)) {
    return { ok: false, code: 'unknown-request', message: `unknown request ${JSON.stringify(name)}` };
  }
  const schema = requestSchemas[name as RequestName];
  const r = schema.safeParse(payload ?? {}, { error: plainIssue });
  if (!r.success) return { ok: false, code: 'bad-request', message: refusalText(name as RequestName, r.error.issues) };
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
