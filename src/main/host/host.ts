// The host: composes the Plexus client, the rig's sources, the plugin host (with the demo sensor,
// a shipped plugin), the run recorder and the command inbox, and implements the window's contract. Plain Node — no Electron below this
// line — so it runs in the desktop app, in headless mode, and in tests alike.
//
// Every request is validated against the contract's schema first; a bad one gets an error that
// names the problem, and no request can crash the host (errors travel back as data).

import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_GATEWAY_URL, Plexus, type StatusInfo } from '../plexus';
import { EventHub, reportListenerErrorsTo } from '../../shared/util';
import { CameraRegistry, ffmpegVersion, resolveFfmpeg } from '../devices/camera';
import {
  parseRequest,
  type AppState,
  type Envelope,
  type EventMap,
  type EventName,
  type ExportResult,
  type GatewaySetting,
  type ReplyMap,
  type RequestData,
  type RequestHandlers,
  type RequestName,
  type RunView,
  type SettingsView,
  type StatusView,
  type Tick,
} from '../../shared/contract';
import { csvFilename, runCsv } from './csv-export';
import { Plugins, PluginNotFoundError, builtInPluginsDir, type PluginTiming, type SavedPlugins } from '../plugins';
import { CommandInbox } from './inbox';
import { PreviewAggregator } from './preview';
import { RecordingSink } from './recording-sink';
import { UnprotectedSecretStore, openAnyUnprotected, type SecretStore } from './secrets';
import { SettingsFile, type Settings } from './settings';
import { NotFoundError, Sources } from './sources';
import { registerBuiltInCommands } from './built-in-commands';
import { sourceRequests } from './source-requests';
import { openAppLog, type AppLog } from './app-log';
import { ProblemBoard } from './problems';
import { pluginRequests } from './plugin-requests';
import { writeLines } from './write-lines';

export interface RunExport {
  run: RunView;
  filename: string;
  /** The CSV, line by line. */
  lines: () => Iterable<string>;
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
  /** Passed to the client (tests shorten backoffs). */
  clientOptions?: Partial<ConstructorParameters<typeof Plexus>[0]>;
}

type Listener<E extends EventName> = (payload: EventMap[E]) => void;

class ContractError extends Error {
  constructor(
    message: string,
    readonly code: 'bad-request' | 'not-found' | 'failed',
  ) {
    super(message);
  }
}

/** Keep delivered points for runs and export: generous, bounded by disk. */
const RETAIN_POINTS = 50_000_000;
const RETAIN_BYTES = 4 * 1024 ** 3;

export class Host {
  readonly client: Plexus;
  private settings: Settings;
  private readonly file: SettingsFile;
  private readonly secrets: SecretStore;
  private readonly preview = new PreviewAggregator();
  private readonly sink: RecordingSink;
  private readonly sources: Sources;
  /** This host's FFmpeg cameras: shutdown() stops these and no other host's. */
  private readonly cameras = new CameraRegistry();
  private readonly inbox: CommandInbox;
  private readonly plugins: Plugins;
  readonly log: AppLog;
  private readonly problems: ProblemBoard;
  private problemsDirty = true;
  /** What the window shows of FFmpeg (checked at start and when the technician sets a path). */
  private ffmpeg: SettingsView['ffmpeg'] = { path: null, found: null, version: null, problem: null };
  /** A window transport's listener that throws is a bug to see in the log, not to hide. */
  private readonly events = new EventHub<EventMap>((error, event) => this.listenerFailed(error, event));
  private tickTimer: ReturnType<typeof setInterval> | null = null;
  private stateTimer: ReturnType<typeof setTimeout> | null = null;
  private lastTickAt = 0;
  private lastStatusKey = '';
  private sourcesDirty = true;
  private lastSourcesAt = 0;
  private shuttingDown: Promise<void> | null = null;
  private keyProblem: string | null = null;
  private readonly handlers: RequestHandlers;

