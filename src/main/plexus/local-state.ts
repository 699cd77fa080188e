// The data folder, opened in order: lock it (one client per folder), open the buffer (a damaged
// one is set aside and salvaged), then read what it remembers — the install id, the device's
// name, the outbox and its cursor, the last clock offset — and close the runs a crash left open.
// A step that fails undoes the ones before it: a client that cannot start holds no lock and no
// open file.

import { join } from 'node:path';
import { Clock } from './clock';
import { checkSourceId, sourceIdFromHostname, type ResolvedOptions } from './config';
import { installId, lastSourceId, rememberSourceId } from './identity';
import { lockDataDir } from './lock';
import { Outbox } from './outbox';
import type { RecoveryInfo } from './recovery-info';
import { closeInterruptedRuns } from './run-recorder';
import { openBuffer } from './salvage';
import type { Store } from './store';
import type { Logger } from './config';
import type { PreSyncStamps } from './presync';

/** Committed points kept in RAM for sending without reading them back from disk. */
const OUTBOX_MEM_BYTES = 16 * 1024 * 1024;

export interface LocalState {
  store: Store;
  releaseLock: () => void;
  /** The buffer was damaged: what was done about it (null: it was fine). */
  recovery: RecoveryInfo | null;
  installId: string;
  /** The name asked for (an option, else the last one used here, else from the host name). */
  requestedSourceId: string;
  outbox: Outbox;
  clock: Clock;
}

/** What the recording parts share: the local state, and a way to write to it that reports a
 * failing disk instead of throwing into the caller. */
export interface RecordingContext {
  store: Store;
  outbox: Outbox;
  clock: Clock;
  presync: PreSyncStamps;
  logger: Logger;
  storeSafely(what: string, fn: () => void): void;
}

export function openLocalState(o: ResolvedOptions, env: NodeJS.ProcessEnv): LocalState {
  const releaseLock = lockDataDir(o.dataDir);
  let opened: ReturnType<typeof openBuffer>;
  try {
    opened = openBuffer(join(o.dataDir, 'buffer.db'), o.buffer.durability);
  } catch (e) {
    releaseLock();
    throw e;
  }
  const store = opened.store;
  try {
    const id = installId(store, env);
    const requestedSourceId = checkSourceId(o.sourceId ?? lastSourceId(store) ?? sourceIdFromHostname());
    rememberSourceId(store, requestedSourceId);
    const { maxPoints, maxBytes, retainPoints, retainBytes } = o.buffer;
    const outbox = new Outbox(store, { maxPoints, maxBytes, retainPoints, retainBytes, memBytes: OUTBOX_MEM_BYTES });
    const last = store.lastClock();
    const clock = new Clock(last ? { offsetMs: last.offsetMs, uncertaintyMs: last.uncertaintyMs } : undefined);
    closeInterruptedRuns(store, outbox);
    return { store, releaseLock, recovery: opened.recovery, installId: id, requestedSourceId, outbox, clock };
  } catch (e) {
    store.close();
    releaseLock();
    throw e;
  }
}
