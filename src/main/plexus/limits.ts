// The gateway's limits (docs/protocol.md §2–§6), in one place. Byte limits are UTF-8 bytes.

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

/** The product's (and Plexus device setup's) stricter source id rule. */
export const SOURCE_ID_RE = /^[a-z0-9][a-z0-9_-]{1,62}$/;

export const SOURCE_ID_RULE =
  'must be 2–63 characters: lowercase letters, digits, "-" or "_", starting with a letter or digit';
