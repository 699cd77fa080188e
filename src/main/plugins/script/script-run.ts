// One run of a script plugin: its bundled code in a worker thread of its own, with a memory limit
// and a liveness check. Whatever the plugin does — throw (in setup or later), call process.exit,
// loop forever, allocate until its limit — ends this run with a reason the supervisor reports;
// the recorder's own thread never runs plugin code.

import { Worker } from 'node:worker_threads';
import { createInterface } from 'node:readline';
import type { ConfigResult } from '../../../shared/plugin-config';
import { errorMessage } from '../../../shared/util';
import type { CommandSpec, MetricInfo } from '../api';
import type { PluginRecorder } from '../plugin-recorder';
import type { SerialHolder, SerialPortRegistry } from '../serial/port-registry';
import { PluginEnded, type CommandCall, type EndReason, type LogLevel, type PluginRun } from '../types';
import { bundlePlugin, PluginBuildError } from './bundle';
import {
  CREDIT_HIGH_WATER,
  type DefinitionInfo,
  type HostMessage,
  type WorkerBoot,
  type WorkerMessage,
} from './protocol';
import { workerScript } from './worker-script';
import { describePluginError } from './stack';
import { SerialSession } from './serial-session';

export interface ScriptRunOptions {
  /** The plugin's entry file (.ts, .mts, .js, .mjs, .cjs). */
  entry: string;
  /** The module said what it is and takes: decide the config (or refuse it). */
  configure: (def: DefinitionInfo) => ConfigResult;
  recorder: PluginRecorder;
  log: (level: LogLevel, message: string) => void;
  describe: (metric: string, info: MetricInfo) => void;
  status: (text: string) => void;
  commandOn: (name: string, spec: CommandSpec) => void;
  commandOff: (name: string) => void;
  /** The recorder's clock (epoch ms), shared with the worker. */
  now: () => number;
  /** Heap limit of the worker (MB). */
  memoryMb: number;
  /** A worker that has not answered a ping for this long is stopped as hung (ms). */
  hangMs: number;
  pingMs: number;
  /** How long setup() may take before the run counts as hung (ms). */
  setupTimeoutMs: number;
  /** How long a stopping plugin gets to clean up before it is terminated (ms). */
  stopGraceMs: number;
  /** The worker's process.env (the recorder's own secrets are not in it). */
  env: Record<string, string>;
  /** Where its serial ports come from, and who it is to the other plugins. */
  serial: { registry: SerialPortRegistry; holder: SerialHolder };
}

