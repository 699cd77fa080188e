// The inbox on disk (<data dir>/inbox.json): the latest commands with their outcomes, written a
// moment after a change (a burst of commands is one write) and at shutdown, replaced atomically
// so a crash mid-write keeps the previous list. A command still open when the recorder stopped
// can no longer be answered (the platform's request died with the connection): it is loaded as
// "lost", which the inbox says in those words.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandView } from '../../shared/contract';

const SAVE_AFTER_MS = 250;
const FINAL = new Set<CommandView['state']>(['result', 'error']);

export class InboxFile {
  private readonly path: string;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: (() => CommandView[]) | null = null;

  constructor(
    dataDir: string,
    private readonly keep: number,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.path = join(dataDir, 'inbox.json');
  }

  /** The saved list, open commands marked lost; [] when there is none or it cannot be read. */
  load(): CommandView[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return [];
    }
    try {
      const list = JSON.parse(text) as unknown;
      if (!Array.isArray(list)) throw new Error('not a list');
      return (list as CommandView[])
        .filter((c) => c && typeof c.id === 'string' && typeof c.receivedAt === 'number')
        .slice(0, this.keep)
        .map((c) =>
          FINAL.has(c.state)
            ? c
            : {
                ...c,
                state: 'error' as const,
                deadline: null,
                outcome: 'lost' as const,
                error: 'the recorder stopped before this command was answered',
              },
        );
    } catch (e) {
      this.log(`the saved inbox (${this.path}) could not be read, starting empty: ${(e as Error).message}`);
      return [];
    }
  }

  /** Save soon (coalesced). */
  save(list: () => CommandView[]): void {
    this.pending = list;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      const l = this.pending;
      this.pending = null;
      if (l) this.saveNow(l());
    }, SAVE_AFTER_MS);
    this.timer.unref?.();
  }

  saveNow(list: CommandView[]): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    const tmp = `${this.path}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(list.slice(0, this.keep)), { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch (e) {
      this.log(`the inbox could not be saved to ${this.path}: ${(e as Error).message}`);
    }
  }
}