  private constructor(private readonly opts: HostOptions) {
    this.file = new SettingsFile(opts.dataDir);
    this.log = openAppLog(opts.dataDir);
    // Listeners inside the client, devices and plugins report to the same log file.
    reportListenerErrorsTo((error, event) => this.listenerFailed(error, event));
    this.log.info(`Plexus Bench starting (data in ${opts.dataDir})`);
    this.settings = this.file.load();
    if (this.file.problem) this.log.warn(this.file.problem);
    this.secrets = opts.secrets ?? new UnprotectedSecretStore();
    const apiKey = this.effectiveKey();
    this.client = new Plexus({
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(this.settings.deviceName ? { sourceId: this.settings.deviceName } : {}),
      ...gatewayOptions(this.settings.gateway),
      dataDir: join(opts.dataDir, 'plexus'),
      platform: 'plexus-bench',
      buffer: { retainPoints: RETAIN_POINTS, retainBytes: RETAIN_BYTES },
      logger: this.log.scope('client'),
      ...opts.clientOptions,
    });
    this.problems = new ProblemBoard(this.client, opts.dataDir, this.log.scope('problems'), () => {
      this.problemsDirty = true;
    });
    const recovered = this.client.recovery();
    if (recovered)
      this.problems.set(
        'recovered',
        'warning',
        recovered.message,
        'Nothing to do: the damaged file is kept for support.',
      );
    if (!this.settings.deviceName) this.settings.deviceName = this.client.sourceId;
    this.sink = new RecordingSink(this.client, this.preview);
    this.sources = new Sources(
      this.sink,
      () => this.sourcesChanged(),
      this.settings.ffmpegPath ?? opts.ffmpegPath ?? null,
      (source, level, message) => this.log[level](`[${source}] ${message}`),
      this.cameras,
    );
    this.inbox = new CommandInbox(this.client, (v) => this.emit('command', v), opts.answerTimeoutMs);
    this.plugins = new Plugins({
      dataDir: opts.dataDir,
      builtInDir: opts.builtInPluginsDir ?? builtInPluginsDir(),
      sink: this.sink,
      registerCommand: (name, handler, o) => this.inbox.registerPlugin(name, handler, o),
      now: () => this.client.now(),
      changed: () => {
        this.sourcesDirty = true;
      },
      stateChanged: () => this.sourcesChanged(),
      ...(opts.pluginTiming ? { timing: opts.pluginTiming } : {}),
      log: (source, level, message) => this.log[level](`[${source}] ${message}`),
    });
    registerBuiltInCommands(this.inbox, this.sources, this.plugins, () => this.save());
    this.client.on('status', () => this.scheduleTick());
    this.client.on('run', () => this.stateChanged());
    // A name the gateway assigned is the client's business (it remembers it per requested name);
    // the settings keep the name the person chose.
    this.client.on('source-id', () => this.stateChanged());
    this.handlers = this.requestHandlers();
  }

  /** Create the host, restore the configured sources and plugins (the demo sensor among them). */
  static async start(opts: HostOptions): Promise<Host> {
    const h = new Host(opts);
    // Copies: restoring a source saves the settings, which rewrites these lists as it goes.
    const serial = [...h.settings.serial];
    const cameras = [...h.settings.cameras];
    for (const s of serial) {
      try {
        h.sources.addSerial(s.config, s.enabled, s.id);
      } catch (e) {
        h.keyProblem ??= `serial device "${s.config.name}" could not be restored: ${(e as Error).message}`;
      }
    }
    for (const c of cameras) {
      try {
        h.sources.addCamera(c.config, c.enabled, c.id);
      } catch (e) {
        h.keyProblem ??= `camera "${c.config.cameraId}" could not be restored: ${(e as Error).message}`;
      }
    }
    h.plugins.restore(h.settings.plugins ?? firstPlugins(h.settings.demo.enabled));
    h.ffmpeg = {
      path: h.settings.ffmpegPath ?? null,
      ...(await checkFfmpeg(h.settings.ffmpegPath ?? opts.ffmpegPath ?? null)),
    };
    if (opts.demo) {
      // Load mode for benchmarks: the demo plugin with these settings, whatever was saved.
      const demo = h.plugins.ensureBuiltIn(DEMO_DIR, 'demo');
      await h.plugins.configure(demo.id, undefined, { metrics: opts.demo.metrics ?? 0, rate: opts.demo.rate ?? 1000 });
      await h.plugins.setEnabled(demo.id, true);
    }
    h.save();
    const hz = Math.min(20, Math.max(1, opts.tickHz ?? 15));
    h.tickTimer = setInterval(() => h.tick(), Math.round(1000 / hz));
    return h;
  }

