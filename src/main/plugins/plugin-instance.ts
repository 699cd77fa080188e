// One plugin instance: a plugin folder run under a name (the prefix of its metrics), with its own
// config, supervisor, points counter, status line, log tail, units and commands. Whatever the
// plugin does, it stays inside this object: a broken manifest, an untrusted folder or a config that
// fails the schema is shown with its reason and nothing runs; a crash restarts it with backoff.

import type { CommandHandler } from '../plexus';
import { resolveConfig, type ConfigSchema, type ConfigValues } from '../../shared/plugin-config';
import type { MetricInfo, PluginState, PluginView } from '../../shared/contract';
import type { CommandSpec } from './api';
import {
  entryPath,
  ManifestError,
  manifestMetrics,
  manifestView,
  readManifest,
  workingFolder,
  type Manifest,
} from './manifest';
import { cleanCommandSpec } from './command-spec';
import { runLocalCommand } from './local-command';
import { PluginRecorder } from './plugin-recorder';
import { startProcessRun } from './process/process-run';
import { startScriptRun } from './script/script-run';
import type { SerialPortRegistry } from './serial/port-registry';
import { Supervisor, type SupervisorOptions, type SupervisorStatus } from './supervisor';
import type { LogLevel, PluginLogEntry, PluginRun, PluginSink, RegisterCommand } from './types';

export interface InstanceSettings {
  id: string;
  /** The plugin's folder, or `builtin:<name>` for a plugin shipped with the recorder. */
  folder: string;
  name: string;
  enabled: boolean;
  /** What the technician set (defaults come from the schema and plugin.json). */
  config: ConfigValues;
}

export interface PluginTiming {
  hangMs: number;
  pingMs: number;
  setupTimeoutMs: number;
  stopGraceMs: number;
  memoryMb: number;
  restart: SupervisorOptions;
}

/** What instances share: the host's sink and command registry, the clock, and who to tell. */
export interface InstanceHost {
  sink: PluginSink;
  registerCommand: RegisterCommand;
  now: () => number;
  dataDir: string;
  /** The folder on disk for a settings folder (resolves `builtin:`). */
  resolveFolder: (folder: string) => string;
  isBuiltIn: (folder: string) => boolean;
  /** Whether the technician allowed exactly this manifest to run. */
  isTrusted: (folder: string, hash: string) => boolean;
  /** The environment every plugin starts from (the recorder's secrets removed). */
  baseEnv: () => Record<string, string>;
  timing: PluginTiming;
  /** Something shown changed (counters, log): the next tick carries it. */
  changed: () => void;
  /** A discrete change (state, units, commands): worth a state snapshot. */
  stateChanged: () => void;
  /** The recorder's log file, where every plugin's log lines also go (with its name). */
  appLog: (source: string, level: LogLevel, message: string) => void;
  /** Serial ports script plugins open through the recorder, and who holds which. */
  serial: SerialPortRegistry;
}

const LOG_KEEP = 200;
const LOG_SHOWN = 20;

export class PluginInstance {
  private manifest: Manifest | null = null;
  private problem: { state: PluginState; message: string } | null = null;
  private schema: ConfigSchema | null = null;
  private configProblems: Record<string, string> | null = null;
  private effective: ConfigValues = {};
  private statusText: string | null = null;
  private readonly logs: PluginLogEntry[] = [];
  private readonly units = new Map<string, MetricInfo>();
  /** Full command name → unregister, with whether the current run (re)declared it, its handler and spec. */
  private readonly commands = new Map<
    string,
    { off: () => void; fresh: boolean; handler: CommandHandler; spec: CommandSpec }
  >();
  private readonly supervisor: Supervisor;
  readonly recorder: PluginRecorder;
  private run: PluginRun | null = null;

  constructor(
    private settings: InstanceSettings,
    private readonly host: InstanceHost,
  ) {
    this.recorder = new PluginRecorder(host.sink, settings.name, (l, m) => this.log(l, m));
    this.supervisor = new Supervisor(
      () => this.launch(),
      (s) => this.supervised(s),
      host.timing.restart,
    );
  }

