// The types of the client's public surface (index.ts exports them), apart from client.ts so that
// the parts the client is built from can use them without importing the client itself.

import type { ClockInfo } from './clock';
import type { CommandRecord } from './commands';
import type { DroppedInfo } from './drops';
import type { PlexusError } from './errors';
import type { RecoveryInfo } from './recovery-info';
import type { RunInfo } from './runs';
import type { StatusInfo } from './status';
import type { Tags } from './validate';

export interface SendOptions {
  tags?: Tags;
  /** Epoch ms (or a Date); default: now on the client's clock. */
  timestamp?: number | Date;
  /**
   * `timestamp` was read from this client's now() (so the caller knows it): before the first
   * clock sync it moves with the points the client stamped itself, like them.
   */
  fromClientClock?: boolean;
}

export interface BatchPoint {
  metric: string;
  value: unknown;
  tags?: Tags;
  timestamp?: number | Date;
}

export interface CloseResult {
  /** Points accepted by send() that could not be written to the buffer before closing (a full or failing disk): lost. */
  unwritten: number;
}

export interface VideoResult {
  sent: boolean;
  reason?: 'not-connected' | 'backpressure' | 'rate' | 'busy';
  width?: number;
  height?: number;
  bytes?: number;
}

export interface FlushResult {
  /** Everything sent before flush() was confirmed by the gateway. */
  delivered: boolean;
  /** Points still waiting for delivery. */
  pending: number;
}

/** A row of the log: one group commit's point lines (see store.ts). */
export interface BlockRow {
  firstSeq: number;
  n: number;
  bytes: number;
  /** The points' JSON lines, UTF-8, joined by "\n". */
  body: Buffer;
}

/** A point as kept in the local log. */
export interface LoggedPoint {
  seq: number;
  class: 'metric' | 'event';
  metric: string;
  value: unknown;
  timestamp: number;
  tags?: Record<string, string>;
}

export interface ClientStats {
  buffered: number;
  bufferedBytes: number;
  stored: number;
  delivered: number;
  dropped: number;
  resent: number;
  quarantined: number;
  lastSeq: number;
  confirmedSeq: number;
  video: { sent: number; dropped: number; cameras: Record<string, { sent: number; dropped: number }> };
}

export interface PlexusEvents {
  status: StatusInfo;
  clock: ClockInfo;
  'source-id': { previous: string; current: string; via: 'ws' | 'http' };
  dropped: DroppedInfo;
  quarantined: { seq: number; line: string; reason: string; total: number };
  error: PlexusError;
  /** A group commit made points durable, up to and including `upToSeq`. */
  stored: { upToSeq: number; count: number };
  delivered: { upToSeq: number; count: number; via: 'ws' | 'http' };
  command: CommandRecord;
  run: { kind: 'start' | 'end'; run: RunInfo };
  /**
   * The first clock sync moved the points the client stamped before it by `deltaMs` (in the log,
   * where they still are), none before seq `fromSeq`; those of these runs among them. A reader
   * that copied them must read them again.
   */
  restamped: { deltaMs: number; runIds: string[]; fromSeq: number };
  /**
   * The buffer file was damaged at start: it was set aside (`movedTo`) and what could be read was
   * carried into a new one. Emitted right after construction; recovery() keeps it for later.
   */
  recovered: RecoveryInfo;
}
