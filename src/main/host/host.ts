// The host: composes the Plexus client, the rig's sources, the plugin host (with the demo sensor,
// a shipped plugin), the run recorder and the command inbox, and implements the window's
// contract. Plain Node — no Electron below this line — so it runs in the desktop app, in headless
// mode, and in tests alike. The requests themselves live beside it, one file per subject
// (settings-, source-, plugin-, run-requests.ts); what goes to the window per tick, in tick-builder.ts;
// each metric's last minute, for a window that reloads, in metric-history.ts.
//
// Every request is validated against the contract's schema first; a bad one gets an error that
// names the problem, and no request can crash the host (errors travel back as data).
//
// Why this file is over 400 lines: it is the one place where the parts are wired to each other
// (start-up order, shutdown order, which change tells which part); each piece of logic it wires
// lives in its own file, and splitting the wiring would only hide the order it depends on.

import { join } from 'node:path';
import { ClosedError, Plexus } from '../plexus';
import { EventHub, errorMessage, reportListenerErrorsTo } from '../../shared/util';
import { CameraRegistry } from '../devices/camera';
import {
  failureText,
  parseRequest,
  type AppState,
  type Envelope,
  type EventMap,
  type EventName,
  type ExportFormat,
  type ReplyMap,
  type RequestData,
  type RequestHandlers,
  type RequestName,
  type SettingsView,
  type StatusView,
  type Tick,
} from '../../shared/contract';
import { Plugins, PluginNotFoundError, builtInPluginsDir } from '../plugins';
import { DEMO_DIR, firstPlugins } from './demo-plugin';
import { pluginSerialOpener } from './plugin-serial-opener';
import type { HostOptions, RunExport } from './host-options';
import { CommandInbox } from './inbox';
import { MarkerList } from './marker-list';
import { MetricHistories } from './metric-history';
import { PreviewAggregator } from './preview';
import { RetiredSources } from './retired-sources';
import { lastRunMarkers } from './run-markers';
import { RecordingSink } from './recording-sink';
import { UnprotectedSecretStore, type SecretStore } from './secrets';
import { ContractError } from './contract-error';
import { checkFfmpeg } from './ffmpeg-check';
import { gatewayOptions, keyForGateway } from './gateway-key';
import { runRequests } from './run-requests';
import { settingsRequests } from './settings-requests';
import { TickBuilder } from './tick-builder';
import { SettingsFile, type Settings } from './settings';
import { NotFoundError, Sources } from './sources';
import { registerBuiltInCommands } from './built-in-commands';
import { sourceRequests } from './source-requests';
import { openAppLog, type AppLog } from './app-log';
import { ProblemBoard } from './problems';
import { pluginRequests } from './plugin-requests';
import { currentRunView, historyViews, pastRuns, statusView } from './client-views';
import { exportRun, runExport } from './run-export';
import { libraryRequests } from './run-library/library-requests';
import { RunLibrary } from './run-library/run-library';

type Listener<E extends EventName> = (payload: EventMap[E]) => void;

/** Keep delivered points for runs and export: generous, bounded by disk. */
const RETAIN_POINTS = 50_000_000;
const RETAIN_BYTES = 4 * 1024 ** 3;

/** What helps with each of the run library's problems. */
const LIBRARY_REMEDIES = {
  copy: 'Recording goes on: the points wait in the buffer and are saved to the library as soon as it can write (a full disk: free some space).',
  quota: 'Export the runs you need and delete them from the past runs, or free space on the disk.',
  damaged: 'Nothing to do: the damaged file is kept for support.',
} as const;

export class Host {
  readonly client: Plexus;
  private settings: Settings;
  private readonly file: SettingsFile;
  private readonly secrets: SecretStore;
  /** Each metric's last minute; the preview says which names it forgets, and they go here too. */
  private readonly history = new MetricHistories();
  private readonly preview = new PreviewAggregator((name) => this.history.forget(name));
  /** A removed or reconfigured source's metrics leave the history as they leave the window. */
  private readonly retired = new RetiredSources((prefix, before) => this.history.retire(prefix, before));
  private readonly sink: RecordingSink;
  private readonly sources: Sources;
  /** This host's FFmpeg cameras: shutdown() stops these and no other host's. */
  private readonly cameras = new CameraRegistry();
  private readonly inbox: CommandInbox;
  private readonly markers = new MarkerList();
  private readonly plugins: Plugins;
  readonly log: AppLog;
  private readonly problems: ProblemBoard;
  /** What the window shows of FFmpeg (checked at start and when the technician sets a path). */
  private ffmpeg: SettingsView['ffmpeg'] = { path: null, found: null, version: null, problem: null };
  /** A window transport's listener that throws is a bug to see in the log, not to hide. */
  private readonly events = new EventHub<EventMap>((error, event) => this.listenerFailed(error, event));
  private tickTimer: ReturnType<typeof setInterval> | null = null;
  private stateTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly ticks: TickBuilder;
  private shuttingDown: Promise<void> | null = null;
  private keyProblem: string | null = null;
  private readonly handlers: RequestHandlers;
  /** Every run kept whole until deleted, its details, review index and the disk quota. */
  readonly library: RunLibrary;

