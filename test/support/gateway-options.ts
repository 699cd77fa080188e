// The test gateway's options: what a test may set, and the defaults of the real gateway for what
// it leaves out.

import type { KeyCheckOptions, KeyTable } from './gateway-keys';
import type { PointReceipt } from './gateway-records';

export interface GatewayOptions {
  /** 0 (default) = a free port on 127.0.0.1. */
  port?: number;
  /** 'any' (default) = dev mode: every key is valid, org "dev", full access. */
  apiKeys?: KeyTable;
  /** Key cache and check limit (default: valid 60 s, invalid 10 s, 30 checks/min), as the real gateway. */
  keyChecks?: KeyCheckOptions;
  authTimeoutMs?: number; // default 10_000
  pingIntervalMs?: number; // default 30_000
  maxMessageBytes?: number; // default 1_048_576
  maxPointsPerMessage?: number; // default 10_000 (WS message and HTTP request)
  telemetryBucket?: { capacity: number; perSec: number }; // default 2000 / 500
  controlBucket?: { capacity: number; perSec: number }; // default 60 / 20
  sourceMinIntervalMs?: number; // default 0.5
  /** Legacy gateways: a duplicate name gets name_2, name_3… instead of evicting. Default false. */
  suffixDuplicates?: boolean;
  /** 'full' (default) keeps everything; 'count' is for benches (see gateway-records.ts). */
  record?: 'full' | 'count';
  /** In 'count' mode, points with these metric names are still kept in `points`. */
  sampleMetrics?: string[];
  /** Keep the typed-array receipt log of every accepted point. Default true. */
  receipts?: boolean;
  /** Called for every accepted point, in both modes (cheap, synchronous). */
  onPoint?: (p: PointReceipt) => void;
  /**
   * One-way delay in ms added to each direction from the start (what setLatency() sets later):
   * every inbound and outbound WS message and every HTTP request and reply waits this long, so
   * a round trip (a frame's ping → pong, an /ingest request → its answer) takes 2 × latencyMs
   * more. The limits are still checked when a message is processed, after the delay. Default 0.
   */
  latencyMs?: number;
}

/** The options with every default filled in (the hooks and key-check limits stay optional). */
export type ResolvedOptions = Required<Omit<GatewayOptions, 'onPoint' | 'sampleMetrics' | 'keyChecks' | 'latencyMs'>>;

export function resolveOptions(opts: GatewayOptions, port: number): ResolvedOptions {
  return {
    port,
    apiKeys: opts.apiKeys ?? 'any',
    authTimeoutMs: opts.authTimeoutMs ?? 10_000,
    pingIntervalMs: opts.pingIntervalMs ?? 30_000,
    maxMessageBytes: opts.maxMessageBytes ?? 1_048_576,
    maxPointsPerMessage: opts.maxPointsPerMessage ?? 10_000,
    telemetryBucket: opts.telemetryBucket ?? { capacity: 2000, perSec: 500 },
    controlBucket: opts.controlBucket ?? { capacity: 60, perSec: 20 },
    sourceMinIntervalMs: opts.sourceMinIntervalMs ?? 0.5,
    suffixDuplicates: opts.suffixDuplicates ?? false,
    record: opts.record ?? 'full',
    receipts: opts.receipts ?? true,
  };
}
