// The recorder's log: one rotating file in the data folder (logs/plexus-bench.log, 5 MB, then
// the previous one kept as plexus-bench.old.log) that the main process, the Plexus client and
// every source write to — what support reads when something went wrong. electron-log's Node
// entry: no dependencies, no Electron needed, and it rotates by size.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import electronLog from 'electron-log/node';
import type { Logger } from '../plexus';

export interface AppLog extends Logger {
  /** The folder holding the log files ("Open log folder"). */
  readonly dir: string;
  readonly file: string;
  /** A logger whose lines say where they come from, e.g. `[plugin psu]`. */
  scope(name: string): Logger;
}

const MAX_BYTES = 5 * 1024 * 1024;
let instances = 0;

export function openAppLog(dataDir: string): AppLog {
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'plexus-bench.log');
  // One logger per data folder (tests run several recorders in one process).
  const log = electronLog.create({ logId: `plexus-bench-${++instances}` });
  log.transports.file.resolvePathFn = () => file;
  log.transports.file.maxSize = MAX_BYTES;
  log.transports.file.level = 'info';
  log.transports.console.level = false; // the window and the headless CLI speak for themselves
  log.transports.file.format = '[{y}-{m}-{d} {h}:{i}:{s}.{ms}] [{level}]{scope} {text}';
  const wrap = (l: {
    info: (...a: unknown[]) => void;
    warn: (...a: unknown[]) => void;
    error: (...a: unknown[]) => void;
    debug: (...a: unknown[]) => void;
  }): Logger => ({
    debug: (m: string) => l.debug(m),
    info: (m: string) => l.info(m),
    warn: (m: string) => l.warn(m),
    error: (m: string) => l.error(m),
  });
  return {
    ...wrap(log),
    dir,
    file,
    scope: (name) => wrap(log.scope(name)),
  };
}
