// Runs: a named stretch of recording. Every point sent while a run is active carries
// `tags.run_id` (a tag, because Plexus storage drops a top-level run_id).

import type { Tags } from './validate';

/** What a run carries besides its name: tags on every point, and the sources it records. */
export interface RunOptions {
  /** Tags every point of the run carries besides `run_id` (the technician's fields). */
  tags?: Tags;
  /**
   * Record only the points of these sources, by their metric name prefixes (with the trailing
   * dot); absent or empty: every point. The others are recorded and delivered as always, without
   * the run's tags. The recorder's own points are always in the run: names without a dot (a
   * marker) and `run.*` (its start, end and details). A source added during the run stays out.
   */
  onlyPrefixes?: readonly string[];
}

/** A run as the local store keeps it. */
export interface RunRow {
  id: string;
  name: string;
  startedAt: number;
  endedAt: number | null;
  firstSeq: number;
  lastSeq: number | null;
  points: number;
  /** Cut short: the recorder was killed or quit while it recorded (endedAt: its last point). */
  interrupted?: boolean;
}

export interface RunInfo {
  id: string;
  name: string;
  /** SDK time the run started (epoch ms). */
  startedAt: number;
  /** SDK time it ended, or null while active. */
  endedAt: number | null;
  /** Points recorded in the run so far (including its start/end events). */
  points: number;
}

/** The meta key that marks a run as interrupted (a flag beside the runs table, no migration needed). */
export function interruptedKey(runId: string): string {
  return `run.interrupted.${runId}`;
}

/** A run id that is readable, unique and a valid tag value: `<name-slug>-<time in base 36>`. */
export function makeRunId(name: string, now: number): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'run';
  return `${slug}-${Math.floor(now).toString(36)}`;
}

export function defaultRunName(now: number): string {
  const d = new Date(now);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `run-${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}