  private constructor(private readonly opts: HostOptions) {
    this.file = new SettingsFile(opts.dataDir);
    this.log = openAppLog(opts.dataDir);
    // Listeners inside the client, devices and plugins report to the same log file.
    reportListenerErrorsTo((error, event) => this.listenerFailed(error, event));
    this.log.info(`Plexus Bench starting (data in ${opts.dataDir})`);
    this.ticks = new TickBuilder({
      preview: this.preview,
      history: this.history,
      now: () => this.client.now(),
      status: () => this.statusView(),
      run: () => currentRunView(this.client),
      problems: () => this.problems.list(),
      sources: () => this.sourceViews(),
    });
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
      this.ticks.problemsChanged();
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
    this.inbox = new CommandInbox(this.client, (v) => this.emit('command', v), { ...opts, log: this.log.warn });
    this.plugins = new Plugins({
      dataDir: opts.dataDir,
      builtInDir: opts.builtInPluginsDir ?? builtInPluginsDir(),
      sink: this.sink,
      registerCommand: (name, handler, o) => this.inbox.registerPlugin(name, handler, o),
      now: () => this.client.now(),
      changed: () => {
        this.ticks.sourcesChanged();
      },
      stateChanged: () => this.sourcesChanged(),
      ...(opts.pluginTiming ? { timing: opts.pluginTiming } : {}),
      log: (source, level, message) => this.log[level](`[${source}] ${message}`),
      // Script plugins' serial ports are opened on this thread (the driver cannot run in a worker).
      serial: pluginSerialOpener({ sourceHolding: (path) => this.sources.serialSourceHolding(path) }),
    });
    registerBuiltInCommands(this.inbox, this.sources, this.plugins, () => this.save());
    this.library = new RunLibrary(
      {
        client: this.client,
        dataDir: opts.dataDir,
        unit: (metric) => this.metricInfo()[metric]?.unit,
        changed: () => this.stateChanged(),
        warn: (m) => this.log.warn(m),
        problem: (kind, m) => {
          const id = `run-library-${kind}`;
          if (m === null) this.problems.clear(id);
          else this.problems.set(id, kind === 'quota' ? 'warning' : 'error', m, LIBRARY_REMEDIES[kind]);
        },
      },
      { ...this.settings.runLibrary, ...opts.runLibrary },
    );
    this.client.on('status', () => this.scheduleTick());
    this.client.on('run', () => this.stateChanged());
    // Markers dropped before the first clock sync moved onto gateway time with the points.
    this.client.on('restamped', ({ deltaMs, fromSeq }) => {
      this.markers.shift(fromSeq, deltaMs);
      this.stateChanged();
    });
    // A name the gateway assigned is the client's business (it remembers it per requested name);
    // the settings keep the name the person chose.
    this.client.on('source-id', () => this.stateChanged());
    this.handlers = this.requestHandlers();
  }

  /** Create the host, restore the configured sources and plugins (the demo sensor among them). */
  static async start(opts: HostOptions): Promise<Host> {
    const h = new Host(opts);
    // Copies: restoring a source saves the settings, which rewrites these lists as it goes.
    const problem = h.sources.restore([...h.settings.serial], [...h.settings.cameras]);
    if (problem) h.keyProblem ??= problem;
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
    h.library.start();
    h.restoreLastRunMarkers();
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
    this.ticks.sourcesChanged();
    this.retired.changed(this.sourceViews(), this.client.now());
    this.save();
    this.stateChanged();
  }

