// When the run library may delete a run, and when it must warn first. Runs are kept while the
// disk has more than `keepFreePercent` free. Long before that line (WARN_MARGIN_PERCENT points
// above it) the technician is told, so a run is never deleted without warning; when the line is
// crossed, the oldest runs the platform already has go first, until the disk is back above it.
// The run being recorded and runs not yet delivered are never deleted: they may be the only copy.

export const DEFAULT_KEEP_FREE_PERCENT = 10;
/** The warning comes this many percentage points above the line. */
export const WARN_MARGIN_PERCENT = 10;

export interface QuotaRun {
  id: string;
  name: string;
  startedAt: number;
  bytes: number;
  delivered: boolean;
  active: boolean;
}

export interface QuotaDisk {
  freeBytes: number;
  totalBytes: number;
}

export interface QuotaDecision {
  /** Runs to delete now, oldest first. */
  delete: QuotaRun[];
  /** What to tell the technician; null when the disk has room. */
  warning: string | null;
}

/** `where`: what the room is on, for the warning ("The disk", "The runs' byte budget"). */
export function quotaDecision(
  disk: QuotaDisk,
  runs: readonly QuotaRun[],
  keepFreePercent: number,
  where = 'The disk',
): QuotaDecision {
  if (disk.totalBytes <= 0) return { delete: [], warning: null };
  const line = (disk.totalBytes * keepFreePercent) / 100;
  const warnAt = (disk.totalBytes * Math.min(100, keepFreePercent + WARN_MARGIN_PERCENT)) / 100;
  const pct = (b: number): string => `${Math.max(0, Math.round((b / disk.totalBytes) * 1000) / 10)} %`;
  if (disk.freeBytes >= warnAt) return { delete: [], warning: null };

  const deletable = runs.filter((r) => r.delivered && !r.active).sort((a, b) => a.startedAt - b.startedAt);
  const kept = runs.filter((r) => !r.delivered || r.active);
  if (disk.freeBytes >= line) {
    const first = deletable[0];
    return {
      delete: [],
      warning:
        `${where} has ${pct(disk.freeBytes)} free. Below ${keepFreePercent} % the oldest delivered runs are ` +
        `deleted${first ? `, starting with "${first.name}"` : ''}. Export or delete runs you no longer need.`,
    };
  }
  const out: QuotaRun[] = [];
  let free = disk.freeBytes;
  for (const r of deletable) {
    if (free >= line) break;
    out.push(r);
    free += r.bytes;
  }
  if (free >= line)
    return {
      delete: out,
      warning: `${where} had only ${pct(disk.freeBytes)} free: ${out.length} oldest delivered run${out.length === 1 ? ' was' : 's were'} deleted to keep ${keepFreePercent} % free.`,
    };
  const undelivered = kept.filter((r) => !r.active).length;
  return {
    delete: out,
    warning:
      `${where} has only ${pct(free)} free and no more runs can be deleted` +
      (undelivered > 0
        ? ` (${undelivered} not yet delivered ${undelivered === 1 ? 'is' : 'are'} kept until the platform has ${undelivered === 1 ? 'it' : 'them'})`
        : '') +
      (where === 'The disk' ? '. Free some space on the disk.' : '. Export and delete runs, or raise the budget.'),
  };
}
