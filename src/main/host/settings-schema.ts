// What settings.json holds, version by version, and how any earlier file becomes today's shape.
//
// The file is the technician's: their devices, their key, their plugins. It has its own schema,
// not the window's request schemas, so a change to what a request accepts never turns a saved file
// into a "damaged" one. It is read field by field and entry by entry: one entry this version cannot
// use is set aside with its reason (and kept, see settings.ts), and everything else is used.

import { z } from 'zod';
import { CameraConfigSchema } from '../../shared/camera-config';
import { ConfigValuesSchema } from '../../shared/config-values';
import { GatewaySchema } from '../../shared/gateway';
import { deviceNameProblem, metricPrefixFrom, metricPrefixProblem } from '../../shared/names';
import { NetworkConfigSchema } from '../../shared/network-config';
import { SerialConfigSchema } from '../../shared/serial-config';

/**
 * The version this app writes. Bump it only when the shape changes in a way an older app would
 * misread, and add the step from the previous version to MIGRATIONS: an older app refuses a newer
 * file's version, so a bump costs anyone who goes back a version.
 */
export const SETTINGS_VERSION = 2;

const entryId = z.string().min(1, 'id is required').max(200);

const SerialEntry = z.object({ id: entryId, config: SerialConfigSchema, enabled: z.boolean() });
const CameraEntry = z.object({ id: entryId, config: CameraConfigSchema, enabled: z.boolean() });
const NetworkEntry = z.object({ id: entryId, config: NetworkConfigSchema, enabled: z.boolean() });
const InstanceEntry = z.object({
  id: entryId,
  /** The plugin's folder, or `builtin:<name>` for one shipped with the recorder. */
  folder: z.string().min(1),
  name: z.string().min(1),
  enabled: z.boolean(),
  config: ConfigValuesSchema,
});

export interface SavedPluginsSettings {
  added: string[];
  /** Folder → sha256 of the plugin.json the technician allowed to run. */
  trusted: Record<string, string>;
  instances: Array<z.infer<typeof InstanceEntry>>;
  network: Array<z.infer<typeof NetworkEntry>>;
}

export interface Settings {
  version: typeof SETTINGS_VERSION;
  deviceName: string | null;
  gateway: z.infer<typeof GatewaySchema>;
  /** Sealed by a SecretStore (tagged). */
  apiKey: string | null;
  /**
   * The gateway host (host:port) the key was entered for: it is never sent anywhere else.
   * Absent in files from before this rule: the host binds it to the gateway in use when first loaded.
   */
  apiKeyHost?: string | null;
  demo: { enabled: boolean };
  serial: Array<z.infer<typeof SerialEntry>>;
  cameras: Array<z.infer<typeof CameraEntry>>;
  lastRunName: string | null;
  /** The FFmpeg binary set in the window (null or absent: the first on PATH). */
  ffmpegPath?: string | null;
  /** Absent in files from before plugins: the host then creates the demo instance from `demo`. */
  plugins?: SavedPluginsSettings;
  /** The run library's quota, set by hand in the file (absent: keep runs while 10 % is free). */
  runLibrary?: z.infer<typeof RunLibrarySettings>;
}

const RunLibrarySettings = z
  .object({
    keepFreePercent: z.number().min(1).max(90).optional(),
    maxBytes: z
      .number()
      .int()
      .min(1024 ** 2)
      .optional(),
  })
  .strict();

export function defaultSettings(): Settings {
  return {
    version: SETTINGS_VERSION,
    deviceName: null,
    gateway: { mode: 'cloud' },
    apiKey: null,
    demo: { enabled: true },
    serial: [],
    cameras: [],
    lastRunName: null,
  };
}

/** Something in the file this version could not use: where it was, why, and the value itself. */
export interface SetAside {
  /** e.g. `serial[1]`, `gateway`, `plugins.instances[0]`. */
  where: string;
  reason: string;
  value: unknown;
}

type Raw = Record<string, unknown>;

/**
 * One step per earlier shape, oldest first: each takes a file of version `from` and returns one of
 * version `from + 1`. Version 0 is a file without a `version` field; it already has version 1's
 * fields (any of them may be missing: the reader fills those in), so its step only stamps it.
 * Files of version 1 from before the key binding, FFmpeg path or plugins lack those fields, which
 * version 1 allows. Version 2 brought camera ids and serial prefixes under one naming rule.
 */
