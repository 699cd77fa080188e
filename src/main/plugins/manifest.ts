// plugin.json: what a plugin folder holds and how to run it. Read and checked before anything
// runs; a broken manifest, a missing entry file or an unknown kind is reported with a message
// that names the field, and nothing of that plugin starts.
//
//   { "id": "bench-psu", "name": "Bench PSU", "version": "1.0.0",
//     "kind": "script",  "entry": "index.ts",                                  ← a worker thread
//     "kind": "process", "command": "python3", "args": ["psu.py"], "parser": "jsonl",  ← any language
//     "config": { "rateHz": 10 } }                                             ← default settings

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigValuesSchema } from '../../shared/config-values';
import { resolveConfig, schemaProblem, type ConfigSchema, type ConfigValues } from '../../shared/plugin-config';
import type { MetricInfo, PluginManifestView } from '../../shared/contract';
import { SOURCE_NAME_RE } from '../../shared/names';

const MAX_MANIFEST_BYTES = 256 * 1024;

const metricInfo = z
  .object({
    unit: z.string().max(32).optional(),
    label: z.string().max(100).optional(),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
  })
  .strict();

const commandSpec = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$/, 'command names are letters, digits, "_", ".", ":" or "-"'),
    description: z.string().max(500).optional(),
    params: z
      .array(
        z
          .object({
            name: z.string().min(1).max(64),
            type: z.string().min(1).max(32),
            description: z.string().max(500).optional(),
          })
          .strict(),
      )
      .max(32)
      .optional(),
    /** true: each call from the platform waits in the inbox until the technician approves it. */
    requiresApproval: z.boolean().optional(),
    timeoutMs: z.number().int().min(1).max(3_600_000).optional(),
  })
  .strict();

const common = {
  id: z.string().regex(SOURCE_NAME_RE, 'id must be 1–63 lowercase letters, digits, "-" or "_"'),
  name: z.string().trim().min(1, 'name is required').max(100),
  version: z.string().trim().min(1, 'version is required').max(40),
  description: z.string().max(500).optional(),
  config: ConfigValuesSchema.optional(),
  configSchema: z.unknown().optional(),
  metrics: z.record(z.string().min(1).max(256), metricInfo).optional(),
  prefixMetrics: z.boolean().optional(),
  $schema: z.string().optional(),
};

const ManifestSchema = z.discriminatedUnion('kind', [
  z
    .object({
      ...common,
      kind: z.literal('script'),
      entry: z.string().min(1, "entry is required: the plugin's .ts or .js file").max(1024),
      memoryMb: z.number().int().min(16).max(4096).optional(),
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal('process'),
      command: z.string().trim().min(1, 'command is required: the program to run').max(4096),
      args: z.array(z.string().max(4096)).max(64).optional(),
      cwd: z.string().max(4096).optional(),
      env: z
        .record(
          z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and "_"'),
          z.string().max(32_768),
        )
        .optional(),
      parser: z.enum(['auto', 'plotter', 'csv', 'jsonl', 'kv']).optional(),
      commands: z.array(commandSpec).max(64).optional(),
    })
    .strict(),
]);

type Parsed = z.infer<typeof ManifestSchema>;

export type Manifest = Parsed & {
  /** Absolute folder of the plugin. */
  folder: string;
  /** sha256 of plugin.json: trust is given to exactly this manifest. */
  hash: string;
  /** The declared schema, checked (process plugins; a script's own code may declare one too). */
  schema: ConfigSchema | null;
};

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** Reads and checks `<folder>/plugin.json`. Throws ManifestError with a message for a person. */
export function readManifest(folderIn: string): Manifest {
  const folder = resolve(folderIn);
  if (!existsSync(folder)) throw new ManifestError(`folder ${folder} does not exist`);
  if (!statSync(folder).isDirectory())
    throw new ManifestError(`${folder} is not a folder (choose the folder that holds plugin.json)`);
  const file = join(folder, 'plugin.json');
  if (!existsSync(file))
    throw new ManifestError(`${folder} holds no plugin.json (a plugin is a folder with plugin.json and its files)`);
  const size = statSync(file).size;
  if (size > MAX_MANIFEST_BYTES) throw new ManifestError(`plugin.json is ${size} bytes; a manifest is at most 256 KiB`);
  const bytes = readFileSync(file);
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ManifestError(`plugin.json is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const kind = (raw as { kind?: unknown }).kind;
    if (kind !== 'script' && kind !== 'process')
      throw new ManifestError(
        `plugin.json: "kind" must be "script" or "process", got ${JSON.stringify(kind) ?? 'nothing'}`,
      );
  }
  const r = ManifestSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues
      .slice(0, 3)
      .map((i) => (i.path.length ? `"${i.path.join('.')}": ${i.message}` : i.message))
      .join('; ');
    throw new ManifestError(`plugin.json: ${issues}`);
  }
  const m = r.data;
  let schema: ConfigSchema | null = null;
  if (m.configSchema !== undefined) {
    const p = schemaProblem(m.configSchema);
    if (p) throw new ManifestError(`plugin.json: "configSchema": ${p}`);
    schema = m.configSchema as ConfigSchema;
    const c = resolveConfig(schema, m.config);
    if (!c.ok) throw new ManifestError(`plugin.json: the default ${c.message}`);
  }
  if (m.kind === 'script') {
    const entry = inside(folder, m.entry, 'entry');
    if (!existsSync(entry)) throw new ManifestError(`plugin.json: the entry file ${m.entry} is missing from ${folder}`);
  } else if (m.cwd !== undefined) {
    const cwd = inside(folder, m.cwd, 'cwd');
    if (!existsSync(cwd))
      throw new ManifestError(`plugin.json: the working folder ${m.cwd} does not exist in ${folder}`);
  }
  return { ...m, folder, hash: createHash('sha256').update(bytes).digest('hex'), schema };
}

/** A path the manifest names, which must stay inside the plugin's folder. */
function inside(folder: string, p: string, field: string): string {
  const abs = resolve(folder, p);
  const rel = relative(folder, abs);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new ManifestError(`plugin.json: "${field}" must be inside the plugin's folder, got ${p}`);
  return abs;
}

export function entryPath(m: Manifest & { kind: 'script' }): string {
  return resolve(m.folder, m.entry);
}

export function workingFolder(m: Manifest & { kind: 'process' }): string {
  return m.cwd !== undefined ? resolve(m.folder, m.cwd) : m.folder;
}

/** What will run, in plain words, for the technician to confirm. */
export function describeRun(m: Manifest): string {
  if (m.kind === 'script') {
    const lang = /\.(c|m)?tsx?$/.test(m.entry) ? 'TypeScript' : 'JavaScript';
    return `${m.entry} (${lang}) in a worker thread of the recorder`;
  }
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const line = [m.command, ...(m.args ?? [])].map(quote).join(' ');
  return `${line} (in ${workingFolder(m)})`;
}

/** The manifest as the window shows it before (and while) it runs. */
export function manifestView(m: Manifest, builtIn: boolean, trusted: boolean): PluginManifestView {
  return {
    folder: m.folder,
    id: m.id,
    name: m.name,
    version: m.version,
    kind: m.kind,
    description: m.description ?? null,
    runs: describeRun(m),
    builtIn,
    trusted: builtIn || trusted,
  };
}

/** Units and labels the manifest gives, by raw metric name. */
export function manifestMetrics(m: Manifest): Record<string, MetricInfo> {
  return (m.metrics as Record<string, MetricInfo> | undefined) ?? {};
}

export type { ConfigValues };
