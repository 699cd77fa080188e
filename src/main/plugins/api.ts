/**
 * The Plexus Bench plugin API: `import { definePlugin } from 'plexus-bench/plugin'`.
 *
 * A script plugin is one module whose default export is `definePlugin({...})`. The recorder runs
 * it in a worker thread of its own and hands `setup` a {@link PluginContext} — the only thing a
 * plugin gets: never the API key, the settings, the database or another plugin. A plugin that
 * throws, exits, hangs or runs out of memory is stopped, reported and restarted; the recording
 * goes on.
 *
 * ```ts
 * import { definePlugin } from 'plexus-bench/plugin';
 *
 * export default definePlugin({
 *   id: 'bench-psu',
 *   name: 'Bench power supply',
 *   version: '1.0.0',
 *   config: {
 *     type: 'object',
 *     properties: { rateHz: { type: 'number', default: 10, minimum: 0.1, maximum: 1000 } },
 *   },
 *   setup(ctx) {
 *     ctx.describe('voltage', { unit: 'V', min: 0, max: 30 });
 *     const timer = setInterval(() => ctx.send('voltage', 12.4), 1000 / ctx.config.rateHz);
 *     return () => clearInterval(timer); // runs on stop
 *   },
 * });
 * ```
 *
 * Everything here is stable: additions only, within a major version.
 *
 * @packageDocumentation
 */

import type { ConfigSchema } from '../../shared/plugin-config';
import type { PortInfo } from '../../shared/ports';

export type {
  BooleanField,
  ConfigField,
  ConfigSchema,
  NumberField,
  ScalarField,
  StringField,
  TableField,
  TableItems,
  TableRow,
} from '../../shared/plugin-config';

/** A value a plugin records. Numbers are metrics; text, booleans, objects and arrays are events. */
export type PointValue = number | string | boolean | { [key: string]: unknown } | unknown[];

/** Options of one point or batch. */
export interface SendOptions {
  /**
   * When it happened: epoch milliseconds (or a Date). Default: now on the recorder's clock
   * ({@link PluginContext.now}), which is synchronised with the Plexus gateway.
   */
  timestamp?: number | Date;
  /** Up to 16 string → string pairs stored with the point (e.g. `{ channel: "2" }`). */
  tags?: Record<string, string>;
}

/** One point of {@link PluginContext.sendBatch}. */
export interface BatchPoint {
  metric: string;
  value: PointValue;
  /** Default: the batch's timestamp. */
  timestamp?: number | Date;
  tags?: Record<string, string>;
}

/** How the window shows a metric. */
export interface MetricInfo {
  /** Unit shown after the value, e.g. "V", "°C", "rpm". */
  unit?: string;
  /** A friendlier name than the metric's, e.g. "Output voltage". */
  label?: string;
  /** Expected range, for charts and gauges. */
  min?: number;
  max?: number;
}

/** A parameter of a remote command, as advertised to the Plexus platform. */
export interface CommandParam {
  name: string;
  /** e.g. "string", "int", "float", "bool". */
  type: string;
  description?: string;
}

/** What a command does and takes, as advertised to the Plexus platform. */
export interface CommandSpec {
  description?: string;
  params?: CommandParam[];
  /** Answer with an error when the handler has not finished after this long (ms, default 60,000). */
  timeoutMs?: number;
  /**
   * true: a call from the platform waits in the recorder's inbox until the technician approves
   * it; only then does the handler run (the time to approve does not count against `timeoutMs`).
   * Rejected, the platform gets an error with the technician's reason; unanswered, it times out.
   * The technician's own calls from the window need no approval.
   */
  requiresApproval?: boolean;
}

/** About the command being handled. */
export interface CommandInfo {
  /** The command's id (a UUID from the platform). */
  id: string;
  /** When it arrived, on the recorder's clock (epoch ms). */
  receivedAt: number;
  /** Aborted when the command timed out or the plugin is stopping. */
  signal: AbortSignal;
}

/**
 * Handles a remote command. Its return value (anything JSON) is the command's result; a thrown
 * error (or rejected promise) answers with the error's message. The platform gets an `ack`
 * before the handler runs.
 */