  // ── events ──────────────────────────────────────────────────────────────────────────────

  on<E extends EventName>(event: E, fn: Listener<E>): () => void {
    return this.events.on(event, fn);
  }

  private emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    this.events.emit(event, payload);
  }

  private listenerFailed(error: unknown, event: string): void {
    const what = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.log.error(`a listener of "${event}" failed: ${what}`);
  }

  private stateChanged(): void {
    if (this.stateTimer || this.shuttingDown) return;
    // Coalesce bursts (a source reconnecting emits several statuses) into one snapshot.
    this.stateTimer = setTimeout(() => {
      this.stateTimer = null;
      this.emit('state', this.state());
    }, 50);
  }

  private sourcesChanged(): void {
    this.sourcesDirty = true;
    this.save();
    this.stateChanged();
  }

  private scheduleTick(): void {
    this.lastStatusKey = ''; // force the status into the next tick
  }

  // ── state ───────────────────────────────────────────────────────────────────────────────

  isRecording(): boolean {
    return this.client.currentRun() !== null;
  }

  state(): AppState {
    return {
      settings: this.settingsView(),
      status: this.statusView(),
      demo: { enabled: this.plugins.findBuiltIn(DEMO_DIR)?.enabled ?? false },
      serial: this.sources.serialViews(),
      cameras: this.sources.cameraViews(),
      webcams: this.sources.webcamViews(),
      plugins: this.plugins.views(),
      network: this.plugins.networkViews(),
      metricInfo: this.plugins.metricInfo(),
      run: this.runView(),
      runs: this.runs(),
      inbox: this.inbox.list(),
      problems: this.problems.list(),
    };
  }

  private settingsView(): SettingsView {
    const warning = [
      this.secrets.warning && this.settings.apiKey ? this.secrets.warning : null,
      this.file.problem,
      this.keyProblem,
    ]
      .filter(Boolean)
      .join(' · ');
    return {
      deviceName: this.client.sourceId,
      gateway: this.settings.gateway,
      apiKeySet: this.settings.apiKey !== null,
      keyStorage: this.secrets.protection,
      keyWarning: warning || null,
      dataDir: this.opts.dataDir,
      logDir: this.log.dir,
      ffmpeg: this.ffmpeg,
    };
  }

  private statusView(s: StatusInfo = this.client.status()): StatusView {
    const clock = this.client.clock();
    return {
      status: s.status,
      message: s.message,
      transport: s.transport,
      detail: s.detail,
      deviceName: this.client.sourceId,
      buffered: this.client.bufferSize(),
      clockOffsetMs: Math.round(clock.offsetMs * 10) / 10,
      clockUncertaintyMs: clock.uncertaintyMs === null ? null : Math.round(clock.uncertaintyMs * 10) / 10,
      clockSource: clock.source,
      pointsPerSec: this.preview.rate(),
    };
  }

  private runView(): RunView | null {
    const r = this.client.currentRun();
    return r ? toRunView(r) : null;
  }

  private runs(): RunView[] {
    return this.client
      .runs(200)
      .filter((r) => r.endedAt !== null)
      .map(toRunView);
  }

  private tick(): void {
    const now = this.client.now();
    const data = this.preview.take(now);
    const status = this.statusView();
    const key = `${status.status}|${status.message}|${status.buffered}|${status.pointsPerSec}|${status.clockUncertaintyMs}`;
    const wall = Date.now();
    const sourcesDue = this.sourcesDirty || wall - this.lastSourcesAt >= 500;
    // Nothing new and a status seen less than half a second ago: skip the message entirely.
    if (
      data.metrics.length === 0 &&
      data.events.length === 0 &&
      !this.problemsDirty &&
      key === this.lastStatusKey &&
      wall - this.lastTickAt < 500
    )
      return;
    this.lastStatusKey = key;
    this.lastTickAt = wall;
    const t: Tick = {
      t: now,
      status,
      run: this.runView(),
      metrics: data.metrics,
      events: data.events,
      eventsDropped: data.eventsDropped,
    };
    if (this.problemsDirty) {
      t.problems = this.problems.list();
      this.problemsDirty = false;
    }
    if (sourcesDue) {
      t.sources = {
        serial: this.sources.serialViews(),
        cameras: this.sources.cameraViews(),
        webcams: this.sources.webcamViews(),
        plugins: this.plugins.views(),
        network: this.plugins.networkViews(),
      };
      this.sourcesDirty = false;
      this.lastSourcesAt = wall;
    }
    this.emit('tick', t);
  }

  // ── settings ────────────────────────────────────────────────────────────────────────────

  private effectiveKey(): string | null | undefined {
    if (this.settings.gateway.mode === 'local') return null;
    if (this.settings.apiKey === null) return undefined; // PLEXUS_API_KEY may still provide one
    const host = gatewayHost(this.settings.gateway);
    if (this.settings.apiKeyHost === undefined) this.settings.apiKeyHost = host; // a file from before the rule
    if (host !== this.settings.apiKeyHost) {
      this.keyProblem = `the saved API key was entered for ${this.settings.apiKeyHost ?? 'another gateway'}, not ${host}: enter the key for this gateway`;
      return null;
    }
    const risk = plainTextRisk(this.settings.gateway);
    if (risk) {
      this.keyProblem = risk;
      return null;
    }
    try {
      return this.secrets.open(this.settings.apiKey);
    } catch (e) {
      const plain = openAnyUnprotected(this.settings.apiKey);
      if (plain !== null) return plain;
      this.keyProblem = (e as Error).message;
      return null;
    }
  }

  private save(): void {
    this.settings.serial = this.sources ? this.sources.serialConfigs() : this.settings.serial;
    this.settings.cameras = this.sources ? this.sources.cameraConfigs() : this.settings.cameras;
    if (this.plugins) {
      this.settings.plugins = this.plugins.saved();
      // Kept in step for older versions of the app, which read only this.
      this.settings.demo = { enabled: this.plugins.findBuiltIn(DEMO_DIR)?.enabled ?? false };
    }
    try {
      this.file.save(this.settings);
    } catch (e) {
      this.keyProblem = `settings could not be saved: ${(e as Error).message}`;
    }
  }

  private async setDemo(enabled: boolean): Promise<boolean> {
    const demo = this.plugins.ensureBuiltIn(DEMO_DIR, 'demo');
    await this.plugins.setEnabled(demo.id, enabled);
    return demo.enabled;
  }

  // ── requests ────────────────────────────────────────────────────────────────────────────

  /** Handle one request from the window. Never throws: errors come back in the envelope. */
  async handle(name: unknown, payload: unknown): Promise<Envelope<unknown>> {
    const req = parseRequest(name, payload);
    if (!req.ok) return { ok: false, error: { message: req.message, code: req.code } };
    if (this.shuttingDown) return { ok: false, error: { message: 'the recorder is shutting down', code: 'failed' } };
    try {
      const value = await this.dispatch(req.name, req.payload as RequestData<typeof req.name>);
      return { ok: true, value };
    } catch (e) {
      const err = e as Error;
      const code =
        e instanceof ContractError
          ? e.code
          : e instanceof NotFoundError || e instanceof PluginNotFoundError
            ? 'not-found'
            : 'failed';
      return { ok: false, error: { message: `${req.name}: ${err.message}`, code } };
    }
  }

  /** Every request's handler, typed from the contract (a wrong reply does not compile). */
  private requestHandlers(): RequestHandlers {
    return {
      'state.get': () => this.state(),
      'settings.setDeviceName': ({ name }) => {
        this.client.setSourceId(name);
        this.settings.deviceName = name;
        this.save();
        this.stateChanged();
        return this.settingsView();
      },
      'settings.setApiKey': ({ apiKey }) => {
        const risk = apiKey === null ? null : plainTextRisk(this.settings.gateway);
        if (risk) throw new ContractError(risk, 'failed');
        this.settings.apiKey = apiKey === null ? null : this.secrets.seal(apiKey);
        this.settings.apiKeyHost = apiKey === null ? null : gatewayHost(this.settings.gateway);
        this.keyProblem = null;
        this.save();
        this.client.setApiKey(this.settings.gateway.mode === 'local' ? null : apiKey);
        this.stateChanged();
        return this.settingsView();
      },
      'settings.setGateway': ({ gateway }) => {
        const keyed = this.settings.apiKey !== null;
        const risk = keyed ? plainTextRisk(gateway) : null;
        if (risk) throw new ContractError(`${risk}; or remove the API key first`, 'failed');
        this.settings.gateway = gateway;
        const host = gatewayHost(gateway);
        if (keyed && host !== null && host !== this.settings.apiKeyHost) {
          // A key goes only to the gateway it was entered for: a new host asks for it again.
          this.settings.apiKey = null;
          this.settings.apiKeyHost = null;
          this.keyProblem = `the API key was removed because the gateway changed to ${host}: enter the key for this gateway`;
          this.log.warn(this.keyProblem);
        }
        this.save();
        if (gateway.mode !== 'local') {
          const o = gatewayOptions(gateway);
          this.client.setGateway(
            o.gatewayUrl ?? process.env.PLEXUS_GATEWAY_URL ?? 'https://plexus-gateway.fly.dev',
            o.gatewayWsUrl,
          );
        }
        const key = this.effectiveKey();
        this.client.setApiKey(key === undefined ? (process.env.PLEXUS_API_KEY ?? null) : key);
        this.stateChanged();
        return this.settingsView();
      },
      'settings.setFfmpegPath': async ({ path }) => {
        const checked = await checkFfmpeg(path ?? this.opts.ffmpegPath ?? null);
        if (checked.problem) throw new ContractError(checked.problem, 'failed');
        this.settings.ffmpegPath = path;
        this.sources.setFfmpegPath(path ?? this.opts.ffmpegPath ?? null);
        this.ffmpeg = { path, ...checked };
        this.log.info(`FFmpeg: ${checked.found} (${checked.version})`);
        this.save();
        this.stateChanged();
        return this.settingsView();
      },
      ...sourceRequests(this.sources),
      'demo.set': async ({ enabled }) => ({ enabled: await this.setDemo(enabled) }),
      ...pluginRequests(this.plugins),
      'run.start': ({ name }) => {
        if (this.client.currentRun()) throw new ContractError('a run is already recording; stop it first', 'failed');
        const r = this.client.startRun(name);
        this.settings.lastRunName = r.name;
        this.save();
        this.stateChanged();
        return toRunView(r);
      },
      'run.stop': () => {
        const r = this.client.endRun();
        this.stateChanged();
        return r ? toRunView(r) : null;
      },
      'run.export': ({ runId }) => this.exportRun(runId),
      'marker.add': ({ note }) => {
        const t = Math.round(this.client.now());
        const seq = this.sink.event('marker', markerValue(note), { timestamp: t });
        return this.problems.storageFailing()
          ? { seq, t, warning: 'the disk refuses writes: this marker waits in memory until it takes them again' }
          : { seq, t };
      },
      'app.openLogFolder': async () => {
        if (!this.opts.openFolder) return { opened: false, path: this.log.dir };
        await this.opts.openFolder(this.log.dir);
        return { opened: true, path: this.log.dir };
      },
      'command.answer': ({ id, approve, reason }) => this.inbox.answer(id, approve, reason),
    };
  }

  private dispatch<N extends RequestName>(name: N, payload: RequestData<N>): Promise<ReplyMap[N]> {
    const handler = this.handlers[name] as (p: RequestData<N>) => Promise<ReplyMap[N]> | ReplyMap[N];
    return Promise.resolve(handler(payload));
  }

  /** A run's CSV (for transports that stream it themselves, like the headless download URL). */
  runExport(runId: string): RunExport {
    const r = this.client.runs(100_000).find((x) => x.id === runId);
    if (!r) throw new NotFoundError(`no run with id ${runId}`);
    const run = toRunView(r);
    return { run, filename: csvFilename(run), lines: () => runCsv(this.client.runPoints(runId)) };
  }

  private async exportRun(runId: string): Promise<ExportResult> {
    const e = this.runExport(runId);
    if (this.opts.exporter) return this.opts.exporter(e);
    const dir = join(this.opts.dataDir, 'exports');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, e.filename);
    const points = (await writeLines(path, e.lines())) - 1; // the header line is not a point
    return { kind: 'saved', path, points };
  }

  // ── shutdown ────────────────────────────────────────────────────────────────────────────

  /** Stop sources, end a recording run (recorded as ended), flush and close. Idempotent. */
  shutdown(opts: { flushTimeoutMs?: number } = {}): Promise<void> {
    this.shuttingDown ??= (async () => {
      if (this.tickTimer) clearInterval(this.tickTimer);
      if (this.stateTimer) clearTimeout(this.stateTimer);
      await Promise.all([this.sources.stopAll(), this.plugins.stopAll()]);
      this.problems.dispose();
      await this.cameras.stopAll();
      this.save();
      if (this.stateTimer) clearTimeout(this.stateTimer);
      this.stateTimer = null;
      await this.client.close({ timeoutMs: opts.flushTimeoutMs ?? 5000 });
      this.log.info(`closed; ${this.client.bufferSize()} points kept in the buffer`);
    })();
    return this.shuttingDown;
  }
}

