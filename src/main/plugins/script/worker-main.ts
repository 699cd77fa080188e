// Runs inside a script plugin's worker thread: evaluates the plugin's bundled code, reports what
// it declared, builds the `ctx` the plugin gets, and speaks the protocol with the host. Every point
// is checked here with the client's own rules (so a bad one is reported at once, with its rule,
// and never crosses); metric names are checked by the host, which adds the instance's prefix.

import Module from 'node:module';
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { schemaProblem } from '../../../shared/plugin-config';
import { ValidationError, describeValue } from '../../plexus/errors';
import { encodeTags, encodeValue, normalizeTimestamp } from '../../plexus/validate';
import * as api from '../api';
import type { CommandHandler, CommandSpec, MetricInfo, PluginContext, PluginDefinition, SendOptions } from '../api';
import { PointBatcher } from './point-batcher';
import { describePluginError } from './stack';
import { workerSerial } from './worker-serial';
import { FLAG_EVENT, type DefinitionInfo, type HostMessage, type WorkerBoot, type WorkerMessage } from './protocol';

const port = parentPort!;
const boot = workerData as WorkerBoot;
const post = (msg: WorkerMessage, transfer?: ArrayBuffer[]): void => port.postMessage(msg, transfer ?? []);

// Stack traces point into the plugin's own .ts lines (the bundle carries an inline source map).
process.setSourceMapsEnabled(true);

// `process.kill(process.pid)` would end the whole recorder, not just this plugin.
const realKill = process.kill.bind(process);
process.kill = (pid: number, signal?: string | number) => {
  if (pid === process.pid || pid === 0 || pid === -process.pid)
    throw new Error('a plugin cannot signal the recorder itself; call process.exit() to end the plugin');
  return realKill(pid, signal);
};

// ── the recorder's clock ─────────────────────────────────────────────────────────────────────
const local = (): number => performance.timeOrigin + performance.now();
let clockOffset = 0;
const now = (): number => local() + clockOffset;

// ── rejected points: reported with their rule, the first few of each rule in full ────────────
const REPORT_FIRST = 5;
const rejectedByRule = new Map<string, number>();
let rejectedUnreported = 0;

function reject(metric: unknown, e: unknown): void {
  const rule = e instanceof ValidationError ? e.rule : 'value.type';
  const message = e instanceof Error ? e.message : String(e);
  const n = (rejectedByRule.get(rule) ?? 0) + 1;
  rejectedByRule.set(rule, n);
  const name = typeof metric === 'string' ? metric : describeValue(metric);
  if (n <= REPORT_FIRST) {
    post({ t: 'rejected', metric: name, rule, message, count: 1 + rejectedUnreported });
    rejectedUnreported = 0;
  } else rejectedUnreported++;
}

function flushRejectedCount(): void {
  if (rejectedUnreported === 0) return;
  post({ t: 'rejected', metric: '', rule: '', message: '', count: rejectedUnreported });
  rejectedUnreported = 0;
}

const batcher = new PointBatcher(post, boot.credit);
const serial = workerSerial(post);

// Points sent just before a crash still reach the recording: flushed before the worker dies
// (the host drains the worker's messages before it hears of the exit).
process.on('uncaughtExceptionMonitor', () => batcher.flush());
process.on('exit', () => batcher.flush());

/** Checks one point with the client's rules and queues it; a bad one is reported, not thrown. */
function queuePoint(metric: unknown, value: unknown, ts: unknown, tags: unknown, event: boolean): void {
  try {
    if (typeof metric !== 'string' || metric.length === 0)
      throw new ValidationError(
        'metric.required',
        metric,
        `metric name must be a non-empty string, got ${describeValue(metric)}`,
      );
    let v: unknown = value;
    if (typeof value !== 'number' || event) {
      const [, json] = encodeValue(value, event);
      // Objects cross as their JSON's value: nothing uncloneable (functions, class instances) can.
      if (typeof value === 'object') v = JSON.parse(json) as unknown;
    } else if (!Number.isFinite(value)) encodeValue(value, false); // throws the finite rule
    const t = ts === undefined ? Math.round(now()) : normalizeTimestamp(ts);
    let tagCopy: Record<string, string> | undefined;
    if (tags !== undefined) {
      const json = encodeTags(tags, undefined);
      if (json) tagCopy = JSON.parse(json) as Record<string, string>;
    }
    batcher.add(metric, v, t, event ? FLAG_EVENT : 0, tagCopy);
  } catch (e) {
    reject(metric, e);
  }
}

