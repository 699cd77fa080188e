// The command inbox: every command the gateway sent, newest first, with what became of it.
// Built-in handlers answer some; a command no handler claims waits for the technician, who
// approves (→ result) or rejects (→ error with a reason) before its deadline — else it times out.
// A plugin's command that asks for approval waits the same way, and its handler runs only once
// the technician approves (its result or error is then the answer).
// Each ends with an outcome in the technician's words (done, approved, rejected, timed out,
// failed). The list is kept in the data folder (bounded), so it survives a restart.

import type { CommandContext, CommandHandler, CommandRecord, Plexus } from '../plexus';
import type { CommandView } from '../../shared/contract';
import type { PluginCommandOptions } from '../plugins/types';
import { InboxFile } from './inbox-file';

const KEEP = 200;

interface Waiting {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** Only for a plugin's command: the approval's own deadline (the client's covers the handler too). */
  timer?: ReturnType<typeof setTimeout>;
}

/** Handlers run for at most this long unless the plugin says otherwise (the client's default). */
const HANDLER_TIMEOUT_MS = 60_000;

const seconds = (ms: number): string => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);

export class CommandInbox {
  private readonly entries = new Map<string, CommandView>();
  private readonly waiting = new Map<string, Waiting>();
  private readonly builtIn = new Set<string>();
  /** Commands a plugin answers: which plugin instance, and whether calls wait for approval. */
  private readonly byPlugin = new Map<string, { plugin: string; approval: boolean }>();
  private readonly file: InboxFile | null;

  private readonly answerTimeoutMs: number;

  constructor(
    private readonly client: Plexus,
    private readonly onChange: (v: CommandView) => void,
    /** dataDir: where the list is kept across restarts (none: in memory only). */
    opts: { answerTimeoutMs?: number | undefined; dataDir?: string; log?: (message: string) => void } = {},
  ) {
    this.answerTimeoutMs = opts.answerTimeoutMs ?? 120_000;
    const answerTimeoutMs = this.answerTimeoutMs;
    this.file = opts.dataDir ? new InboxFile(opts.dataDir, KEEP, opts.log) : null;
    // Oldest first: the map evicts its first entry when full.
    for (const e of (this.file?.load() ?? []).reverse()) this.entries.set(e.id, e);
    client.on('command', (rec) => this.observe(rec));
    // Commands nobody claims go to the technician. The client answers "timed out" at the deadline.
    client.setCommandFallback((params, ctx) => this.askTechnician(ctx), { timeoutMs: answerTimeoutMs });
  }

  /** A built-in handler (advertised to the gateway on the next connect). */
  register(
    name: string,
    handler: CommandHandler,
    description: string,
    params: Array<{ name: string; type: string }> = [],
  ): void {
    this.builtIn.add(name);
    this.client.onCommand(name, handler, { description, params });
  }

  /**
   * A command a plugin answers (advertised on the next connect). A name the recorder or another
   * plugin already answers is refused: one command, one handler.
   */
  registerPlugin(name: string, handler: CommandHandler, opts: PluginCommandOptions): () => void {
    if (this.builtIn.has(name)) throw new Error(`the recorder answers "${name}" itself`);
    if (this.byPlugin.has(name)) throw new Error(`another plugin answers "${name}" already`);
    const { plugin, requiresApproval, ...clientOpts } = opts;
    const approval = requiresApproval === true;
    const off = approval
      ? this.client.onCommand(
          name,
          async (params, ctx) => {
            await this.askTechnician(ctx, true);
            return handler(params, ctx);
          },
          // The client's deadline covers waiting for the technician and then the handler's own time.
          { ...clientOpts, timeoutMs: this.answerTimeoutMs + (clientOpts.timeoutMs ?? HANDLER_TIMEOUT_MS) },
        )
      : this.client.onCommand(name, handler, clientOpts);
    this.byPlugin.set(name, { plugin, approval });
    return () => {
      off();
      this.byPlugin.delete(name);
    };
  }

  list(): CommandView[] {
    return [...this.entries.values()].sort((a, b) => b.receivedAt - a.receivedAt);
  }

  /** Write what is pending to the data folder (at shutdown). */
  close(): void {
    this.file?.saveNow(this.list());
  }

