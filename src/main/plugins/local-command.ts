// A plugin's command sent by the technician from the window: the plugin's own handler, run here
// rather than through the gateway (so it works offline and never waits in the inbox), with the
// command's deadline, answering its result or its error in words.

import { randomUUID } from 'node:crypto';
import type { CommandHandler } from '../plexus';

/** The handler's time when the plugin names none (as for a call from the platform). */
export const LOCAL_COMMAND_TIMEOUT_MS = 60_000;

const seconds = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`);

/**
 * Run `handler` as a call of `command`; resolves with its result (`{ ok: true }` when it returns
 * nothing, as the platform would get), rejects with an Error saying what went wrong.
 */
export async function runLocalCommand(
  handler: CommandHandler,
  command: string,
  params: Record<string, unknown>,
  opts: { timeoutMs?: number | undefined; now: () => number },
): Promise<unknown> {
  const timeoutMs = opts.timeoutMs ?? LOCAL_COMMAND_TIMEOUT_MS;
  const ac = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${command} timed out after ${seconds(timeoutMs)}`)), timeoutMs);
  });
  try {
    const call = Promise.resolve().then(() =>
      handler(params, { id: `window-${randomUUID()}`, command, receivedAt: opts.now(), signal: ac.signal }),
    );
    const result = await Promise.race([call, timeout]).catch((e: unknown) => {
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(why.startsWith(command) ? why : `${command}: ${why}`, { cause: e });
    });
    return result === undefined ? { ok: true } : result;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