export async function startScriptRun(o: ScriptRunOptions): Promise<PluginRun> {
  let code: string;
  try {
    code = await bundlePlugin(o.entry);
  } catch (e) {
    const message = e instanceof PluginBuildError ? e.message : `could not load: ${(e as Error).message}`;
    throw new PluginEnded({ kind: 'load-failed', message, retry: false });
  }
  const script = await workerScript();
  const credit = new SharedArrayBuffer(4);
  const creditView = new Int32Array(credit);
  const boot: WorkerBoot = { code, filename: o.entry, credit };
  const worker = new Worker(script.code ?? script.path!, {
    eval: script.code !== undefined,
    workerData: boot,
    env: o.env,
    stdout: true,
    stderr: true,
    resourceLimits: {
      maxOldGenerationSizeMb: o.memoryMb,
      maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.round(o.memoryMb / 8))),
      stackSizeMb: 4,
    },
  });
  const post = (m: HostMessage, transfer?: ArrayBuffer[]): void => {
    try {
      worker.postMessage(m, transfer ?? []);
    } catch (e) {
      // Only after the thread is gone (its last ports closing): nobody is left to tell.
      if (phase !== 'gone') throw e;
    }
  };
  // The serial driver cannot run in a worker: this thread holds the plugin's ports for it.
  const serial = new SerialSession(o.serial.registry, o.serial.holder, post, o.log);
  pipeLines(worker.stdout, (l) => o.log('info', l));
  pipeLines(worker.stderr, (l) => o.log('warn', l));

  let phase: 'loading' | 'setup' | 'running' | 'stopping' | 'gone' = 'loading';
  let resolveStart!: (r: PluginRun) => void;
  let rejectStart!: (e: Error) => void;
  const started = new Promise<PluginRun>((res, rej) => {
    resolveStart = res;
    rejectStart = rej;
  });
  let resolveEnded!: (r: EndReason) => void;
  const ended = new Promise<EndReason>((res) => (resolveEnded = res));
  let resolveGone!: () => void;
  const gone = new Promise<void>((res) => (resolveGone = res));
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let errorSeen: EndReason | null = null;
  let pingN = 0;
  let lastPong = Date.now();
  o.recorder.resetNames();

  const finish = (reason: EndReason): void => {
    if (phase === 'gone' || phase === 'stopping') return;
    const wasRunning = phase === 'running';
    phase = 'gone';
    clearInterval(pinger);
    clearTimeout(setupTimer);
    for (const p of pending.values()) p.reject(new Error(`the plugin stopped: ${reason.message}`));
    pending.clear();
    worker
      .terminate()
      .catch((e: unknown) => o.log('warn', `the plugin's thread did not end cleanly: ${errorMessage(e)}`));
    // Its ports are closed before the supervisor hears of the end: a restart finds them free.
    serial
      .closeAll(`the plugin ended (${reason.message})`)
      .catch((e: unknown) => o.log('warn', `closing its serial ports failed: ${errorMessage(e)}`))
      .finally(() => {
        if (wasRunning) resolveEnded(reason);
        else rejectStart(new PluginEnded(reason));
      });
  };

  worker.on('message', (m: WorkerMessage) => {
    switch (m.t) {
      case 'points':
        o.recorder.record(m);
        Atomics.sub(creditView, 0, m.n);
        Atomics.notify(creditView, 0);
        break;
      case 'names':
        o.recorder.names(m.names);
        break;
      case 'rejected':
        o.recorder.workerRejected(m.metric, m.rule, m.message, m.count);
        break;
      case 'pong':
        lastPong = Date.now();
        break;
      case 'defined': {
        const r = o.configure(m.definition);
        if (!r.ok) finish({ kind: 'config', message: r.message, retry: false });
        else {
          phase = 'setup';
          post({ t: 'clock', now: o.now() });
          post({ t: 'setup', config: r.config });
        }
        break;
      }
      case 'ready':
        if (phase !== 'setup') break;
        phase = 'running';
        clearTimeout(setupTimer);
        resolveStart(run);
        break;
      case 'fatal':
        finish(
          m.stage === 'load'
            ? { kind: 'load-failed', message: m.message, retry: false }
            : { kind: 'setup-failed', message: `setup failed: ${m.message}`, retry: true },
        );
        break;
      case 'describe':
        o.describe(m.metric, m.info);
        break;
      case 'status':
        o.status(m.text);
        break;
      case 'log':
        o.log(m.level, m.message);
        break;
      case 'command-on':
        o.commandOn(m.name, m.spec);
        break;
      case 'command-off':
        o.commandOff(m.name);
        break;
      case 'command-done': {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (p) {
          if (m.ok) p.resolve(m.value);
          else p.reject(new Error(m.error));
        }
        break;
      }
      case 'stopped':
        break;
      case 'serial-open':
      case 'serial-write':
      case 'serial-close':
      case 'serial-ack':
      case 'serial-list':
        serial.handle(m);
        break;
    }
  });
  worker.on('error', (e: Error & { code?: string }) => {
    errorSeen =
      e.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? { kind: 'out-of-memory', message: `ran out of memory (its limit is ${o.memoryMb} MB)`, retry: true }
        : { kind: 'threw', message: `threw: ${describePluginError(e)}`, retry: true };
    finish(errorSeen);
  });
  worker.on('exit', (code) => {
    resolveGone();
    finish(errorSeen ?? { kind: 'exited', message: `ended itself with process.exit(${code})`, retry: true });
  });

  const pinger = setInterval(() => {
    // A plugin waiting for the host to catch up (backpressure) is not hung.
    const waiting = Atomics.load(creditView, 0) > CREDIT_HIGH_WATER;
    if (!waiting && Date.now() - lastPong > o.hangMs) {
      finish({
        kind: 'hung',
        message: `stopped answering for ${Math.round(o.hangMs / 1000)} s (an endless loop?) and was terminated`,
        retry: true,
      });
      return;
    }
    if (waiting) lastPong = Date.now();
    post({ t: 'ping', n: ++pingN });
    post({ t: 'clock', now: o.now() });
  }, o.pingMs);
  const setupTimer = setTimeout(() => {
    if (phase === 'loading' || phase === 'setup')
      finish({
        kind: 'hung',
        message: `did not finish ${phase === 'loading' ? 'loading' : 'setup()'} within ${Math.round(o.setupTimeoutMs / 1000)} s`,
        retry: true,
      });
  }, o.setupTimeoutMs);

  const run: PluginRun = {
    ended,
    pid: null,
    async stop() {
      if (phase === 'gone') {
        await gone;
        await serial.closeAll('the plugin stopped'); // waits for the ports its end is closing
        return;
      }
      phase = 'stopping';
      clearInterval(pinger);
      clearTimeout(setupTimer);
      for (const p of pending.values()) p.reject(new Error('the plugin is stopping'));
      pending.clear();
      post({ t: 'stop' });
      const stoppedMsg = new Promise<void>((res) => {
        const onMsg = (m: WorkerMessage): void => {
          if (m.t === 'stopped') {
            worker.off('message', onMsg);
            res();
          }
        };
        worker.on('message', onMsg);
      });
      let grace: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([stoppedMsg, gone, new Promise<void>((res) => (grace = setTimeout(res, o.stopGraceMs)))]);
      clearTimeout(grace);
      phase = 'gone';
      await worker.terminate();
      await gone;
      await serial.closeAll('the plugin stopped');
    },
    command(name: string, params: Record<string, unknown>, call: CommandCall) {
      if (phase !== 'running') return Promise.reject(new Error('the plugin is not running'));
      return new Promise((resolve, reject) => {
        pending.set(call.id, { resolve, reject });
        call.signal.addEventListener('abort', () => {
          if (!pending.delete(call.id)) return;
          post({ t: 'command-abort', id: call.id });
          reject(new Error('aborted'));
        });
        post({ t: 'command', id: call.id, name, params, receivedAt: call.receivedAt });
      });
    },
  };
  return started;
}

function pipeLines(stream: NodeJS.ReadableStream | null, fn: (line: string) => void): void {
  if (!stream) return;
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', (l) => {
    if (l.trim() !== '') fn(l.length > 2000 ? `${l.slice(0, 1999)}…` : l);
  });
}
