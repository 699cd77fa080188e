// The gateway's limits (docs/protocol.md §2–§6), in one place. Byte limits are UTF-8 bytes.

import { DEVICE_NAME_RE, DEVICE_NAME_RULE } from '../../shared/names';

export const LIMITS = {
  metricBytes: 256,
  eventStringBytes: 256,
  eventJsonBytes: 4096,
  tagPairs: 16,
  tagBytes: 256,
  pointsPerMessage: 10_000,
  /** A WS message at or above this size makes the gateway drop the connection. */
  wsMessageBytes: 1_048_576,
  /** /ingest body cap, compressed and decompressed. */
  httpBodyBytes: 5 * 1024 * 1024,
  /** Telemetry-tier token bucket per connection (telemetry and video frames). */
  telemetryBucket: { capacity: 2000, perSec: 500 },
  /** Control-tier bucket (heartbeat, command_result, device_error). */
  controlBucket: { capacity: 60, perSec: 20 },
  /** Telemetry messages closer than this (at the gateway) are dropped silently. */
  minSpacingMs: 0.5,
  /** The Python SDK re-encodes JPEGs above this size; we do the same. */
  videoJpegBytes: 750_000,
} as const;

/** The product's (and Plexus device setup's) stricter source id rule: the device name rule the window checks too. */
export const SOURCE_ID_RE = DEVICE_NAME_RE;

export const SOURCE_ID_RULE = `must be ${DEVICE_NAME_RULE}`;
