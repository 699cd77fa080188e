// One run of a process plugin: any program (Python, a shell script, a vendor's CLI) started as a
// child process. Its stdout is data, read like a serial device's lines; its stderr goes to the
// plugin's log; remote commands go to its stdin as JSON lines and the answers come back on stdout
// among the data. Whatever it prints, nothing here throws into the recorder. Stopping ends the
// whole tree it started, and so does the recorder dying (see process-tree.ts).

import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { LineReader } from '../../devices/lines/line-reader';
import type { ParserKind } from '../../devices/types';
import type { PluginRecorder } from '../plugin-recorder';
import { PluginEnded, type CommandCall, type EndReason, type LogLevel, type PluginRun } from '../types';
import { descendants, SHIM, signalTree, taskkill, type ProcInfo } from './process-tree';
import { checkFolder, resolveCommand } from './resolve-command';
import { StderrLog } from './stderr-log';

export interface ProcessRunOptions {
  /** The command: a name looked up on PATH (of `env`), or a path (relative paths resolve against `cwd`). */
  command: string;
  args: string[];
  /** Absolute working folder. */
  cwd: string;
  /** The complete environment for the process (the caller builds it; do not merge process.env yourself). */
  env: Record<string, string>;
  parser: ParserKind | 'auto';
  /** Metric prefix ('' for none). */
  prefix: string;
  recorder: PluginRecorder;
  log: (level: LogLevel, message: string) => void;
  /** After SIGTERM, how long before the whole process tree is killed (ms). */
  stopGraceMs: number;
}

const WINDOWS = process.platform === 'win32';
/** After the process ended, how long its output may take to drain before we stop waiting (ms). */
const DRAIN_MS = 2000;

export async function startProcessRun(o: ProcessRunOptions): Promise<PluginRun> {
  const folderProblem = checkFolder(o.cwd);
  if (folderProblem) throw spawnFailed(folderProblem);
  // Found before spawning: the shim would only report a missing program as exit code 127.
  const cmd = resolveCommand(o.command, o.cwd, o.env);
  if (!cmd.ok) throw spawnFailed(cmd.message);
  let child: ChildProcess;
  try {
    child = spawnPlugin(cmd.path, o);
  } catch (e) {
    throw spawnFailed(`could not start "${o.command}": ${(e as Error).message}`);
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e: NodeJS.ErrnoException) => {
      // Out of processes or files: this may pass, so a restart is worth trying.
      const retry = ['EAGAIN', 'EMFILE', 'ENFILE', 'ENOMEM'].includes(e.code ?? '');
      reject(spawnFailed(`could not start "${o.command}": ${e.message}`, retry));
    });
  });
  return new ProcessRun(child, o);
}

function spawnFailed(message: string, retry = false): PluginEnded {
  return new PluginEnded({ kind: 'spawn-failed', message, retry });
}

function spawnPlugin(file: string, o: ProcessRunOptions): ChildProcess {
  const base = { cwd: o.cwd, env: o.env, windowsHide: true };
  if (!WINDOWS)
    return spawn('/bin/sh', ['-c', SHIM, 'plexus-plugin', file, ...o.args], {
      ...base,
      detached: true, // a process group of its own, so it can be ended as a whole
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'], // fd 3: the watcher's lifeline to us
    });
  if (/\.(cmd|bat)$/i.test(file)) {
    // Node does not start batch files directly: they run through cmd.exe.
    const line = [file, ...o.args].map((a) => `"${a.replace(/"/g, '""')}"`).join(' ');
    return spawn(o.env.ComSpec ?? 'cmd.exe', ['/d', '/s', '/c', `"${line}"`], {
      ...base,
      windowsVerbatimArguments: true,
      stdio: 'pipe',
    });
  }
  return spawn(file, o.args, { ...base, stdio: 'pipe' });
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
}

class ProcessRun implements PluginRun {
  readonly pid: number;
  readonly ended: Promise<EndReason>;
  private resolveEnded!: (r: EndReason) => void;
  private resolveGone!: () => void;
  private readonly gone = new Promise<void>((res) => (this.resolveGone = res));
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exitWaiters: Array<() => void> = [];
  private stopping: Promise<void> | null = null;
  private readonly pending = new Map<string, Pending>();
  private stdinProblem: string | null = null;
  private readonly reader: LineReader;
  private readonly stderr: StderrLog;
  private readerEnded = false;

  constructor(
    private readonly child: ChildProcess,
    private readonly o: ProcessRunOptions,
  ) {
    this.pid = child.pid!;
    this.ended = new Promise<EndReason>((res) => (this.resolveEnded = res));
    this.reader = new LineReader(o.recorder.lineSink(), {
      prefix: o.prefix,
      parser: o.parser,
      log: o.log,
      intercept: (line) => this.answer(line),
    });
    this.stderr = new StderrLog(o.log);
    const safely = (what: string, fn: () => void): void => {
      try {
        fn();
      } catch (e) {
        o.log('error', `${what}: ${(e as Error).message}`);
      }
    };
    child.stdout!.on('data', (b: Buffer) => safely('reading its output', () => this.reader.push(b)));
    child.stdout!.on('end', () => safely('reading its output', () => this.endReader()));
    child.stderr!.on('data', (b: Buffer) => safely('reading its error output', () => this.stderr.push(b)));
    child.stdin!.on('error', (e: NodeJS.ErrnoException) => (this.stdinProblem ??= stdinMessage(e)));
    for (const s of [child.stdout, child.stderr, this.lifeline()]) s?.on('error', () => {});
    child.on('error', (e) => o.log('error', `process: ${e.message}`));
    child.on('exit', (code, signal) => safely('after it ended', () => this.exited(code, signal)));
    child.on('close', () => safely('after it ended', () => this.closed()));
  }