  get id(): string {
    return this.settings.id;
  }

  get name(): string {
    return this.settings.name;
  }

  get folder(): string {
    return this.settings.folder;
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  saved(): InstanceSettings {
    return { ...this.settings, config: { ...this.settings.config } };
  }

  /** (Re)read the manifest and start when enabled, allowed and configured right. */
  start(): void {
    this.problem = null;
    if (!this.settings.enabled) return;
    try {
      this.manifest = readManifest(this.host.resolveFolder(this.settings.folder));
    } catch (e) {
      this.manifest = null;
      this.problem = { state: 'invalid', message: e instanceof ManifestError ? e.message : String(e) };
      this.host.stateChanged();
      return;
    }
    const m = this.manifest;
    if (!this.host.isBuiltIn(this.settings.folder) && !this.host.isTrusted(this.settings.folder, m.hash)) {
      this.problem = {
        state: 'untrusted',
        message: 'plugin.json changed since it was allowed to run — review it and allow it again',
      };
      this.host.stateChanged();
      return;
    }
    if (m.schema || m.kind === 'process') {
      const r = this.checkConfig(m.schema);
      if (!r) return;
    }
    this.supervisor.start();
  }

  async stop(): Promise<void> {
    await this.supervisor.stop();
    this.dropCommands(true);
  }

  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  async setEnabled(enabled: boolean): Promise<void> {
    this.settings.enabled = enabled;
    if (enabled) this.start();
    else await this.stop();
    this.host.stateChanged();
  }

  /** New name and/or config; checked against the schema known so far, then restarted. */
  async configure(name: string | undefined, config: ConfigValues): Promise<void> {
    if (this.schema) {
      const r = resolveConfig(this.schema, this.manifest?.config, config);
      if (!r.ok) throw new Error(r.message);
    }
    await this.stop();
    this.settings.config = { ...config };
    if (name !== undefined && name !== this.settings.name) {
      this.settings.name = name;
      this.recorder.setPrefix(name);
      this.units.clear();
    }
    this.start();
    this.host.stateChanged();
  }

  private checkConfig(schema: ConfigSchema | null): ConfigValues | null {
    this.schema = schema;
    const r = resolveConfig(schema, this.manifest?.config, this.settings.config);
    if (r.ok) {
      this.configProblems = null;
      this.effective = r.config;
      return r.config;
    }
    this.configProblems = r.problems;
    this.problem = { state: 'invalid', message: `${r.message} — change it in the plugin's settings` };
    this.host.stateChanged();
    return null;
  }

  private prefix(prefixMetrics: boolean): string | null {
    return prefixMetrics ? this.settings.name : null;
  }

  private launch(): Promise<PluginRun> {
    const m = this.manifest!;
    for (const c of this.commands.values()) c.fresh = false;
    this.statusText = null;
    const env = {
      ...this.host.baseEnv(),
      PLEXUS_PLUGIN_NAME: this.settings.name,
      PLEXUS_BENCH_DATA_DIR: this.host.dataDir,
    };
    const started =
      m.kind === 'script'
        ? startScriptRun({
            entry: entryPath(m),
            configure: (def) => {
              this.recorder.setPrefix(this.prefix(def.prefixMetrics));
              const schema = def.config ?? m.schema;
              const r = resolveConfig(schema, m.config, this.settings.config);
              this.schema = schema;
              this.configProblems = r.ok ? null : r.problems;
              if (r.ok) this.effective = r.config;
              else this.problem = { state: 'invalid', message: `${r.message} — change it in the plugin's settings` };
              return r;
            },
            recorder: this.recorder,
            log: (l, msg) => this.log(l, msg),
            describe: (metric, info) => this.describe(metric, info),
            status: (t) => {
              this.statusText = t;
              this.host.changed();
            },
            commandOn: (name, spec) => this.commandOn(name, spec),
            commandOff: (name) => this.commandOff(name),
            now: this.host.now,
            memoryMb: m.memoryMb ?? this.host.timing.memoryMb,
            hangMs: this.host.timing.hangMs,
            pingMs: this.host.timing.pingMs,
            setupTimeoutMs: this.host.timing.setupTimeoutMs,
            stopGraceMs: this.host.timing.stopGraceMs,
            env,
            serial: { registry: this.host.serial, holder: { id: this.settings.id, name: this.settings.name } },
          })
        : this.launchProcess(m, env);
    return started.then((run) => {
      this.run = run;
      this.dropCommands(false);
      return run;
    });
  }

  private launchProcess(m: Manifest & { kind: 'process' }, env: Record<string, string>): Promise<PluginRun> {
    const prefix = this.prefix(m.prefixMetrics !== false);
    this.recorder.setPrefix(prefix);
    for (const [metric, info] of Object.entries(manifestMetrics(m))) this.describe(metric, info);
    for (const c of m.commands ?? []) this.commandOn(c.name, JSON.parse(JSON.stringify(c)) as CommandSpec);
    const config = this.effective;
    const vars: Record<string, string> = { folder: m.folder, dataDir: this.host.dataDir, name: this.settings.name };
    // A table goes in as JSON, as in PLEXUS_PLUGIN_CONFIG: "[object Object]" would help nobody.
    for (const [k, v] of Object.entries(config)) vars[`config.${k}`] = Array.isArray(v) ? JSON.stringify(v) : String(v);
    const expand = (s: string): string => s.replace(/\$\{([\w.]+)\}/g, (all, k: string) => vars[k] ?? all);
    let command = expand(m.command);
    const procEnv: Record<string, string> = {
      PYTHONUNBUFFERED: '1',
      ...env,
      PLEXUS_PLUGIN_CONFIG: JSON.stringify(config),
    };
    for (const [k, v] of Object.entries(m.env ?? {})) procEnv[k] = expand(v);
    if (command === 'node') {
      // Plain Node: the recorder's own runtime. Electron in development: itself, run as Node. A
      // packaged app has that switched off (package.json build.electronFuses): `node` from PATH.
      if (!process.versions.electron) command = process.execPath;
      else if (process.defaultApp) {
        command = process.execPath;
        procEnv.ELECTRON_RUN_AS_NODE = '1';
      }
    }
    return startProcessRun({
      command,
      args: (m.args ?? []).map(expand),
      cwd: workingFolder(m),
      env: procEnv,
      parser: m.parser ?? 'auto',
      prefix: prefix ?? '',
      recorder: this.recorder,
      log: (l, msg) => this.log(l, msg),
      stopGraceMs: this.host.timing.stopGraceMs,
    });
  }

  private supervised(s: SupervisorStatus): void {
    if (s.state !== 'running') this.run = null;
    if (s.state === 'restarting' || s.state === 'failed') this.log('error', s.message);
    this.host.stateChanged();
  }

  private describe(metric: string, info: MetricInfo): void {
    this.units.set(this.recorder.fullName(metric), info);
    this.host.stateChanged();
  }

  private commandOn(raw: string, declared: CommandSpec): void {
    const spec = cleanCommandSpec(declared);
    const full = this.recorder.fullName(raw);
    const known = this.commands.get(full);
    if (known && JSON.stringify(known.spec) === JSON.stringify(spec)) {
      known.fresh = true;
      return;
    }
    // Declared again differently (a restart after an edit, a setting that adds an approval): the
    // new declaration is the one that counts, its approval and deadline included.
    if (known) {
      known.off();
      this.commands.delete(full);
    }
    const handler: CommandHandler = async (params, ctx) => {
      // A command that arrives while the plugin starts (or restarts) waits for it.
      let run: PluginRun;
      try {
        run = await this.supervisor.whenRunning(ctx.signal);
      } catch (e) {
        throw new Error(`plugin "${this.settings.name}" is not running (${(e as Error).message})`, { cause: e });
      }
      return run.command(raw, params, { id: ctx.id, receivedAt: ctx.receivedAt, signal: ctx.signal });
    };
    try {
      const off = this.host.registerCommand(full, handler, {
        plugin: this.settings.name,
        ...(spec.description ? { description: spec.description } : {}),
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
        ...(spec.requiresApproval === true ? { requiresApproval: true } : {}),
      });
      this.commands.set(full, { off, fresh: true, handler, spec });
      this.host.stateChanged();
    } catch (e) {
      this.log('error', `command "${full}" not registered: ${(e as Error).message}`);
    }
  }

  /**
   * One of its commands, sent by the technician from the window: run by the plugin's own handler
   * with the command's deadline, never through the gateway nor the inbox (no approval asked).
   */
  async sendCommand(name: string, params: Record<string, unknown>): Promise<unknown> {
    const c = this.commands.get(name) ?? this.commands.get(this.recorder.fullName(name));
    if (!c) {
      const known = [...this.commands.keys()];
      throw new Error(
        known.length
          ? `plugin "${this.settings.name}" has no command "${name}" (its commands: ${known.join(', ')})`
          : `plugin "${this.settings.name}" has no commands right now${this.settings.enabled ? '' : ' (it is switched off)'}`,
      );
    }
    const full = this.commands.get(name) ? name : this.recorder.fullName(name);
    return runLocalCommand(c.handler, full, params, { timeoutMs: c.spec.timeoutMs, now: () => this.host.now() });
  }

  private commandOff(raw: string): void {
    const full = this.recorder.fullName(raw);
    this.commands.get(full)?.off();
    this.commands.delete(full);
    this.host.stateChanged();
  }

  /** Remove commands: all of them (stopped), or those the new run did not declare again. */
  private dropCommands(all: boolean): void {
    for (const [name, c] of this.commands) {
      if (all || !c.fresh) {
        c.off();
        this.commands.delete(name);
      }
    }
  }

  private log(level: LogLevel, message: string): void {
    this.host.appLog(`plugin ${this.settings.name}`, level, message);
    this.logs.push({ at: Date.now(), level, message });
    if (this.logs.length > LOG_KEEP) this.logs.splice(0, this.logs.length - LOG_KEEP);
    this.host.changed();
  }

  metricInfo(): Array<[string, MetricInfo]> {
    return [...this.units];
  }

  view(): PluginView {
    const s = this.supervisor.status();
    const m = this.manifest;
    const state: PluginState = !this.settings.enabled ? 'stopped' : this.problem ? this.problem.state : s.state;
    return {
      id: this.settings.id,
      name: this.settings.name,
      enabled: this.settings.enabled,
      folder: this.settings.folder,
      manifest: m
        ? manifestView(m, this.host.isBuiltIn(this.settings.folder), this.host.isTrusted(this.settings.folder, m.hash))
        : null,
      state,
      message: !this.settings.enabled ? 'disabled' : (this.problem?.message ?? s.message),
      statusText: this.statusText,
      lastError: this.problem?.message ?? s.lastError,
      pointsPerSec: this.recorder.pointsPerSec(),
      points: this.recorder.points,
      rejected: this.recorder.rejected,
      restarts: s.restarts,
      configSchema: this.schema,
      config: { ...(this.manifest?.config ?? {}), ...this.effective, ...this.settings.config },
      configProblems: this.configProblems,
      commands: [...this.commands.keys()],
      commandSpecs: [...this.commands].map(([name, { spec }]) => ({
        name,
        ...(spec.description ? { description: spec.description } : {}),
        params: spec.params ?? [],
        ...(spec.requiresApproval === true ? { requiresApproval: true } : {}),
      })),
      pid: this.run?.pid ?? null,
      log: this.logs.slice(-LOG_SHOWN),
    };
  }
}