const MIGRATIONS: ReadonlyArray<{ from: number; migrate: (raw: Raw) => Raw }> = [
  { from: 0, migrate: (raw) => ({ ...raw, version: 1 }) },
  { from: 1, migrate: toOneNamingRule },
];

/**
 * Version 2: one rule for every metric prefix (names.ts). Version 1 let a camera id or a serial
 * device's prefix be free text ("Front Cam" gave `camera.Front Cam.fps`). A camera whose id breaks
 * the rule keeps it as its display name and gets an id derived from it (unique among the
 * cameras); a serial prefix that breaks it becomes the derived one. A serial device without a
 * prefix needs nothing: its default is now derived from its name (serialPrefix). Entries that are
 * not shaped as expected are left for the reader to set aside with its reason.
 */
function toOneNamingRule(raw: Raw): Raw {
  const out: Raw = { ...raw, version: 2 };
  if (Array.isArray(raw.cameras)) {
    const taken = new Set<string>();
    for (const c of raw.cameras as unknown[]) {
      const id = (c as { config?: { cameraId?: unknown } } | null)?.config?.cameraId;
      if (typeof id === 'string' && metricPrefixProblem(id) === null) taken.add(id);
    }
    out.cameras = (raw.cameras as unknown[]).map((c) => {
      const config = (c as { config?: Raw } | null)?.config;
      const id = config?.cameraId;
      if (!config || typeof id !== 'string' || id === '' || metricPrefixProblem(id) === null) return c;
      const base = metricPrefixFrom(id, 'camera');
      let next = base;
      for (let i = 2; taken.has(next); i++) next = `${base}-${i}`;
      taken.add(next);
      return { ...(c as Raw), config: { ...config, cameraId: next, name: config.name ?? id } };
    });
  }
  if (Array.isArray(raw.serial)) {
    out.serial = (raw.serial as unknown[]).map((e) => {
      const config = (e as { config?: Raw } | null)?.config;
      const prefix = config?.prefix;
      if (!config || typeof prefix !== 'string' || prefix === '' || metricPrefixProblem(prefix) === null) return e;
      return { ...(e as Raw), config: { ...config, prefix: metricPrefixFrom(prefix, 'serial') } };
    });
  }
  return out;
}

export class SettingsFormatError extends Error {
  override name = 'SettingsFormatError';
}

/** The version a raw file says it has: 0 when it says none. Throws when the field is nonsense. */
export function fileVersion(raw: unknown): number {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new SettingsFormatError('it does not hold a settings object');
  const v = (raw as Raw).version;
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new SettingsFormatError(`its version ${JSON.stringify(v)} is not a whole number from 1`);
  return v;
}

/** Bring a file of an earlier version up to SETTINGS_VERSION, step by step. */
export function migrate(raw: Raw, from: number): Raw {
  let out = raw;
  for (let v = from; v < SETTINGS_VERSION; v++) {
    const step = MIGRATIONS.find((m) => m.from === v);
    if (!step) throw new SettingsFormatError(`no way to read settings version ${v}`);
    out = step.migrate(out);
  }
  return out;
}