  /**
   * The technician's answer; resolves with the command as it ended (result or error). Throws
   * when the command is not waiting (anymore).
   */
  async answer(id: string, approve: boolean, reason?: string): Promise<CommandView> {
    const w = this.waiting.get(id);
    const entry = this.entries.get(id);
    if (!w || !entry) {
      const state = entry
        ? `it is ${entry.state === 'waiting' ? 'waiting' : `already ${entry.state === 'error' ? 'answered with an error' : 'answered'}`}`
        : 'there is no such command';
      throw new Error(`cannot answer command ${id}: ${state}`);
    }
    this.waiting.delete(id);
    clearTimeout(w.timer);
    entry.outcome = approve ? 'approved' : 'rejected';
    if (approve && entry.needsApproval) {
      // The plugin's handler runs now; its answer (result or error) ends the command.
      entry.state = 'acked';
      entry.deadline = null;
      this.onChange({ ...entry });
      w.resolve(undefined);
      return { ...entry };
    }
    if (approve) w.resolve({ approved: true, by: 'technician' });
    else w.reject(new Error(reason ? `rejected by the technician: ${reason}` : 'rejected by the technician'));
    // The client answers the gateway a few microtasks later; reply with the finished command.
    for (let i = 0; i < 10 && entry.state === 'waiting'; i++) await new Promise((r) => setImmediate(r));
    return { ...entry };
  }

  /**
   * Wait for the technician's answer. For a command nobody handles, the client's deadline ends the
   * wait; for a plugin's command (`forPlugin`) the wait has its own, so the handler keeps its time.
   */
  private askTechnician(ctx: CommandContext, forPlugin = false): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const w: Waiting = { resolve, reject };
      if (forPlugin)
        w.timer = setTimeout(() => {
          if (this.waiting.get(ctx.id) !== w) return;
          this.waiting.delete(ctx.id);
          const entry = this.entries.get(ctx.id);
          if (entry) entry.outcome = 'timed-out';
          reject(new Error(`timed out after ${seconds(this.answerTimeoutMs)}: nobody approved it`));
        }, this.answerTimeoutMs);
      this.waiting.set(ctx.id, w);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(w.timer);
        this.waiting.delete(ctx.id);
      });
      const e = this.entries.get(ctx.id);
      if (e) {
        e.state = 'waiting';
        if (!forPlugin) e.handledBy = 'technician';
        e.deadline = ctx.receivedAt + this.answerTimeoutMs;
        e.answerWithinS = Math.round(this.answerTimeoutMs / 1000);
        this.onChange({ ...e });
      }
    });
  }

  private observe(rec: CommandRecord): void {
    let e = this.entries.get(rec.id);
    if (!e) {
      e = {
        id: rec.id,
        command: rec.command,
        params: rec.params,
        receivedAt: rec.receivedAt,
        state: 'received',
        handledBy: this.builtIn.has(rec.command) ? 'built-in' : this.byPlugin.has(rec.command) ? 'plugin' : 'none',
        deadline: null,
      };
      const byPlugin = this.byPlugin.get(rec.command);
      if (byPlugin) {
        e.plugin = byPlugin.plugin;
        if (byPlugin.approval) e.needsApproval = true;
      }
      this.entries.set(rec.id, e);
      if (this.entries.size > KEEP) this.entries.delete(this.entries.keys().next().value as string);
    }
    // "acked" must not overwrite "waiting", which the fallback set meanwhile.
    if (!(rec.state === 'acked' && e.state === 'waiting')) e.state = rec.state;
    if (rec.state === 'result') e.result = rec.result;
    if (rec.state === 'error' && rec.error !== undefined) e.error = rec.error;
    if (rec.state === 'result' || rec.state === 'error') {
      e.deadline = null;
      clearTimeout(this.waiting.get(rec.id)?.timer);
      this.waiting.delete(rec.id);
      e.outcome = outcomeOf(e, rec);
    }
    this.file?.save(() => this.list());
    this.onChange({ ...e });
  }
}

/** How a command ended, told apart: the client reports a rejection and a timeout both as an error. */
function outcomeOf(e: CommandView, rec: CommandRecord): NonNullable<CommandView['outcome']> {
  if (rec.state === 'result') return e.outcome === 'approved' ? 'approved' : 'done';
  if (e.outcome === 'rejected' || e.outcome === 'timed-out') return e.outcome;
  if (e.handledBy === 'technician' && /timed out/.test(rec.error ?? '')) return 'timed-out';
  return 'failed';
}
