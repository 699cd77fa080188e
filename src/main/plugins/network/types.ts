// The network line source's contract: its config, what it reports, and its options.

import type { ParserKind, ProblemKind } from '../../devices/types';

export type LogLevel = 'info' | 'warn' | 'error';

export interface NetworkLinesConfig {
  /** Shown to people and used as the metric prefix. */
  name: string;
  protocol: 'tcp' | 'udp';
  /** 1–65535. */
  port: number;
  parser: ParserKind | 'auto';
}

export type NetworkLinesState = 'stopped' | 'starting' | 'listening' | 'error';

export interface NetworkLinesStatus {
  state: NetworkLinesState;
  /** One line for a person, e.g. "listening on 127.0.0.1:7421 (TCP)". */
  message: string;
}

export interface NetworkLinesStats {
  /** Open TCP connections now; for UDP, senders seen in the last 10 s. */
  connections: number;
  /** TCP connections accepted; for UDP, senders seen (a forgotten one that returns counts again). */
  totalConnections: number;
  lines: number;
  points: number;
  bytes: number;
  datagrams: number;
  /** Summed over connections and senders, including closed and forgotten ones. */
  problems: Record<ProblemKind, number>;
  /** The configured parser, or the one detected last. */
  parser: ParserKind | null;
  /** TCP connections refused because `maxConnections` were open. */
  refused: number;
}

export interface NetworkLinesOptions {
  /** Open TCP connections at most (default 32); more are refused at once. */
  maxConnections?: number;
  /** Close a TCP connection after this long without data (ms, default: never). */
  idleTimeoutMs?: number;
}

export interface NetworkLogEntry {
  at: number;
  level: LogLevel;
  message: string;
}