export type CommandHandler = (params: Record<string, unknown>, info: CommandInfo) => unknown;

/** The plugin's log, shown in the window (newest lines) and kept with the app's logs. */
export interface PluginLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** How a serial port is set up: the device's manual says. Unknown keys are refused. */
export interface SerialOptions {
  /** Bits per second, a whole number from 50 to 4,000,000 (e.g. 9600, 115200). */
  baudRate: number;
  /** Default 8. */
  dataBits?: 5 | 6 | 7 | 8;
  /** Default "none". */
  parity?: 'none' | 'even' | 'odd' | 'mark' | 'space';
  /** Default 1. */
  stopBits?: 1 | 1.5 | 2;
}

/**
 * An open serial port. The recorder opened it (its own thread holds the port); bytes cross to and
 * from the plugin in order. Closed by the recorder when the plugin stops, crashes or restarts.
 */
export interface SerialLink {
  /** The path it was opened with, e.g. "/dev/ttyUSB0" or "COM3". */
  readonly path: string;
  /** false once it closed: by `close()`, unplugged, or an error (see {@link SerialLink.onClose}). */
  readonly isOpen: boolean;
  /**
   * Bytes as they arrive, in order, a few milliseconds' worth at a time (a chunk boundary says
   * nothing about the device's framing). Bytes that arrive before the first listener wait for
   * it. Returns a function that removes the listener.
   */
  onData(listener: (bytes: Uint8Array) => void): () => void;
  /**
   * The port closed without the plugin asking: unplugged, an error, or closed by the recorder.
   * `reason` is for a person, e.g. "/dev/ttyUSB0 disappeared (unplugged?)". Not called for the
   * plugin's own `close()`. Returns a function that removes the listener.
   */
  onClose(listener: (reason: string) => void): () => void;
  /**
   * Send bytes (text is sent as UTF-8). Resolves once the operating system has sent them all
   * (drained); rejects when the port closed first. Writes go out in the order they were made.
   */
  write(data: Uint8Array | string): Promise<void>;
  /** Close the port. Writes not yet sent are abandoned (their promises reject). */
  close(): Promise<void>;
}

/** A serial port the recorder sees (USB details need udev on Linux): the window's port picker's shape. */
export type SerialPortInfo = PortInfo;

/**
 * Serial ports, opened by the recorder on the plugin's behalf: serial drivers cannot run inside
 * a plugin's thread, so npm serial packages do not work in a script plugin — use these.
 */
export interface SerialPorts {
  /**
   * Open a port. Rejects with an Error whose message is for a person: the port is not there,
   * permission is denied (and which group to join), it is busy (and who holds it: a program, the
   * recorder's own serial source or a plugin, by name), or the options are wrong (which and why).
   */
  open(path: string, options: SerialOptions): Promise<SerialLink>;
  /** The ports the recorder sees. Pseudo-terminals are not listed; open them by path. */
  list(): Promise<SerialPortInfo[]>;
}

/**
 * What `setup` gets: the plugin's whole view of the recorder.
 *
 * Metric, event and command names are prefixed with the plugin instance's name (`psu` +
 * `voltage` → `psu.voltage`), unless the plugin sets `prefixMetrics: false`. Every point is
 * checked against the Plexus gateway's rules; a point that breaks one is not recorded, and the
 * plugin's log says which rule (the plugin keeps running). Calls never throw for bad points.
 */
