// Options, environment and defaults (docs/protocol.md §1), resolved once and checked early: a bad
// option is a ConfigError at construction, not a mystery later.

import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors';
import { positive as checkPositive } from '../../shared/util';
import { DEVICE_NAME_RE as SOURCE_ID_RE, DEVICE_NAME_RULE } from '../../shared/names';
import type { CommandOptions } from './commands';

export const DEFAULT_GATEWAY_URL = 'https://plexus-gateway.fly.dev';
export const DEFAULT_GATEWAY_WS_URL = 'wss://plexus-gateway.fly.dev';
export const AGENT_VERSION = '0.1.0';

export interface BufferOptions {
  /** Undelivered points kept at most (default 10,000,000). Beyond it the oldest are dropped and reported. */
  maxPoints?: number;
  /** Undelivered bytes kept at most (default 2 GiB). */
  maxBytes?: number;
  /** Delivered points kept in the local log for runs and export (default 0: deleted once confirmed). */
  retainPoints?: number;
  retainBytes?: number;
  /** 'process' (default) survives a killed process; 'power' also a power cut (fsync per commit, slower). */
  durability?: 'process' | 'power';
  /** Group-commit interval in ms (default 5). */
  commitIntervalMs?: number;
}

export interface PlexusOptions {
  /** API key; default PLEXUS_API_KEY. No key (or null) = local only: everything is recorded, nothing is sent. */
  apiKey?: string | null;
  /** This device's name on the platform; default: the last one used in dataDir, else derived from the host name. */
  sourceId?: string;
  /** HTTP base URL; default PLEXUS_GATEWAY_URL or the Plexus cloud. */
  gatewayUrl?: string;
  /** WebSocket URL; default PLEXUS_GATEWAY_WS_URL, else derived from gatewayUrl, else the Plexus cloud. */
  gatewayWsUrl?: string;
  /** 'ws' (default; HTTP fallback when the socket is unavailable) or 'http' (HTTP only). */
  transport?: 'ws' | 'http';
  /** Where the buffer and identity live; default ~/.plexus. */
  dataDir?: string;
  /** Shown to dashboards (device_auth.platform). */
  platform?: string;
  agentVersion?: string;
  /** Cameras announced in device_auth; cameras used with sendVideoFrame are added automatically. */
  cameras?: Array<{ camera_id: string; video_type?: string }>;
  /** Sensors announced in device_auth (free-form, shown to dashboards). */
  sensors?: unknown;
  buffer?: BufferOptions;
  /** Planned reconnect to re-sync the clock, ms (default 1 h; 0 = never). */
  resyncIntervalMs?: number;
  /** Heartbeat interval, ms (default 30 s). */
  heartbeatIntervalMs?: number;
  /** Reconnect backoff (default 1 s × 2ⁿ, cap 3 s, ±25 %: data flows within seconds of the gateway's return). */
  reconnect?: { baseMs?: number; capMs?: number; jitter?: number };
  /** HTTP retry backoff (default 1 s × 2ⁿ, cap 3 s, ±25 %; while failing, each retry carries at most 100 points). */
  httpRetry?: { baseMs?: number; capMs?: number; jitter?: number };
  /** After the gateway refused the key, try again after 15 s, 30 s, 60 s…, at most this long apart (default 60 s) — or at once on setApiKey(). */
  authRetryMs?: number;
  /** Handshake + authentication timeout (default 15 s). */
  connectTimeoutMs?: number;
  /** HTTP request timeout (default 30 s). */
  httpTimeoutMs?: number;
  /** Cuts in a row, each within 2.5 s of authenticating, within a minute and with no failed reconnect between them, that mean a name conflict (default 3). */
  conflictEvictions?: number;
  /** Commands to register up front (same as calling onCommand). */
  commands?: Record<string, { handler: (params: Record<string, unknown>) => unknown } & CommandOptions>;
  logger?: Logger;
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function checkUrl(name: string, value: string, protocols: string[]): URL {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (!protocols.includes(u.protocol)) {
    throw new ConfigError(
      `${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got ${JSON.stringify(value)}`,
    );
  }
  return u;
}

/** HTTP base → /ingest URL. */
export function ingestUrl(base: string): string {
  const u = checkUrl('gatewayUrl', base, ['http:', 'https:']);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/ingest`;
  return u.toString();
}

/** WS URL: `/ws/device` is appended when the URL has no path. */
export function deviceWsUrl(wsUrl: string | undefined, httpBase: string | undefined): string {
  let raw = wsUrl;
  if (!raw && httpBase) raw = httpBase.replace(/^http/, 'ws');
  raw ??= DEFAULT_GATEWAY_WS_URL;
  const u = checkUrl('gatewayWsUrl', raw, ['ws:', 'wss:']);
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/ws/device';
  return u.toString();
}

/** A default name from the host name, made to fit the source id rule. */
export function sourceIdFromHostname(host = hostname()): string {
  let s = host
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 50);
  if (s.length < 2) s = `bench-${s || 'device'}`;
  return SOURCE_ID_RE.test(s) ? s : 'bench-device';
}

export function checkSourceId(id: string): string {
  if (!SOURCE_ID_RE.test(id)) throw new ConfigError(`sourceId ${JSON.stringify(id)} must be ${DEVICE_NAME_RULE}`);
  return id;
}

export function defaultDataDir(): string {
  return join(homedir(), '.plexus');
}

/** The shared numeric check, reported as the client's own ConfigError. */
export function positive(name: string, v: number | undefined, dflt: number, allowZero = false): number {
  try {
    return checkPositive(name, v, dflt, allowZero);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

/** Every option checked and defaulted: what the client needs before it touches the disk. */
export interface ResolvedOptions {
  transport: 'ws' | 'http';
  gatewayUrl: string;
  ingestUrl: string;
  wsUrl: string;
  apiKey: string | null;
  /** Undefined: the last name used in the data dir, else one from the host name. */
  sourceId: string | undefined;
  dataDir: string;
  platform: string;
  agentVersion: string;
  cameras: Array<{ camera_id: string; video_type: string }>;
  buffer: {
    maxPoints: number;
    maxBytes: number;
    retainPoints: number;
    retainBytes: number;
    durability: 'process' | 'power';
    commitIntervalMs: number;
  };
  httpTimeoutMs: number;
  connectTimeoutMs: number;
  resyncIntervalMs: number;
  heartbeatIntervalMs: number;
  authRetryMs: number;
  conflictEvictions: number;
  reconnect: { baseMs?: number; capMs?: number; jitter?: number };
  httpRetry: { baseMs?: number; capMs?: number; jitter?: number };
}

function optionalString(name: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ConfigError(`${name} must be a string, got ${typeof v}`);
  return v;
}

function backoffOptions(name: string, v: PlexusOptions['reconnect']): NonNullable<PlexusOptions['reconnect']> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object') throw new ConfigError(`${name} must be an object { baseMs, capMs, jitter }`);
  const out: NonNullable<PlexusOptions['reconnect']> = {};
  if (v.baseMs !== undefined) out.baseMs = positive(`${name}.baseMs`, v.baseMs, 0);
  if (v.capMs !== undefined) out.capMs = positive(`${name}.capMs`, v.capMs, 0);
  if (v.jitter !== undefined) {
    const j = positive(`${name}.jitter`, v.jitter, 0, true);
    if (j > 1) throw new ConfigError(`${name}.jitter is a fraction between 0 and 1 (0.25 = ±25 %), got ${j}`);
    out.jitter = j;
  }
  return out;
}

/**
 * Check and default every option. Runs before the data dir is locked or the buffer opened, so a
 * bad option leaves nothing behind: no folder created, no lock held, no file open.
 */
export function resolveOptions(options: PlexusOptions, env: NodeJS.ProcessEnv): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new ConfigError('options must be an object');
  const transport = options.transport ?? 'ws';
  if (transport !== 'ws' && transport !== 'http')
    throw new ConfigError(`transport must be 'ws' or 'http', got ${JSON.stringify(transport)}`);
  const gatewayUrl = optionalString('gatewayUrl', options.gatewayUrl) ?? env.PLEXUS_GATEWAY_URL ?? DEFAULT_GATEWAY_URL;
  const ingest = ingestUrl(gatewayUrl); // first: a bad gatewayUrl is named as such, not as the WS URL made from it
  const wsUrl = deviceWsUrl(
    optionalString('gatewayWsUrl', options.gatewayWsUrl) ?? env.PLEXUS_GATEWAY_WS_URL,
    options.gatewayUrl ?? env.PLEXUS_GATEWAY_URL,
  );
  if (options.apiKey !== undefined && options.apiKey !== null && typeof options.apiKey !== 'string')
    throw new ConfigError(`apiKey must be a string or null, got ${typeof options.apiKey}`);
  const key = options.apiKey === undefined ? env.PLEXUS_API_KEY : options.apiKey;
  const sourceId = optionalString('sourceId', options.sourceId);
  if (sourceId !== undefined) checkSourceId(sourceId);
  const dataDir = optionalString('dataDir', options.dataDir) ?? defaultDataDir();
  if (dataDir.trim() === '') throw new ConfigError('dataDir must name a folder, got an empty string');
  const buf = options.buffer ?? {};
  if (typeof buf !== 'object' || buf === null) throw new ConfigError('buffer must be an object');
  const durability = buf.durability ?? 'process';
  if (durability !== 'process' && durability !== 'power')
    throw new ConfigError(`buffer.durability must be 'process' or 'power', got ${JSON.stringify(durability)}`);
  if (options.cameras !== undefined && !Array.isArray(options.cameras))
    throw new ConfigError('cameras must be a list of { camera_id, video_type? }');
  const cameras = (options.cameras ?? []).map((c, i) => {
    if (!c || typeof c.camera_id !== 'string' || c.camera_id === '')
      throw new ConfigError(`cameras[${i}] needs a camera_id (a non-empty string)`);
    return { camera_id: c.camera_id, video_type: optionalString(`cameras[${i}].video_type`, c.video_type) ?? 'normal' };
  });
  if (options.commands !== undefined && (options.commands === null || typeof options.commands !== 'object'))
    throw new ConfigError('commands must be an object of name → { handler }');
  const logger = options.logger;
  if (logger !== undefined && (typeof logger !== 'object' || logger === null || typeof logger.error !== 'function'))
    throw new ConfigError('logger must be an object with debug, info, warn and error methods');
  return {
    transport,
    gatewayUrl,
    ingestUrl: ingest,
    wsUrl,
    apiKey: key ? key : null,
    sourceId,
    dataDir,
    platform: optionalString('platform', options.platform) ?? 'plexus-bench',
    agentVersion: optionalString('agentVersion', options.agentVersion) ?? AGENT_VERSION,
    cameras,
    buffer: {
      maxPoints: positive('buffer.maxPoints', buf.maxPoints, 10_000_000),
      maxBytes: positive('buffer.maxBytes', buf.maxBytes, 2 * 1024 ** 3),
      // Retention is off unless asked; asking for one limit leaves the other unlimited.
      retainPoints: positive('buffer.retainPoints', buf.retainPoints, buf.retainBytes ? Infinity : 0, true),
      retainBytes: positive('buffer.retainBytes', buf.retainBytes, buf.retainPoints ? Infinity : 0, true),
      durability,
      commitIntervalMs: positive('buffer.commitIntervalMs', buf.commitIntervalMs, 5),
    },
    httpTimeoutMs: positive('httpTimeoutMs', options.httpTimeoutMs, 30_000),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 15_000),
    resyncIntervalMs: positive('resyncIntervalMs', options.resyncIntervalMs, 3_600_000, true),
    heartbeatIntervalMs: positive('heartbeatIntervalMs', options.heartbeatIntervalMs, 30_000),
    authRetryMs: positive('authRetryMs', options.authRetryMs, 60_000),
    conflictEvictions: positive('conflictEvictions', options.conflictEvictions, 3),
    reconnect: backoffOptions('reconnect', options.reconnect),
    httpRetry: backoffOptions('httpRetry', options.httpRetry),
  };
}
