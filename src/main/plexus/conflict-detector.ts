// Name conflicts: is another device connected under our name?
//
// The gateway keys live connections by name; a newer connection cuts the older one with no close
// frame (1006), right after the newer one authenticates. Two devices with one name therefore
// flap: each one's reconnect cuts the other, and each connection lives only as long as the other
// device waits before reconnecting — about a second, every time, while the network is fine.
//
// A plain network cut also shows as 1006, so a cut alone proves nothing. What random cuts do not
// make is the pattern: N cuts in a row (the `evictions` option), each within QUICK_CUT_MS of
// authenticating, within a minute, with every reconnect in between succeeding at the first try.
// A connection that outlives QUICK_CUT_MS was not cut by a flapping twin, and a failed connection
// attempt means the network itself is in trouble: either breaks the series. Once reported, the
// conflict stays until a connection holds for STABLE_MS — longer than a twin that backs off (our
// reconnect cap is a few seconds) would leave us alone — or the name or gateway changes.

/** A cut this soon after authentication may be an eviction by a same-named device. */
export const QUICK_CUT_MS = 2500;
/** The cuts of one series all fall within this window. */
export const SERIES_WINDOW_MS = 60_000;
/** A connection that holds this long clears a reported conflict. */
export const STABLE_MS = 30_000;

export interface SessionEnd {
  code: number;
  authenticatedForMs: number;
  endedBy: 'peer' | 'us' | 'silence';
}

export class ConflictDetector {
  /** When each cut of the current series happened (ms, Date.now()). */
  private series: number[] = [];
  private reported = false;
  private reportedAfter = 0;

  constructor(private readonly evictions: number) {}

  /** A conflict was reported and has not been cleared. */
  get active(): boolean {
    return this.reported;
  }

  /** What was seen, for a person; null while no conflict is reported. */
  explanation(sourceId: string): string | null {
    if (!this.reported) return null;
    return `another device seems to be connected as ${sourceId}: the gateway cut this connection right after it connected, ${this.reportedAfter} times in a row`;
  }

  /** A session ended. Returns true when this end completes the pattern (report it now). */
  sessionEnded(end: SessionEnd, now = Date.now()): boolean {
    const evictionLike = end.endedBy === 'peer' && end.code === 1006 && end.authenticatedForMs <= QUICK_CUT_MS;
    if (!evictionLike) {
      this.series = [];
      return false;
    }
    this.series = this.series.filter((t) => now - t < SERIES_WINDOW_MS);
    this.series.push(now);
    if (this.reported || this.series.length < this.evictions) return false;
    this.reported = true;
    this.reportedAfter = this.series.length;
    return true;
  }

  /** A connection attempt failed: the network is in trouble, so recent cuts were not evictions. */
  connectFailed(): void {
    this.series = [];
  }

  /** The connection held for STABLE_MS: no device is fighting over the name (any more). */
  stable(): boolean {
    const was = this.reported;
    this.reset();
    return was;
  }

  /** A new name or gateway: what was seen says nothing about it. */
  reset(): void {
    this.series = [];
    this.reported = false;
  }
}
