// The history of a source's metrics leaves with the source, by the rule the window applies to its
// tiles (shared/source-keys.ts): at once when the source is removed (and again once the ticks on
// their way have come in), and for a reconfigured source the metrics it stopped writing, once it
// had RETIRE_GRACE_MS to write again. Else a reload would bring back the tiles of a source that
// is gone.

import {
  RETIRE_GRACE_MS,
  RETIRE_LATE_MS,
  retiredPrefixes,
  sourceKeys,
  type Retired,
  type SourceKey,
  type SourceLists,
} from '../../shared/source-keys';

export class RetiredSources {
  /** The sources as last seen; null before the first look (nothing retires then). */
  private known: Map<string, SourceKey> | null = null;
  private pending: Array<Retired & { at: number }> = [];

  /** `retire`: forget the metrics under a prefix last seen before a time. */
  constructor(private readonly retire: (prefix: string, before: number) => void) {}

  /** The sources changed (added, removed, reconfigured, or only their state), at SDK time `now`. */
  changed(sources: SourceLists, now: number): void {
    const next = sourceKeys(sources);
    for (const r of this.known ? retiredPrefixes(this.known, next) : []) {
      if (r.removed) this.retire(r.prefix, Infinity);
      this.pending.push({ ...r, at: now });
    }
    this.known = next;
  }

  /** Retire what has waited out its grace; called every tick, and costs nothing when none waits. */
  due(now: number): void {
    if (this.pending.length === 0) return;
    this.pending = this.pending.filter((p) => {
      if (now - p.at < RETIRE_GRACE_MS) return true;
      this.retire(p.prefix, p.removed ? p.at + RETIRE_LATE_MS : p.at);
      return false;
    });
  }
}