  private scheduleTick(): void {
    this.ticks.statusChanged();
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
      ...this.sourceViews(),
      metricInfo: this.metricInfo(),
      run: currentRunView(this.client),
      runs: pastRuns(this.client).map((r) => this.library.view(r)),
      ...(this.library.libraryView() ? { runLibrary: this.library.libraryView()! } : {}),
      inbox: this.inbox.list(),
      problems: this.problems.list(),
      ...historyViews(this.client, this.markers, this.preview),
    };
  }

  private metricInfo(): AppState['metricInfo'] {
    return { ...this.plugins.metricInfo(), ...this.sources.serialMetricInfo() };
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

  private statusView(): StatusView {
    return statusView(this.client, this.preview.rate());
  }

  private sourceViews(): NonNullable<Tick['sources']> {
    return {
      serial: this.sources.serialViews(),
      cameras: this.sources.cameraViews(),
      webcams: this.sources.webcamViews(),
      plugins: this.plugins.views(),
      network: this.plugins.networkViews(),
    };
  }

  private tick(): void {
    this.retired.due(this.client.now());
    const t = this.ticks.build();
    if (t) this.emit('tick', t);
  }

  /**
   * The last run's markers, read back from the run log (the list lives in memory): in the
   * background, since a long run takes a moment to read; the windows get them with the next state.
   */
  private restoreLastRunMarkers(): void {
    lastRunMarkers(this.client)
      .then((found) => {
        if (!found || this.shuttingDown) return;
        this.markers.restore(found.runId, found.markers);
        this.stateChanged();
      })
      .catch((e: unknown) => {
        // Closed meanwhile: nobody is left to list them.
        if (!(e instanceof ClosedError)) this.log.warn(`the last run's markers could not be read: ${errorMessage(e)}`);
      });
  }

  // ── settings ────────────────────────────────────────────────────────────────────────────

  private effectiveKey(): string | null | undefined {
    const { key, problem } = keyForGateway(this.settings, this.secrets);
    if (problem) this.keyProblem = problem;
    return key;
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
      return { ok: false, error: { message: failureText(req.name, err.message), code } };
    }
  }

  /** Every request's handler, typed from the contract (a wrong reply does not compile). */
  private requestHandlers(): RequestHandlers {
    return {
      'state.get': () => this.state(),
      'live.history': () => this.history.view(this.client.now()),
      ...settingsRequests({
        client: this.client,
        settings: this.settings,
        secrets: this.secrets,
        log: this.log,
        sources: this.sources,
        defaultFfmpegPath: this.opts.ffmpegPath ?? null,
        save: () => this.save(),
        stateChanged: () => this.stateChanged(),
        view: () => this.settingsView(),
        setKeyProblem: (p) => {
          this.keyProblem = p;
        },
        effectiveKey: () => this.effectiveKey(),
        setFfmpeg: (f) => {
          this.ffmpeg = f;
        },
      }),
      ...sourceRequests(this.sources),
      'demo.set': async ({ enabled }) => ({ enabled: await this.setDemo(enabled) }),
      ...pluginRequests(this.plugins),
      ...runRequests({
        client: this.client,
        sink: this.sink,
        storageFailing: () => this.problems.storageFailing(),
        markers: this.markers,
        stateChanged: () => this.stateChanged(),
      }),
      ...libraryRequests({
        client: this.client,
        library: this.library,
        sink: this.sink,
        sources: () => this.sourceViews(),
        started: (name) => {
          this.settings.lastRunName = name;
          this.save();
        },
        stateChanged: () => this.stateChanged(),
      }),
      'run.export': ({ runId, format }) =>
        exportRun(this.runExport(runId, format), this.opts.exporter, this.opts.dataDir),
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

  /** A run as a file (for transports that stream it themselves, like the headless download URL). */
  runExport(runId: string, format: ExportFormat = 'csv'): RunExport {
    // Units as the recorder knows them now: a past run's points do not carry theirs.
    const info = this.metricInfo();
    return runExport(
      {
        client: this.client,
        library: this.library,
        progress: (p) => this.emit('export.progress', p),
        unit: (metric) => info[metric]?.unit,
        device: this.client.sourceId,
        dataDir: this.opts.dataDir,
      },
      runId,
      format,
    );
  }

  // ── shutdown ────────────────────────────────────────────────────────────────────────────

  /** Stop sources, end a recording run (recorded as ended), flush and close. Idempotent. */
  shutdown(opts: { flushTimeoutMs?: number } = {}): Promise<void> {
    this.shuttingDown ??= (async () => {
      if (this.tickTimer) clearInterval(this.tickTimer);
      this.library.stop();
      if (this.stateTimer) clearTimeout(this.stateTimer);
      await Promise.all([this.sources.stopAll(), this.plugins.stopAll()]);
      this.problems.dispose();
      this.inbox.close();
      await this.cameras.stopAll();
      this.save();
      if (this.stateTimer) clearTimeout(this.stateTimer);
      this.stateTimer = null;
      // The library copies the rest (the run's end too) just before the buffer closes.
      await this.client.close({
        timeoutMs: opts.flushTimeoutMs ?? 5000,
        beforeStoreClose: () => this.library.lastCopy(),
      });
      this.library.close();
      this.log.info(`closed; ${this.client.bufferSize()} points kept in the buffer`);
    })();
    return this.shuttingDown;
  }
}
