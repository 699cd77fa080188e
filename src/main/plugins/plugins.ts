// The plugin host: every plugin instance and loopback line source of the recorder, the catalog of
// plugins it can offer (shipped, in <data dir>/plugins, folders the technician added) and the
// record of which manifests the technician allowed to run. Plugins are trusted code with the
// user's rights (as in VS Code): nothing from a folder runs before the technician saw what it
// would run and confirmed; a changed plugin.json asks again.

import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { ConfigValues } from '../../shared/plugin-config';
import { errorMessage } from '../../shared/util';
import type {
  MetricInfo,
  NetworkConfig,
  NetworkSourceView,
  PluginCatalogEntry,
  PluginView,
} from '../../shared/contract';
import { ManifestError, manifestView, readManifest } from './manifest';
import { NetworkLineSource } from './network/network-lines';
import { PluginInstance, type InstanceHost, type InstanceSettings, type PluginTiming } from './plugin-instance';
import { pluginBaseEnv } from './plugin-env';
import { SerialPortRegistry } from './serial/port-registry';
import type { SerialOpener } from './serial/types';
import type { LogLevel, PluginSink, RegisterCommand } from './types';

export class PluginNotFoundError extends Error {
  override name = 'NotFoundError';
}

export interface SavedNetwork {
  id: string;
  config: NetworkConfig;
  enabled: boolean;
}

/** What the host keeps in settings.json. */
export interface SavedPlugins {
  /** Plugin folders the technician added (besides shipped ones and <data dir>/plugins). */
  added: string[];
  /** Folder → sha256 of the plugin.json the technician allowed to run. */
  trusted: Record<string, string>;
  instances: InstanceSettings[];
  network: SavedNetwork[];
}

export interface PluginsOptions {
  dataDir: string;
  /** Where shipped plugins live (one folder each). */
  builtInDir: string;
  sink: PluginSink;
  registerCommand: RegisterCommand;
  now: () => number;
  /** Counters or logs changed (the next tick carries them). */
  changed: () => void;
  /** Something to persist and show at once changed (added, removed, state, units). */
  stateChanged: () => void;
  timing?: Partial<PluginTiming>;
  /** The recorder's log file (default: nowhere). */
  log?: (source: string, level: LogLevel, message: string) => void;
  /**
   * Opens serial ports for script plugins (ctx.serial) on this thread: the serial driver cannot
   * run in a plugin's worker. Absent: ctx.serial.open() refuses, saying so.
   */
  serial?: SerialOpener;
}

const BUILTIN = 'builtin:';
const LOG_SHOWN = 20;

export const DEFAULT_TIMING: PluginTiming = {
  hangMs: 5000,
  pingMs: 1000,
  setupTimeoutMs: 30_000,
  stopGraceMs: 3000,
  memoryMb: 128,
  restart: {},
};

interface NetworkEntry {
  id: string;
  config: NetworkConfig;
  enabled: boolean;
  source: NetworkLineSource;
}

export class Plugins {
  private readonly instances = new Map<string, PluginInstance>();
  private readonly network = new Map<string, NetworkEntry>();
  private added: string[] = [];
  private trusted: Record<string, string> = {};
  private readonly host: InstanceHost;
  private readonly serial: SerialPortRegistry;

  constructor(private readonly opts: PluginsOptions) {
    this.serial = new SerialPortRegistry(opts.serial ?? null);
    this.host = {
      sink: opts.sink,
      registerCommand: opts.registerCommand,
      now: opts.now,
      dataDir: opts.dataDir,
      resolveFolder: (f) => this.resolveFolder(f),
      isBuiltIn: (f) => f.startsWith(BUILTIN),
      isTrusted: (f, hash) => this.trusted[f] === hash,
      baseEnv: pluginBaseEnv,
      timing: { ...DEFAULT_TIMING, ...opts.timing },
      changed: opts.changed,
      stateChanged: opts.stateChanged,
      appLog: opts.log ?? (() => {}),
      serial: this.serial,
    };
  }

  /** Bring back what was saved: trust, folders, instances and network sources (started when enabled). */
  restore(saved: SavedPlugins): void {
    this.added = [...saved.added];
    this.trusted = { ...saved.trusted };
    for (const s of saved.instances) {
      const inst = new PluginInstance({ ...s, config: { ...s.config } }, this.host);
      this.instances.set(s.id, inst);
      inst.start();
    }
    for (const n of saved.network) this.addNetwork(n.config, n.enabled, n.id);
  }

  saved(): SavedPlugins {
    return {
      added: [...this.added],
      trusted: { ...this.trusted },
      instances: [...this.instances.values()].map((i) => i.saved()),
      network: [...this.network.values()].map((n) => ({ id: n.id, config: n.config, enabled: n.enabled })),
    };
  }

  // ── folders and the catalog ──────────────────────────────────────────────────────────────

  private resolveFolder(folder: string): string {
    return folder.startsWith(BUILTIN) ? join(this.opts.builtInDir, folder.slice(BUILTIN.length)) : folder;
  }

