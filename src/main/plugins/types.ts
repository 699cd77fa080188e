// Contracts inside the plugin layer: what a running plugin reports, how the supervisor sees one
// run of it, and the narrow slice of the host a plugin instance needs (a recording sink and a
// place to register commands).

import type { CommandHandler, CommandOptions, SendOptions } from '../plexus';
import type { TelemetrySink } from '../devices/types';

export type LogLevel = 'info' | 'warn' | 'error';

export interface PluginLogEntry {
  at: number;
  level: LogLevel;
  message: string;
}

/** Where plugin points are recorded: the host's sink (client + live preview). */
export interface PluginSink extends TelemetrySink {
  /** An event: the value stays an event even when it is a number. */
  event(name: string, data: unknown, opts?: SendOptions): number;
}

/** How a plugin's command is registered: the client's options, and whose it is. */
export interface PluginCommandOptions extends CommandOptions {
  /** The plugin instance's name, shown in the inbox. */
  plugin: string;
  /** Calls from the platform wait for the technician's approval before the handler runs. */
  requiresApproval?: boolean;
}

/** Registers remote commands with the client (and the inbox); returns the unregister function. */
export type RegisterCommand = (name: string, handler: CommandHandler, opts: PluginCommandOptions) => () => void;

/** Why a run of a plugin ended without being asked to. */
export interface EndReason {
  kind:
    | 'threw' // an uncaught exception or unhandled rejection
    | 'exited' // process.exit(), or a process plugin's process ended
    | 'hung' // stopped answering the liveness check
    | 'out-of-memory' // hit its memory limit
    | 'setup-failed' // setup() threw or rejected
    | 'load-failed' // the code does not compile or exports no plugin
    | 'config' // the config does not fit the plugin's schema
    | 'spawn-failed'; // the process could not be started (no such command…)
  /** For a person: what happened, e.g. `threw: TypeError: x is undefined (at index.ts:12:5)`. */
  message: string;
  /** false: restarting cannot help (a compile error, a bad config, a missing command). */
  retry: boolean;
}

export class PluginEnded extends Error {
  constructor(readonly reason: EndReason) {
    super(reason.message);
  }
}

/** Details of the running command, as the client gives them. */
export interface CommandCall {
  id: string;
  receivedAt: number;
  signal: AbortSignal;
}

/** One run of a plugin (a worker or a process), as the supervisor drives it. */
export interface PluginRun {
  /** Settles when the run ended by itself (a crash, an exit); never after stop() was called. */
  readonly ended: Promise<EndReason>;
  /** Ask it to stop (graceful, then forced after the grace period); resolves once it is gone. */
  stop(): Promise<void>;
  /** Run one of the plugin's commands (by its own, unprefixed name). */
  command(name: string, params: Record<string, unknown>, call: CommandCall): Promise<unknown>;
  /** OS process id, for process plugins. */
  readonly pid: number | null;
}