// ── commands ─────────────────────────────────────────────────────────────────────────────────
const COMMAND_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$/;
const commands = new Map<string, CommandHandler>();
const runningCommands = new Map<string, AbortController>();

async function runCommand(m: Extract<HostMessage, { t: 'command' }>): Promise<void> {
  const handler = commands.get(m.name);
  if (!handler) {
    post({ t: 'command-done', id: m.id, ok: false, error: `this plugin has no command "${m.name}" (any more)` });
    return;
  }
  const ac = new AbortController();
  runningCommands.set(m.id, ac);
  try {
    const value = await handler(m.params, { id: m.id, receivedAt: m.receivedAt, signal: ac.signal });
    let safe: unknown = { ok: true };
    if (value !== undefined) {
      const json = JSON.stringify(value);
      if (json === undefined) throw new Error('the command handler returned something that is not JSON');
      safe = JSON.parse(json) as unknown;
    }
    // Points the handler sent are recorded before the platform hears the command is done.
    batcher.flush();
    post({ t: 'command-done', id: m.id, ok: true, value: safe });
  } catch (e) {
    batcher.flush();
    post({ t: 'command-done', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  } finally {
    runningCommands.delete(m.id);
  }
}

// ── ctx ──────────────────────────────────────────────────────────────────────────────────────
const stopping = new AbortController();
const text = (v: unknown, max: number): string => {
  const s = typeof v === 'string' ? v : String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

function checkInfo(info: unknown): MetricInfo {
  if (typeof info !== 'object' || info === null) throw new TypeError('describe() takes { unit?, label?, min?, max? }');
  const i = info as Record<string, unknown>;
  const out: MetricInfo = {};
  if (i.unit !== undefined) out.unit = text(i.unit, 32);
  if (i.label !== undefined) out.label = text(i.label, 100);
  for (const k of ['min', 'max'] as const) {
    if (i[k] === undefined) continue;
    if (typeof i[k] !== 'number' || !Number.isFinite(i[k])) throw new TypeError(`describe(): ${k} must be a number`);
    out[k] = i[k];
  }
  return out;
}

function makeContext(config: Record<string, unknown>): PluginContext<Record<string, unknown>> {
  const log = (level: 'info' | 'warn' | 'error') => (message: string) =>
    post({ t: 'log', level, message: text(message, 2000) });
  return {
    config: Object.freeze({ ...config }),
    send(metric, value, opts?: SendOptions) {
      queuePoint(metric, value, opts?.timestamp, opts?.tags, false);
    },
    sendBatch(points, opts?: SendOptions) {
      if (points === null || typeof points !== 'object') {
        reject(
          '(batch)',
          new ValidationError(
            'batch.type',
            points,
            'sendBatch takes an array of points or an object of metric → value',
          ),
        );
        return;
      }
      const ts = opts?.timestamp !== undefined ? opts.timestamp : now();
      if (Array.isArray(points)) {
        for (const p of points as unknown[]) {
          if (!p || typeof p !== 'object') {
            reject(
              '(batch)',
              new ValidationError(
                'batch.point',
                p,
                `each point must be an object { metric, value }, got ${describeValue(p)}`,
              ),
            );
            continue;
          }
          const q = p as { metric: unknown; value: unknown; timestamp?: unknown; tags?: Record<string, string> };
          const tags = q.tags !== undefined || opts?.tags !== undefined ? { ...opts?.tags, ...q.tags } : undefined;
          queuePoint(q.metric, q.value, q.timestamp ?? ts, tags, false);
        }
      } else {
        for (const [metric, value] of Object.entries(points)) queuePoint(metric, value, ts, opts?.tags, false);
      }
    },
    event(name, data = true, opts?: SendOptions) {
      queuePoint(name, data, opts?.timestamp, opts?.tags, true);
    },
    describe(metric, info) {
      if (typeof metric !== 'string' || metric.length === 0) throw new TypeError('describe() needs a metric name');
      post({ t: 'describe', metric, info: checkInfo(info) });
    },
    onCommand(name, handler, spec?: CommandSpec) {
      if (typeof name !== 'string' || !COMMAND_NAME.test(name))
        throw new TypeError(`command name ${describeValue(name)} must be 1–128 letters, digits, "_", ".", ":" or "-"`);
      if (typeof handler !== 'function') throw new TypeError(`the handler of command "${name}" must be a function`);
      commands.set(name, handler);
      const s = spec ? (JSON.parse(JSON.stringify(spec)) as CommandSpec) : {};
      post({ t: 'command-on', name, spec: s });
      return () => {
        if (commands.get(name) !== handler) return;
        commands.delete(name);
        post({ t: 'command-off', name });
      };
    },
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    status(t) {
      post({ t: 'status', text: text(t, 200) });
    },
    signal: stopping.signal,
    now,
    serial: serial.serial,
  };
}

// ── lifecycle ────────────────────────────────────────────────────────────────────────────────
let definition: PluginDefinition<undefined> | null = null;
let cleanup: (() => void | Promise<void>) | null = null;

function load(): void {
  // A real CommonJS module (not vm code): Node then maps stack traces through the bundle's inline
  // source map, and the plugin's own require()s resolve from its folder.
  const module = new Module(boot.filename) as Module & { _compile(code: string, filename: string): void };
  module.filename = boot.filename;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    dirname(boot.filename),
  );
  const plain = module.require.bind(module);
  module.require = Object.assign((id: string): unknown => (id === 'plexus-bench/plugin' ? api : plain(id)), plain);
  module._compile(boot.code, boot.filename);
  const exported = module.exports as { default?: unknown; __esModule?: boolean };
  const def = (exported.default ?? exported) as Partial<PluginDefinition<undefined>>;
  const problems: string[] = [];
  if (!def || typeof def !== 'object')
    problems.push('the module exports no plugin (export default definePlugin({...}))');
  else {
    for (const k of ['id', 'name', 'version'] as const)
      if (typeof def[k] !== 'string' || def[k] === '') problems.push(`"${k}" must be non-empty text`);
    if (typeof def.setup !== 'function') problems.push('"setup" must be a function');
    if (def.config !== undefined) {
      const p = schemaProblem(def.config);
      if (p) problems.push(p);
    }
  }
  if (problems.length) throw new Error(`not a plugin definition: ${problems.join('; ')}`);
  definition = def as PluginDefinition<undefined>;
  const info: DefinitionInfo = {
    id: definition.id,
    name: definition.name,
    version: definition.version,
    description: typeof definition.description === 'string' ? definition.description : null,
    config: (definition.config as unknown as DefinitionInfo['config']) ?? null,
    prefixMetrics: definition.prefixMetrics !== false,
  };
  post({ t: 'defined', definition: JSON.parse(JSON.stringify(info)) as DefinitionInfo });
}

async function setup(config: Record<string, unknown>): Promise<void> {
  try {
    const r = await definition!.setup(makeContext(config));
    if (typeof r === 'function') cleanup = r;
    post({ t: 'ready' });
  } catch (e) {
    batcher.flush();
    post({ t: 'fatal', stage: 'setup', message: describePluginError(e) });
  }
}

async function stop(): Promise<void> {
  stopping.abort();
  for (const ac of runningCommands.values()) ac.abort();
  try {
    await cleanup?.();
  } catch (e) {
    post({ t: 'log', level: 'error', message: `cleanup failed: ${describePluginError(e)}` });
  }
  batcher.flush();
  flushRejectedCount();
  post({ t: 'stopped' });
}

port.on('message', (m: HostMessage) => {
  switch (m.t) {
    case 'ping':
      flushRejectedCount();
      post({ t: 'pong', n: m.n });
      break;
    case 'clock':
      clockOffset = m.now - local();
      break;
    case 'setup':
      // setup() reports its own failures as 'fatal'; anything else escaping it is a runtime bug.
      setup(m.config).catch((e: unknown) => post({ t: 'fatal', stage: 'setup', message: describePluginError(e) }));
      break;
    case 'command':
      runCommand(m).catch((e: unknown) =>
        post({ t: 'log', level: 'error', message: `command ${m.id} failed: ${describePluginError(e)}` }),
      );
      break;
    case 'command-abort':
      runningCommands.get(m.id)?.abort();
      break;
    case 'stop':
      stop().catch((e: unknown) =>
        post({ t: 'log', level: 'error', message: `stopping failed: ${describePluginError(e)}` }),
      );
      break;
    default:
      serial.handle(m);
  }
});

try {
  load();
} catch (e) {
  post({ t: 'fatal', stage: 'load', message: describePluginError(e) });
}
