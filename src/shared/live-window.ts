// The live window both sides share: how far back the tiles' sparklines and the charts look, and
// how finely the host keeps that stretch for a window that reloads (the host's metric-history.ts
// keeps one min/max bucket per metric per HISTORY_BUCKET_MS; the window seeds its rings from them).

/** The span a sparkline or a live chart shows, ms. */
export const LIVE_WINDOW_MS = 60_000;

/**
 * The host's history resolution, ms: 120 buckets a minute, about two pixels each on a tile's
 * sparkline, while a metric costs the host a few kB whatever its rate.
 */
export const HISTORY_BUCKET_MS = 500;

/**
 * The bucket a time falls in, for buckets `bucketMs` wide (an answer with many metrics has wider
 * ones): both sides must agree, so that no bucket is counted twice.
 */
export function historyBucket(t: number, bucketMs = HISTORY_BUCKET_MS): number {
  return Math.floor(t / bucketMs);
}