/**
 * A marker's value: its note as text when it fits an event's 256 UTF-8 bytes, else as
 * `{ note }` (an object may hold 4 KiB), so any note the window accepts is kept whole.
 */
function markerValue(note: string | undefined): string | { note: string } {
  if (!note) return 'marker';
  return Buffer.byteLength(note, 'utf8') <= 256 ? note : { note };
}

/** The shipped demo sensor's folder (in the built-in plugins). */
const DEMO_DIR = 'demo-signals';

/** Plugins of a data folder that has none saved yet: the demo sensor, on unless it was turned off. */
function firstPlugins(demoEnabled: boolean): SavedPlugins {
  return {
    added: [],
    trusted: {},
    instances: [{ id: randomUUID(), folder: `builtin:${DEMO_DIR}`, name: 'demo', enabled: demoEnabled, config: {} }],
    network: [],
  };
}

/** Whether an FFmpeg can be used: the binary found and its version, or why not. */
async function checkFfmpeg(
  path: string | null,
): Promise<{ found: string | null; version: string | null; problem: string | null }> {
  let found: string;
  try {
    found = resolveFfmpeg({ configuredPath: path });
  } catch (e) {
    return { found: null, version: null, problem: (e as Error).message };
  }
  try {
    return { found, version: (await ffmpegVersion(found)).version, problem: null };
  } catch (e) {
    return { found, version: null, problem: (e as Error).message };
  }
}

