// Commands received from the platform, merged by id from state snapshots and `command` events.
import { create } from 'zustand';
import type { CommandView } from '../../../shared/contract';

export interface InboxStore {
  /** Every known command, newest first. */
  commands: CommandView[];
}

export const useInboxStore = create<InboxStore>(() => ({ commands: [] }));

const newestFirst = (a: CommandView, b: CommandView): number => b.receivedAt - a.receivedAt;

/** Replace the inbox with a snapshot from a `state` event. */
export function setInbox(commands: CommandView[]): void {
  useInboxStore.setState({ commands: [...commands].sort(newestFirst) });
}

const FINAL: ReadonlySet<CommandView['state']> = new Set(['result', 'error']);

/** Insert or update one command from a `command` event. */
export function upsertCommand(cmd: CommandView): void {
  const rest = useInboxStore.getState().commands.filter((c) => c.id !== cmd.id);
  useInboxStore.setState({ commands: [cmd, ...rest].sort(newestFirst) });
}

/**
 * Apply the view a `command.answer` reply carries. The host may already have sent the outcome
 * as a `command` event before this reply (the reply's view can still say "waiting"), so a
 * finished command is never put back to an earlier state.
 */
export function applyAnswer(cmd: CommandView): void {
  const known = useInboxStore.getState().commands.find((c) => c.id === cmd.id);
  if (known && FINAL.has(known.state) && !FINAL.has(cmd.state)) return;
  const rest = useInboxStore.getState().commands.filter((c) => c.id !== cmd.id);
  useInboxStore.setState({ commands: [cmd, ...rest].sort(newestFirst) });
}
