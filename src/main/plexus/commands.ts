// Remote commands (docs/protocol.md §5): the gateway sends `typed_command`; we answer `ack` before the
// handler runs, then exactly one `result` or `error`. Handlers may be async; a handler that
// never settles is answered with an error at its timeout, so no command hangs forever.

import { errorMessage } from '../../shared/util';
import { describeValue, ValidationError } from './errors';

export interface CommandParam {
  name: string;
  type: string;
  description?: string;
}

export interface CommandOptions {
  description?: string;
  params?: CommandParam[];
  /** Answer with an error if the handler has not settled after this long (default 60 s). */
  timeoutMs?: number;
}

export interface CommandContext {
  id: string;
  command: string;
  /** SDK time the command arrived (epoch ms). */
  receivedAt: number;
  /** Aborted when the command timed out or the client closed. */
  signal: AbortSignal;
}

export type CommandHandler = (params: Record<string, unknown>, ctx: CommandContext) => unknown;

export interface CommandRecord {
  id: string;
  command: string;
  params: Record<string, unknown>;
  receivedAt: number;
  /** What happened so far: received → acked → result | error. */
  state: 'received' | 'acked' | 'result' | 'error';
  result?: unknown;
  error?: string;
}

interface Registration {
  handler: CommandHandler;
  opts: CommandOptions;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class CommandRegistry {
  private readonly handlers = new Map<string, Registration>();
  private fallback: Registration | null = null;
  private readonly seen = new Set<string>();
  private readonly running = new Set<AbortController>();

  constructor(
    /** Send a command_result message (queued by the caller until connected). */
    private readonly reply: (msg: Record<string, unknown>) => void,
    /** Observe every step, for an inbox UI. */
    private readonly observe: (rec: CommandRecord) => void,
    private readonly now: () => number,
  ) {}

  register(name: string, handler: CommandHandler, opts: CommandOptions = {}): () => void {
    if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
      throw new ValidationError(
        'command.name',
        name,
        `command name must be 1–256 characters, got ${describeValue(name)}`,
      );
    }
    if (typeof handler !== 'function') {
      throw new ValidationError('command.handler', handler, `handler for command "${name}" must be a function`);
    }
    const reg = { handler, opts };
    this.handlers.set(name, reg);
    return () => {
      if (this.handlers.get(name) === reg) this.handlers.delete(name);
    };
  }

  /** A handler for commands no named handler claims (e.g. to let a person answer them). */
  setFallback(handler: CommandHandler | null, opts: CommandOptions = {}): void {
    this.fallback = handler ? { handler, opts } : null;
  }

  /** What device_auth advertises. */
  advertised(): Array<Record<string, unknown>> {
    return [...this.handlers].map(([name, { opts }]) => {
      const c: Record<string, unknown> = { name };
      if (opts.description) c.description = opts.description;
      if (opts.params) c.params = opts.params;
      return c;
    });
  }

  /** Handle a `typed_command` message from the gateway. */
  handle(msg: Record<string, unknown>): void {
    const id = msg.id;
    const command = msg.command;
    if (typeof id !== 'string' || id.length === 0 || typeof command !== 'string' || command.length === 0) {
      // Without an id and a name we cannot even answer; nothing to do but ignore it.
      return;
    }
    if (this.seen.has(id)) return; // the same command delivered twice runs once
    this.seen.add(id);
    if (this.seen.size > 10_000) this.seen.delete(this.seen.values().next().value as string);
    const rawParams = msg.params;
    const params =
      rawParams && typeof rawParams === 'object' && !Array.isArray(rawParams)
        ? (rawParams as Record<string, unknown>)
        : {};
    const rec: CommandRecord = { id, command, params, receivedAt: this.now(), state: 'received' };
    this.observe({ ...rec });
    const reg = this.handlers.get(command) ?? this.fallback;
    if (!reg) {
      this.finish(rec, 'error', `unknown command: ${command}`);
      return;
    }
    this.reply({ type: 'command_result', id, command, event: 'ack' });
    rec.state = 'acked';
    this.observe({ ...rec });
    // run() answers every outcome of the handler itself; a failure of its own bookkeeping still
    // gets the command an answer rather than leaving the operator waiting.
    this.run(rec, reg).catch((e: unknown) => this.finish(rec, 'error', `the command failed: ${errorMessage(e)}`));
  }

  private async run(rec: CommandRecord, reg: Registration): Promise<void> {
    const ac = new AbortController();
    this.running.add(ac);
    const timeoutMs = reg.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const human = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
      timer = setTimeout(() => reject(new Error(`timed out after ${human}`)), timeoutMs);
    });
    try {
      const ctx: CommandContext = { id: rec.id, command: rec.command, receivedAt: rec.receivedAt, signal: ac.signal };
      const result = await Promise.race([Promise.resolve().then(() => reg.handler(rec.params, ctx)), timeout]);
      this.finish(rec, 'result', result === undefined ? { ok: true } : result);
    } catch (e) {
      this.finish(rec, 'error', e instanceof Error ? e.message : String(e));
    } finally {
      clearTimeout(timer);
      ac.abort();
      this.running.delete(ac);
    }
  }

  private finish(rec: CommandRecord, kind: 'result' | 'error', payload: unknown): void {
    const msg: Record<string, unknown> = { type: 'command_result', id: rec.id, command: rec.command, event: kind };
    if (kind === 'result') {
      // A result that cannot be JSON is a handler bug; say so rather than sending nothing.
      try {
        JSON.stringify(payload);
        msg.result = payload;
      } catch (e) {
        return this.finish(rec, 'error', `handler returned a result that is not JSON: ${(e as Error).message}`);
      }
      rec.result = payload;
    } else {
      msg.error = String(payload) || 'error';
      rec.error = msg.error as string;
    }
    rec.state = kind;
    this.reply(msg);
    this.observe({ ...rec });
  }

  /** Abort running handlers (client closing). */
  abortAll(): void {
    for (const ac of this.running) ac.abort();
  }
}