  /** The pipe the shim's watcher reads (POSIX); closing it makes the watcher kill the group. */
  private lifeline(): Duplex | undefined {
    return (this.child.stdio[3] as Duplex | null | undefined) ?? undefined;
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.exit = { code, signal };
    for (const w of this.exitWaiters.splice(0)) w();
    for (const p of this.pending.values()) p.reject(new Error('the plugin stopped'));
    this.pending.clear();
    // Helpers it left behind go with it: its group now, and the watcher kills it as well.
    if (!WINDOWS) signalTree(this.pid, [], 'SIGKILL');
    this.lifeline()?.destroy();
    // A helper outside the group may still hold its output open: do not wait for it forever.
    setTimeout(() => {
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
    }, DRAIN_MS).unref();
  }

  /** Exited and its output read to the end (or given up on): report, if it ended by itself. */
  private closed(): void {
    try {
      this.endReader();
      this.reader.close();
      this.stderr.end();
    } finally {
      if (!this.stopping && this.exit) this.resolveEnded(this.reason(this.exit.code, this.exit.signal));
      this.resolveGone();
    }
  }

  private endReader(): void {
    if (this.readerEnded) return;
    this.readerEnded = true;
    this.reader.end();
  }

  private reason(code: number | null, signal: NodeJS.Signals | null): EndReason {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`;
    const last = this.stderr.last;
    const tail = last ? ` — last error output: "${last.length > 300 ? `${last.slice(0, 299)}…` : last}"` : '';
    return { kind: 'exited', message: `${how}${tail}`, retry: true };
  }

  stop(): Promise<void> {
    this.stopping ??= this.terminate();
    return this.stopping;
  }

  /** SIGTERM to all of it, the grace period, then SIGKILL to whatever is left. */
  private async terminate(): Promise<void> {
    if (!this.exit) {
      if (WINDOWS) {
        await taskkill(this.pid, false);
        if (!(await this.exitWithin(this.o.stopGraceMs))) await taskkill(this.pid, true);
      } else {
        // Seen before signalling: helpers that left the group are found only through their parents.
        const known: ProcInfo[] = descendants(this.pid);
        signalTree(this.pid, known, 'SIGTERM');
        if (!(await this.exitWithin(this.o.stopGraceMs))) known.push(...descendants(this.pid));
        signalTree(this.pid, known, 'SIGKILL');
      }
    }
    await this.gone;
  }

  private exitWithin(ms: number): Promise<boolean> {
    if (this.exit) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  command(name: string, params: Record<string, unknown>, call: CommandCall): Promise<unknown> {
    if (this.exit || this.stopping) return Promise.reject(new Error('the plugin is not running'));
    if (this.stdinProblem) return Promise.reject(new Error(this.stdinProblem));
    if (call.signal.aborted) return Promise.reject(new Error('the command was cancelled'));
    if (this.pending.has(call.id)) return Promise.reject(new Error(`a command with id ${call.id} is already running`));
    let line: string;
    try {
      line = `${JSON.stringify({ type: 'command', id: call.id, command: name, params })}\n`;
    } catch (e) {
      return Promise.reject(new Error(`the command's parameters cannot be sent as JSON: ${(e as Error).message}`));
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (this.pending.get(call.id) !== entry) return;
        this.pending.delete(call.id);
        reject(new Error('the command was cancelled before the plugin answered'));
      };
      const entry: Pending = {
        resolve: (v) => {
          call.signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          call.signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      this.pending.set(call.id, entry);
      call.signal.addEventListener('abort', onAbort, { once: true });
      this.child.stdin!.write(line, (err) => {
        if (!err || this.pending.get(call.id) !== entry) return;
        this.pending.delete(call.id);
        this.stdinProblem ??= stdinMessage(err);
        entry.reject(new Error(this.stdinProblem));
      });
    });
  }

  /** A stdout line that answers a command is consumed here, never recorded as data. */
  private answer(line: string): boolean {
    // Cheap test first: data lines (hundreds of thousands a second) never get parsed as JSON here.
    const first = line.charCodeAt(0);
    if (first !== 123 /* { */ && (first !== 32 || line.trimStart().charCodeAt(0) !== 123)) return false;
    if (line.indexOf('command_result') === -1) return false;
    let m: unknown;
    try {
      m = JSON.parse(line);
    } catch {
      return false;
    }
    if (typeof m !== 'object' || m === null) return false;
    const a = m as { type?: unknown; id?: unknown; result?: unknown; error?: unknown };
    if (a.type !== 'command_result' || typeof a.id !== 'string') return false;
    const p = this.pending.get(a.id);
    if (!p) {
      this.o.log(
        'warn',
        `an answer to command ${JSON.stringify(a.id.slice(0, 100))} came, but no such command is waiting (it timed out, was cancelled, or the id is wrong) — ignored`,
      );
      return true;
    }
    this.pending.delete(a.id);
    if (a.error === undefined || a.error === null) p.resolve(a.result);
    else if (typeof a.error === 'string')
      p.reject(new Error(a.error || 'the plugin reported an error without saying why'));
    else p.reject(new Error(JSON.stringify(a.error)));
    return true;
  }
}

function stdinMessage(e: NodeJS.ErrnoException): string {
  const why = e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' ? 'it has closed its input' : e.message;
  return `could not send the command to the plugin: ${why} — it must read commands as JSON lines on stdin`;
}
