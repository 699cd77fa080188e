// What a start-up with a damaged buffer recovered: on its own, so the client's public
// declarations do not pull in the store (and SQLite's types) through salvage.ts.

/** What a start-up with a damaged buffer recovered. */
export interface RecoveryInfo {
  /** Where the damaged file was moved (its -wal and -shm, if any, sit next to it). */
  movedTo: string;
  /** Points salvaged into the new buffer. */
  points: number;
  /** Runs salvaged. */
  runs: number;
  /** Clock syncs salvaged. */
  clockSyncs: number;
  /** For the lab technician: what happened, what was kept, where the old file is. */
  message: string;
}
