// Rate limiters of the fake gateway, mirroring gateway/ratelimit.go and gateway/source_limit.go.
//
// Both are driven by the processing time of a message (performance.now()), never by the time the
// client sent it: the real gateway reads its socket sequentially and checks the limits when it gets
// to a message, so injected latency or a slow read loop shifts the measurement exactly like there.

/** Token bucket: starts full, refills continuously at perSec, one token per message. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSec: number,
  ) {
    this.tokens = capacity;
    this.last = performance.now();
  }

  /** Takes one token if there is one; false means the message must be dropped (RATE_LIMITED). */
  consume(now = performance.now()): boolean {
    const elapsedS = (now - this.last) / 1000;
    if (elapsedS > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + elapsedS * this.perSec);
      this.last = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

/**
 * Per (org, source) ceiling on telemetry messages: a message arriving less than minIntervalMs after
 * the previous *allowed* one of the same org:source is dropped silently. Shared by every WS
 * connection and by HTTP /ingest, like the single SourceRateLimiter on the real hub.
 */
export class SourceRateLimiter {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly minIntervalMs: number) {}

  allow(org: string, source: string, now = performance.now()): boolean {
    const key = `${org}:${source}`;
    const last = this.lastSeen.get(key);
    if (last !== undefined && now - last < this.minIntervalMs) return false;
    this.lastSeen.set(key, now);
    return true;
  }

  /** Called when the registered WS connection of a source goes away (hub.UnregisterDevice). */
  forget(org: string, source: string): void {
    this.lastSeen.delete(`${org}:${source}`);
  }

  /** A restarted gateway process has an empty map. */
  clear(): void {
    this.lastSeen.clear();
  }
}