export interface PluginContext<Config = Record<never, never>> {
  /** The instance's config: the schema's defaults overlaid with what the technician set, checked. */
  readonly config: Readonly<Config>;
  /** Record one value now (or at `opts.timestamp`). Numbers are metrics; anything else an event. */
  send(metric: string, value: PointValue, opts?: SendOptions): void;
  /**
   * Record many values: an array of points, or an object of metric → value. They share one
   * timestamp unless a point has its own. The fast path: points cross to the recorder in batches.
   */
  sendBatch(points: readonly BatchPoint[] | { readonly [metric: string]: PointValue }, opts?: SendOptions): void;
  /** Record an event (a number stays an event here). `data` defaults to `true`. */
  event(name: string, data?: PointValue, opts?: SendOptions): void;
  /** Units and display hints for a metric, shown wherever the window shows its values. */
  describe(metric: string, info: MetricInfo): void;
  /**
   * Answer a remote command from the Plexus platform. Returns a function that removes the
   * handler. Handlers are removed when the plugin stops.
   */
  onCommand(name: string, handler: CommandHandler, spec?: CommandSpec): () => void;
  readonly log: PluginLog;
  /** One line shown under the plugin in the window, e.g. "connected to 192.168.1.40". */
  status(text: string): void;
  /** Aborted when the plugin is stopped: end loops, close sockets, clear timers. */
  readonly signal: AbortSignal;
  /** Now on the recorder's clock (epoch ms, synchronised with the gateway, never jumps back). */
  now(): number;
  /** Serial ports, opened by the recorder on the plugin's behalf (see {@link SerialPorts}). */
  readonly serial: SerialPorts;
}

/** What `setup` may return: a function run when the plugin stops (may be async). */
export type Cleanup = () => void | Promise<void>;

/** A plugin, as `definePlugin` takes it. */
export interface PluginDefinition<S extends ConfigSchema | undefined = undefined> {
  /** Stable id: lowercase letters, digits, "-" and "_" (e.g. "bench-psu"). */
  id: string;
  /** Shown to the technician. */
  name: string;
  /** The plugin's version, e.g. "1.2.0". */
  version: string;
  description?: string;
  /** The config the technician edits in the window (a form is drawn from it). */
  config?: S;
  /** false: metric, event and command names are used as given, without the instance's name. */
  prefixMetrics?: boolean;
  /**
   * Starts the plugin. May be async; the plugin counts as running once it resolves. Return a
   * cleanup function to run on stop (or watch `ctx.signal`).
   */
  setup(ctx: PluginContext<ConfigOf<S>>): void | Cleanup | Promise<void | Cleanup>;
}

type ScalarType<F> = F extends { enum: readonly (infer E)[] }
  ? E
  : F extends { type: 'number' | 'integer' }
    ? number
    : F extends { type: 'string' }
      ? string
      : F extends { type: 'boolean' }
        ? boolean
        : never;

/** Keys listed in an object schema's `required` (never when it has none). */
type RequiredOf<T> = T extends { required: readonly (infer R)[] } ? R : never;

/** Keys always present: those with a default or listed as required. */
type AlwaysSet<P, R> = {
  [K in keyof P]: P[K] extends { default: unknown } ? K : K extends R ? K : never;
}[keyof P];

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** One row of a table field: its columns typed like fields, always-set columns non-optional. */
type RowOf<I> = I extends { properties: infer P }
  ? Flatten<
      { -readonly [K in AlwaysSet<P, RequiredOf<I>>]: ScalarType<P[K]> } & {
        -readonly [K in Exclude<keyof P, AlwaysSet<P, RequiredOf<I>>>]?: ScalarType<P[K]>;
      }
    >
  : never;

type FieldType<F> = F extends { type: 'array'; items: infer I } ? Array<RowOf<I>> : ScalarType<F>;

/**
 * The config type a schema describes: fields with a default or listed as required are always
 * set; the others may be missing. An enum field is the union of its values; a table field an
 * array of rows, typed the same way column by column.
 */
export type ConfigOf<S extends ConfigSchema | undefined> = S extends ConfigSchema
  ? Flatten<
      { -readonly [K in AlwaysSet<S['properties'], RequiredOf<S>>]: FieldType<S['properties'][K]> } & {
        -readonly [K in Exclude<keyof S['properties'], AlwaysSet<S['properties'], RequiredOf<S>>>]?: FieldType<
          S['properties'][K]
        >;
      }
    >
  : Record<never, never>;

/**
 * Declares a plugin. Returns its argument unchanged; its use is the typing: `ctx.config` is typed
 * from the `config` schema, so `ctx.config.rateHz` is a `number` when the schema says so.
 */
export function definePlugin<const S extends ConfigSchema | undefined = undefined>(
  definition: PluginDefinition<S>,
): PluginDefinition<S> {
  return definition;
}