/** host:port of the gateway a setting points at (null: local only, nothing is sent). */
function gatewayHost(g: GatewaySetting): string | null {
  if (g.mode === 'local') return null;
  const url = g.mode === 'custom' ? g.url : (process.env.PLEXUS_GATEWAY_URL ?? DEFAULT_GATEWAY_URL);
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Why a key must not go to this gateway: plain http/ws to a host that is not this machine. */
function plainTextRisk(g: GatewaySetting): string | null {
  if (g.mode !== 'custom') return null;
  for (const u of [g.url, g.wsUrl]) {
    if (!u) continue;
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      continue;
    }
    if ((url.protocol === 'http:' || url.protocol === 'ws:') && !LOOPBACK.has(url.hostname))
      return `the gateway ${url.host} is not encrypted (${url.protocol}//): the API key would travel in clear text — use https:// (wss://), or a gateway on this machine`;
  }
  return null;
}

function toRunView(r: {
  id: string;
  name: string;
  startedAt: number;
  endedAt: number | null;
  points: number;
}): RunView {
  return { id: r.id, name: r.name, startedAt: r.startedAt, endedAt: r.endedAt, points: r.points };
}

function gatewayOptions(g: GatewaySetting): { gatewayUrl?: string; gatewayWsUrl?: string } {
  if (g.mode !== 'custom') return {};
  return g.wsUrl ? { gatewayUrl: g.url, gatewayWsUrl: g.wsUrl } : { gatewayUrl: g.url };
}
