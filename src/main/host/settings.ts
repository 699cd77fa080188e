// The host's settings: one JSON file in the data folder, validated on load (a damaged file is set
// aside and reported, never fatal), written atomically (temp file + rename).

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  CameraConfigSchema,
  ConfigValuesSchema,
  GatewaySchema,
  NetworkConfigSchema,
  SerialConfigSchema,
} from '../../shared/contract';

const PluginsSchema = z.object({
  added: z.array(z.string()),
  trusted: z.record(z.string(), z.string()),
  instances: z.array(
    z.object({
      id: z.string(),
      folder: z.string(),
      name: z.string(),
      enabled: z.boolean(),
      config: ConfigValuesSchema,
    }),
  ),
  network: z.array(z.object({ id: z.string(), config: NetworkConfigSchema, enabled: z.boolean() })),
});

export const SettingsSchema = z.object({
  version: z.literal(1),
  deviceName: z.string().nullable(),
  gateway: GatewaySchema,
  /** Sealed by a SecretStore (tagged). */
  apiKey: z.string().nullable(),
  /**
   * The gateway host (host:port) the key was entered for: it is never sent anywhere else.
   * Absent in files from before this rule: bound to the gateway in use when first loaded.
   */
  apiKeyHost: z.string().nullable().optional(),
  demo: z.object({ enabled: z.boolean() }),
  serial: z.array(z.object({ id: z.string(), config: SerialConfigSchema, enabled: z.boolean() })),
  cameras: z.array(z.object({ id: z.string(), config: CameraConfigSchema, enabled: z.boolean() })),
  lastRunName: z.string().nullable(),
  /** The FFmpeg binary set in the window (null or absent: the first on PATH). */
  ffmpegPath: z.string().nullable().optional(),
  /** Absent in files from before plugins: the host then creates the demo instance from `demo`. */
  plugins: PluginsSchema.optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export function defaultSettings(): Settings {
  return {
    version: 1,
    deviceName: null,
    gateway: { mode: 'cloud' },
    apiKey: null,
    demo: { enabled: true },
    serial: [],
    cameras: [],
    lastRunName: null,
  };
}

export class SettingsFile {
  readonly path: string;
  /** Why the file on disk could not be used, if it could not. */
  problem: string | null = null;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'settings.json');
  }

  load(): Settings {
    if (!existsSync(this.path)) return defaultSettings();
    try {
      return SettingsSchema.parse(JSON.parse(readFileSync(this.path, 'utf8')));
    } catch (e) {
      const aside = `${this.path}.damaged-${Date.now()}`;
      try {
        renameSync(this.path, aside);
      } catch {
        // keep going with defaults even if it cannot be moved
      }
      this.problem = `settings.json could not be read (${(e as Error).message.split('\n')[0]}); it was set aside as ${aside} and defaults are used`;
      return defaultSettings();
    }
  }

  save(s: Settings): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