function why(e: z.ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Reads one file's fields into today's shape, collecting what it sets aside. */
class Reader {
  readonly setAside: SetAside[] = [];

  constructor(private readonly raw: Raw) {}

  /** A field; `absent` when the file has none, `fallback` (with the value set aside) when it is unusable. */
  field<T>(key: string, schema: z.ZodType<T>, fallback: T, absent: T = fallback): T {
    if (!(key in this.raw)) return absent;
    const r = schema.safeParse(this.raw[key]);
    if (r.success) return r.data;
    this.setAside.push({ where: key, reason: why(r.error), value: this.raw[key] });
    return fallback;
  }

  /** A list read entry by entry: the entries that fit are kept, in order. */
  list<T>(where: string, value: unknown, entry: z.ZodType<T>, describe: (v: unknown) => string): T[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.setAside.push({ where, reason: 'not a list', value });
      return [];
    }
    const out: T[] = [];
    value.forEach((v, i) => {
      const r = entry.safeParse(v);
      if (r.success) out.push(r.data);
      else this.setAside.push({ where: `${where}[${i}]`, reason: `${describe(v)}: ${why(r.error)}`, value: v });
    });
    return out;
  }

  plugins(): SavedPluginsSettings | undefined {
    const p = this.raw.plugins;
    if (p === undefined) return undefined;
    if (p === null || typeof p !== 'object' || Array.isArray(p)) {
      this.setAside.push({ where: 'plugins', reason: 'not an object', value: p });
      return undefined;
    }
    const { added, trusted, instances, network } = p as Raw;
    return {
      added: this.list('plugins.added', added, z.string().min(1), () => 'folder'),
      trusted: this.trusted(trusted),
      instances: this.list('plugins.instances', instances, InstanceEntry, (v) => `plugin ${label(v, 'name')}`),
      network: this.list('plugins.network', network, NetworkEntry, (v) => `network source ${label(v, 'config.name')}`),
    };
  }

  private trusted(value: unknown): Record<string, string> {
    if (value === undefined) return {};
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.setAside.push({ where: 'plugins.trusted', reason: 'not an object', value });
      return {};
    }
    const out: Record<string, string> = {};
    for (const [folder, hash] of Object.entries(value)) {
      if (typeof hash === 'string') out[folder] = hash;
      // An unreadable approval only means the technician is asked again before the plugin runs.
      else
        this.setAside.push({ where: `plugins.trusted[${JSON.stringify(folder)}]`, reason: 'not a hash', value: hash });
    }
    return out;
  }
}

/** A short name for an entry in a message: its name if it has one. */
function label(v: unknown, path: string): string {
  let cur: unknown = v;
  for (const k of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Raw)[k] : undefined;
  return typeof cur === 'string' ? JSON.stringify(cur) : '(unnamed)';
}

const deviceNameField = z
  .string()
  .nullable()
  .refine((n) => n === null || deviceNameProblem(n) === null, {
    error: (iss) => `device name ${JSON.stringify(iss.input)}: ${deviceNameProblem(String(iss.input))}`,
  });

/**
 * Today's settings from a parsed file of version ≤ SETTINGS_VERSION (migrated first), or of a newer
 * version read as if it were today's (what this version knows of it). Never throws for a field or
 * an entry: what does not fit is returned in `setAside`.
 */
export function readSettings(raw: unknown): { settings: Settings; version: number; setAside: SetAside[] } {
  const version = fileVersion(raw);
  const current = version <= SETTINGS_VERSION ? migrate(raw as Raw, version) : (raw as Raw);
  const r = new Reader(current);
  const d = defaultSettings();
  const settings: Settings = {
    version: SETTINGS_VERSION,
    deviceName: r.field('deviceName', deviceNameField, d.deviceName),
    // A gateway that cannot be read falls back to local only: nothing is sent until the technician
    // chooses again (the key stays bound to the host it was entered for, see host.ts).
    gateway: r.field('gateway', GatewaySchema, { mode: 'local' }, d.gateway),
    apiKey: r.field('apiKey', z.string().nullable(), d.apiKey),
    demo: r.field('demo', z.object({ enabled: z.boolean() }), d.demo),
    serial: r.list('serial', current.serial, SerialEntry, (v) => `serial device ${label(v, 'config.name')}`),
    cameras: r.list('cameras', current.cameras, CameraEntry, (v) => `camera ${label(v, 'config.cameraId')}`),
    lastRunName: r.field('lastRunName', z.string().nullable(), d.lastRunName),
  };
  // A key host that cannot be read is no host: the key is then not sent until entered again.
  if ('apiKeyHost' in current) settings.apiKeyHost = r.field('apiKeyHost', z.string().nullable(), null);
  if ('ffmpegPath' in current) settings.ffmpegPath = r.field('ffmpegPath', z.string().nullable(), null);
  if ('runLibrary' in current) settings.runLibrary = r.field('runLibrary', RunLibrarySettings, {});
  const plugins = r.plugins();
  if (plugins) settings.plugins = plugins;
  return { settings, version, setAside: r.setAside };
}
