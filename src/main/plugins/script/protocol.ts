// The messages between the plugin host (main thread) and a script plugin's worker thread. Points
// cross in columns (typed arrays whose buffers are transferred, not copied) with metric names
// sent once and then referred to by index, so hundreds of thousands of points a second cost a
// few messages, not one per point.

import type { ConfigSchema, ConfigValues } from '../../../shared/plugin-config';
import type { CommandSpec, MetricInfo } from '../api';
import type { SerialHostMessage, SerialWorkerMessage } from './serial-messages';

/** What the worker is started with (`workerData`). */
export interface WorkerBoot {
  /** The plugin's code, bundled to CommonJS by the host. */
  code: string;
  /** The entry file (for stack traces and for resolving the plugin's own `require`s). */
  filename: string;
  /** Points in flight (posted, not yet recorded by the host): the worker waits when too many. */
  credit: SharedArrayBuffer;
}

/** Above this many points in flight, a sending plugin waits for the host (backpressure). */
export const CREDIT_HIGH_WATER = 200_000;
/** Points per message at most (a batch is posted as soon as it is full). */
export const BATCH_POINTS = 8192;

/** Flags of one point. */
export const FLAG_EVENT = 1; // ctx.event(): an event even when the value is a number
export const FLAG_OTHER = 2; // the value is not a number: it is the next one in `other`

export type HostMessage =
  | { t: 'setup'; config: ConfigValues }
  | { t: 'ping'; n: number }
  | { t: 'clock'; now: number }
  | { t: 'command'; id: string; name: string; params: Record<string, unknown>; receivedAt: number }
  | { t: 'command-abort'; id: string }
  | { t: 'stop' }
  | SerialHostMessage;

/** What the module declared, before setup runs (the host checks the config against it). */
export interface DefinitionInfo {
  id: string;
  name: string;
  version: string;
  description: string | null;
  config: ConfigSchema | null;
  prefixMetrics: boolean;
}

export interface PointsMessage {
  t: 'points';
  n: number;
  /** Index into the names the worker sent so far. */
  ids: Uint32Array;
  nums: Float64Array;
  /** Epoch ms on the recorder's clock. */
  ts: Float64Array;
  flags: Uint8Array;
  /** Values that are not numbers, in order. */
  other: unknown[];
  /** [point index, tags] for the points that carry tags. */
  tags: Array<[number, Record<string, string>]> | null;
}

export type WorkerMessage =
  | { t: 'defined'; definition: DefinitionInfo }
  | { t: 'fatal'; stage: 'load' | 'setup'; message: string }
  | { t: 'ready' }
  | { t: 'names'; names: string[] }
  | PointsMessage
  | { t: 'rejected'; metric: string; rule: string; message: string; count: number }
  | { t: 'describe'; metric: string; info: MetricInfo }
  | { t: 'status'; text: string }
  | { t: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { t: 'command-on'; name: string; spec: CommandSpec }
  | { t: 'command-off'; name: string }
  | { t: 'command-done'; id: string; ok: true; value: unknown }
  | { t: 'command-done'; id: string; ok: false; error: string }
  | { t: 'pong'; n: number }
  | { t: 'stopped' }
  | SerialWorkerMessage;