  /** How settings name a folder: `builtin:<name>` inside the shipped plugins, else absolute. */
  private folderKey(folder: string): string {
    // The catalog names shipped plugins so (what the window sends back when one is picked).
    if (folder.startsWith(BUILTIN)) {
      const name = folder.slice(BUILTIN.length);
      if (/^[\w.-]+$/.test(name) && name !== '.' && name !== '..') return folder;
      throw new ManifestError(`there is no plugin shipped as ${JSON.stringify(name)}`);
    }
    const abs = resolve(folder);
    const rel = relative(resolve(this.opts.builtInDir), abs);
    if (rel && !rel.startsWith('..') && !rel.includes(sep)) return `${BUILTIN}${rel}`;
    return abs;
  }

  private entry(key: string, where: PluginCatalogEntry['where']): PluginCatalogEntry {
    const folder = this.resolveFolder(key);
    try {
      const m = readManifest(folder);
      return {
        folder: key,
        where,
        problem: null,
        manifest: manifestView(m, key.startsWith(BUILTIN), this.trusted[key] === m.hash),
      };
    } catch (e) {
      return { folder: key, where, manifest: null, problem: e instanceof ManifestError ? e.message : String(e) };
    }
  }

  private subfolders(dir: string): string[] {
    if (!existsSync(dir)) return [];
    try {
      return readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => join(dir, d.name))
        .sort();
    } catch {
      return [];
    }
  }

  catalog(): PluginCatalogEntry[] {
    const out: PluginCatalogEntry[] = [];
    for (const f of this.subfolders(this.opts.builtInDir)) out.push(this.entry(this.folderKey(f), 'built-in'));
    for (const f of this.subfolders(join(this.opts.dataDir, 'plugins')))
      out.push(this.entry(this.folderKey(f), 'data-folder'));
    for (const f of this.added) if (!out.some((e) => e.folder === f)) out.push(this.entry(f, 'added'));
    return out;
  }

  /** What a folder holds, for the technician to review. Runs nothing. */
  inspect(folder: string): PluginCatalogEntry {
    const key = this.folderKey(folder);
    const where = key.startsWith(BUILTIN) ? 'built-in' : this.added.includes(key) ? 'added' : 'data-folder';
    return this.entry(key, where);
  }

  // ── instances ────────────────────────────────────────────────────────────────────────────

  private usedNames(): Set<string> {
    return new Set([
      ...[...this.instances.values()].map((i) => i.name),
      ...[...this.network.values()].map((n) => n.config.name),
    ]);
  }

  private checkName(name: string, except?: string): void {
    const taken =
      [...this.instances.values()].some((i) => i.name === name && i.id !== except) ||
      [...this.network.values()].some((n) => n.config.name === name && n.id !== except);
    if (taken)
      throw new Error(`a source named "${name}" exists already; choose another name (it prefixes the metric names)`);
  }

  /**
   * The technician reviewed the folder's manifest and confirmed: allow exactly this plugin.json,
   * and start an instance of it.
   */
  add(folder: string, name?: string, config: ConfigValues = {}): string {
    const key = this.folderKey(folder);
    const m = readManifest(this.resolveFolder(key));
    let n = name;
    if (n === undefined) {
      const used = this.usedNames();
      n = m.id;
      for (let i = 2; used.has(n); i++) n = `${m.id}-${i}`;
    } else this.checkName(n);
    if (!key.startsWith(BUILTIN)) {
      this.trusted[key] = m.hash;
      const inDataDir = resolve(key, '..') === resolve(this.opts.dataDir, 'plugins');
      if (!inDataDir && !this.added.includes(key)) this.added.push(key);
    }
    const id = randomUUID();
    const inst = new PluginInstance({ id, folder: key, name: n, enabled: true, config: { ...config } }, this.host);
    this.instances.set(id, inst);
    inst.start();
    this.opts.stateChanged();
    return id;
  }

  private instance(id: string): PluginInstance {
    const i = this.instances.get(id);
    if (!i) throw new PluginNotFoundError(`no plugin with id ${id}`);
    return i;
  }

  findByName(name: string): PluginInstance | undefined {
    return [...this.instances.values()].find((i) => i.name === name);
  }

  /** The first instance of a shipped plugin (e.g. the demo), if there is one. */
  findBuiltIn(dir: string): PluginInstance | undefined {
    return [...this.instances.values()].find((i) => i.folder === `${BUILTIN}${dir}`);
  }

  /** An instance of a shipped plugin, created when missing (the demo sensor's switch). */
  ensureBuiltIn(dir: string, name: string, config: ConfigValues = {}): PluginInstance {
    const found = this.findBuiltIn(dir);
    if (found) return found;
    const id = randomUUID();
    const inst = new PluginInstance({ id, folder: `${BUILTIN}${dir}`, name, enabled: false, config }, this.host);
    this.instances.set(id, inst);
    return inst;
  }

  /** The technician reviewed a changed plugin.json and allows it: trust it and start again. */
  async allow(id: string): Promise<void> {
    const inst = this.instance(id);
    if (!inst.folder.startsWith(BUILTIN)) {
      this.trusted[inst.folder] = readManifest(this.resolveFolder(inst.folder)).hash;
    }
    await inst.restart();
    this.opts.stateChanged();
  }

  async configure(id: string, name: string | undefined, config: ConfigValues): Promise<void> {
    const inst = this.instance(id);
    if (name !== undefined) this.checkName(name, id);
    await inst.configure(name, config);
  }

  setEnabled(id: string, enabled: boolean): Promise<void> {
    return this.instance(id).setEnabled(enabled);
  }

  /** One of an instance's commands, sent by the technician: its handler's result (or its error). */
  sendCommand(id: string, command: string, params: Record<string, unknown>): Promise<unknown> {
    return this.instance(id).sendCommand(command, params);
  }

  async restart(id: string): Promise<void> {
    const inst = this.instance(id);
    if (!inst.enabled) await inst.setEnabled(true);
    else await inst.restart();
  }

  async remove(id: string): Promise<void> {
    const inst = this.instance(id);
    this.instances.delete(id);
    await inst.stop();
    this.opts.stateChanged();
  }

  views(): PluginView[] {
    return [...this.instances.values()].map((i) => i.view());
  }

  metricInfo(): Record<string, MetricInfo> {
    const out: Record<string, MetricInfo> = {};
    for (const i of this.instances.values()) for (const [k, v] of i.metricInfo()) out[k] = v;
    return out;
  }

  // ── serial ports of script plugins ──────────────────────────────────────────────────────

  /** Serial ports plugins hold now: `{ path, plugin }` each (closed ones are gone from it). */
  openSerialPorts(): Array<{ path: string; plugin: string }> {
    return this.serial.openPorts();
  }

  /** The name of the plugin holding this serial port, or null (for the recorder's own sources). */
  serialPortHolder(path: string): string | null {
    return this.serial.holderOf(path);
  }

  // ── network lines ────────────────────────────────────────────────────────────────────────

  addNetwork(config: NetworkConfig, enabled = true, id: string = randomUUID()): string {
    this.checkName(config.name);
    if ([...this.network.values()].some((n) => n.config.port === config.port && n.config.protocol === config.protocol))
      throw new Error(`a ${config.protocol.toUpperCase()} source on port ${config.port} exists already`);
    const source = new NetworkLineSource(config, this.opts.sink);
    source.on('status', () => this.opts.stateChanged());
    source.on('log', (e) => this.host.appLog(`network ${config.name}`, e.level, e.message));
    const entry: NetworkEntry = { id, config, enabled, source };
    this.network.set(id, entry);
    if (enabled) this.startNetwork(entry);
    this.opts.stateChanged();
    return id;
  }

  /** start() reports a port it cannot open as the source's status; anything else goes to the log. */
  private startNetwork(n: NetworkEntry): void {
    n.source
      .start()
      .catch((e: unknown) =>
        this.host.appLog(`network ${n.config.name}`, 'error', `could not start: ${errorMessage(e)}`),
      );
  }

  private networkEntry(id: string): NetworkEntry {
    const n = this.network.get(id);
    if (!n) throw new PluginNotFoundError(`no network source with id ${id}`);
    return n;
  }

  async updateNetwork(id: string, config: NetworkConfig): Promise<void> {
    const old = this.networkEntry(id);
    await old.source.stop();
    this.network.delete(id);
    try {
      this.addNetwork(config, old.enabled, id);
    } catch (e) {
      this.network.set(id, old); // keep the old one rather than lose the source
      if (old.enabled) this.startNetwork(old);
      throw e;
    }
  }

  async setNetworkEnabled(id: string, enabled: boolean): Promise<void> {
    const n = this.networkEntry(id);
    n.enabled = enabled;
    if (enabled) await n.source.start();
    else await n.source.stop();
    this.opts.stateChanged();
  }

  async removeNetwork(id: string): Promise<void> {
    const n = this.networkEntry(id);
    this.network.delete(id);
    await n.source.stop();
    this.opts.stateChanged();
  }

  networkViews(): NetworkSourceView[] {
    return [...this.network.values()].map((n) => {
      const s = n.source.status();
      const st = n.source.stats();
      return {
        id: n.id,
        config: n.config,
        enabled: n.enabled,
        state: s.state,
        message: n.enabled ? s.message : 'disabled',
        connections: st.connections,
        lines: st.lines,
        points: st.points,
        pointsPerSec: n.source.pointsPerSec(),
        problems: { ...st.problems },
        parser: st.parser,
        log: n.source.log().slice(-LOG_SHOWN),
      };
    });
  }

  /** Stop every plugin and listener (the recorder is closing). Settings keep who was enabled. */
  async stopAll(): Promise<void> {
    await Promise.all([
      ...[...this.instances.values()].map((i) => i.stop()),
      ...[...this.network.values()].map((n) => n.source.stop()),
    ]);
  }
}
