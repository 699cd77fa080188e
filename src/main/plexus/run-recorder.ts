// The active run and the runs table: a run starts and ends with an event (run.start says how good
// the time base was; run.end how many points and how long), every point in between carries
// `tags.run_id` (runs.ts says why a tag), and the store keeps each run's seq range so its points
// can be read back for export.

import type { LoggedPoint } from './client-types';
import { ValidationError } from './errors';
import type { Outbox } from './outbox';
import type { RecordingContext } from './local-state';
import { defaultRunName, interruptedKey, makeRunId, type RunInfo, type RunOptions, type RunRow } from './runs';
import type { BlockRow, Store } from './store';
import { encodeTags, encodeValue, type Tags } from './validate';

export interface RunRecorderHooks {
  commitNow(): void;
  /** Record the run's start or end event, stamped by the client at `timestamp`. */
  record(metric: 'run.start' | 'run.end', valueJson: string, timestamp: number): void;
  emit(kind: 'start' | 'end', run: RunInfo): void;
}

/**
 * A run still open in the log was cut short by a crash (kill -9, power loss): close it where it
 * really ended — at its last point that reached the disk, not at this restart — and mark it
 * interrupted, so nobody mistakes it for a run someone stopped.
 */
export function closeInterruptedRuns(store: Store, outbox: Outbox): void {
  for (const r of store.openRuns()) {
    const last = outbox.storedSeq;
    const end = lastPointOf(store, r.id, r.firstSeq, last);
    const endedAt = end?.timestamp ?? r.startedAt;
    // Every point recorded while a run is active carries its id: the run is its seq range.
    store.endRun(r.id, endedAt, last, Math.max(0, last - r.firstSeq + 1));
    store.setMeta(interruptedKey(r.id), JSON.stringify({ why: 'the recorder stopped while recording', endedAt }));
  }
}

/** Blocks looked at from the end of the log for a run's last point (a run's tail is near the end). */
const TAIL_BLOCKS = 256;

function lastPointOf(store: Store, runId: string, firstSeq: number, lastSeq: number): LoggedPoint | null {
  let seq = lastSeq;
  for (let n = 0; n < TAIL_BLOCKS && seq >= firstSeq; n++) {
    const b = store.blockAt(seq);
    if (!b) return null;
    const lines = b.body.toString('utf8').split('\n');
    for (let i = Math.min(lines.length - 1, seq - b.firstSeq); i >= 0; i--) {
      if (b.firstSeq + i < firstSeq) return null;
      const p = parseLine(lines[i]);
      if (p?.tags?.run_id === runId) return p;
    }
    seq = b.firstSeq - 1;
  }
  return null;
}

const NL = 0x0a;

/**
 * The points named `metric` among a block's lines from `firstSeq` to `lastSeq`, tagged with
 * `runId`. A byte search finds the lines that may hold the name; only those are parsed (and
 * checked: the same bytes could sit inside an object value).
 */
function namedIn(
  block: BlockRow,
  needle: Buffer,
  metric: string,
  runId: string,
  firstSeq: number,
  lastSeq: number,
): LoggedPoint[] {
  const out: LoggedPoint[] = [];
  const body = block.body;
  let line = 0;
  let lineStart = 0;
  for (let hit = body.indexOf(needle); hit >= 0;) {
    let nl = body.indexOf(NL, lineStart);
    while (nl !== -1 && nl < hit) {
      line++;
      lineStart = nl + 1;
      nl = body.indexOf(NL, lineStart);
    }
    const end = nl === -1 ? body.length : nl;
    const seq = block.firstSeq + line;
    if (seq >= firstSeq && seq <= lastSeq) {
      const p = parseLine(body.toString('utf8', lineStart, end));
      if (p?.metric === metric && p.tags?.run_id === runId) out.push({ ...p, seq });
    }
    hit = end < body.length ? body.indexOf(needle, end + 1) : -1;
  }
  return out;
}

function parseLine(line: string | undefined): LoggedPoint | null {
  if (!line) return null;
  try {
    return JSON.parse(line) as LoggedPoint;
  } catch {
    return null;
  }
}

/** The tags of a run's points: the technician's fields, and the run id (which no field may replace). */
function runTagsOf(id: string, tags: Tags | undefined): Tags {
  return { ...tags, run_id: id };
}

export class RunRecorder {
  private run: RunInfo | null = null;
  private runTags: Tags | undefined;
  private runTagsJson = '';
  /** `onlyPrefixes` as the start of a metric's JSON string (`"psu.`), checked per point. */
  private only: string[] = [];

  constructor(
    private readonly d: RecordingContext,
    private readonly hooks: RunRecorderHooks,
  ) {}

  /** The tags every point of the active run carries (undefined: no run). */
  get tags(): Tags | undefined {
    return this.runTags;
  }

  /** The same as a point line's tags JSON ('' when no run). */
  get tagsJson(): string {
    return this.runTagsJson;
  }

  /** The run's tags JSON for a point named by `metricJson` ('' when no run or left out of it). */
  tagsJsonOf(metricJson: string): string {
    return this.only.length > 0 && this.isLeftOut(metricJson) ? '' : this.runTagsJson;
  }

  /** The run's tags for a point named by `metricJson` (undefined when no run or left out of it). */
  tagsOf(metricJson: string): Tags | undefined {
    return this.only.length > 0 && this.isLeftOut(metricJson) ? undefined : this.runTags;
  }

  private isLeftOut(metricJson: string): boolean {
    for (const p of this.only) if (metricJson.startsWith(p)) return false;
    return metricJson.includes('.') && !metricJson.startsWith('"run.');
  }

  /** A point was recorded: in the active run unless its source was left out. */
  counted(inRun = true): void {
    if (this.run && inRun) this.run.points++;
  }

  /** New tags for the active run's points from now on (its fields, edited while it records). */
  setTags(tags: Tags): void {
    if (!this.run) return;
    this.runTags = runTagsOf(this.run.id, tags);
    this.runTagsJson = JSON.stringify(this.runTags);
  }

  current(): RunInfo | null {
    return this.run ? { ...this.run } : null;
  }

  /** Start a named run, ending an active one first. */
  start(name?: string, opts: RunOptions = {}): RunInfo {
    // Checked before anything is recorded: a refused tag must not leave half a run behind.
    if (opts.tags) encodeTags(opts.tags, { run_id: 'x' }, 'run fields: ');
    if (this.run) this.finish();
    const now = Math.round(this.d.clock.now());
    const runName = name?.trim() || defaultRunName(now);
    if (Buffer.byteLength(runName) > 200)
      throw new ValidationError('run.name', runName, 'run name must be at most 200 bytes');
    let id = makeRunId(runName, now);
    while (this.d.store.getRun(id)) id = `${id}-${Math.floor(Math.random() * 1e4)}`;
    this.hooks.commitNow();
    this.d.store.insertRun(id, runName, now, this.d.outbox.lastSeq + 1);
    this.run = { id, name: runName, startedAt: now, endedAt: null, points: 0 };
    this.runTags = runTagsOf(id, opts.tags);
    this.runTagsJson = JSON.stringify(this.runTags);
    this.only = (opts.onlyPrefixes ?? []).map((p) => JSON.stringify(p).slice(0, -1));
    // The run records how good its time base was when it started.
    const clock = this.d.clock.get();
    const [, startJson] = encodeValue(
      {
        name: runName,
        clock: {
          source: clock.source,
          offset_ms: Math.round(clock.offsetMs * 10) / 10,
          uncertainty_ms: clock.uncertaintyMs === null ? null : Math.round(clock.uncertaintyMs * 10) / 10,
        },
      },
      true,
    );
    // Stamped by the client: a first clock sync moves it like any point the client stamped.
    this.hooks.record('run.start', startJson, now);
    this.d.presync.noteRunStart(id);
    this.hooks.emit('start', { ...this.run });
    return { ...this.run };
  }

  /**
   * End the active run (no-op when none); returns it. `interrupted`: why it was cut short (the
   * recorder is closing while it records), recorded in its end event and in the run log.
   */
  finish(opts: { interrupted?: string } = {}): RunInfo | null {
    const run = this.run;
    if (!run) return null;
    const now = Math.round(this.d.clock.now());
    const [, endJson] = encodeValue(
      {
        name: run.name,
        points: run.points + 1,
        duration_s: Math.round((now - run.startedAt) / 100) / 10,
        ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
      },
      true,
    );
    this.hooks.record('run.end', endJson, now);
    this.d.presync.noteRunEnd(run.id);
    this.run = null;
    this.runTags = undefined;
    this.runTagsJson = '';
    this.only = [];
    run.endedAt = now;
    this.hooks.commitNow();
    this.d.storeSafely('record the end of the run', () => {
      this.d.store.endRun(run.id, now, this.d.outbox.lastSeq, run.points);
      if (opts.interrupted)
        this.d.store.setMeta(interruptedKey(run.id), JSON.stringify({ why: opts.interrupted, endedAt: now }));
    });
    this.hooks.emit('end', { ...run });
    return { ...run };
  }

  /** The first clock sync moved the runs started before it by `deltaMs`: the active one too. */
  shifted(runIds: ReadonlyMap<string, boolean>, deltaMs: number): void {
    if (this.run && runIds.has(this.run.id)) this.run.startedAt += deltaMs;
  }

  /** One run of the log, or undefined; an interrupted one says so. */
  get(runId: string): RunRow | undefined {
    const r = this.d.store.getRun(runId);
    if (!r) return undefined;
    return this.d.store.getMeta(interruptedKey(r.id)) !== undefined ? { ...r, interrupted: true } : r;
  }

  /** Past and current runs, newest first; interrupted ones say so. */
  list(limit: number): RunRow[] {
    return this.d.store
      .listRuns(limit)
      .map((r) => (this.d.store.getMeta(interruptedKey(r.id)) !== undefined ? { ...r, interrupted: true } : r));
  }

  /**
   * One slice of a run's points named `metric`, from the local log: those in the blocks after the
   * block starting at `after` (-1: from the run's start), a bounded number of blocks per slice.
   * `next`: where the next slice starts, null when the run is read to its end.
   */
  namedSlice(runId: string, metric: string, after: number): { points: LoggedPoint[]; next: number | null } {
    const run = this.d.store.getRun(runId);
    if (!run) throw new ValidationError('run.id', runId, `no run with id ${JSON.stringify(runId)}`);
    if (after < 0) this.hooks.commitNow();
    const to = run.lastSeq ?? this.d.outbox.storedSeq;
    const rows = this.d.store.blocksBetween(run.firstSeq, to, after);
    // The exact bytes a point line of that name holds (validate.ts writes them in this order).
    const needle = Buffer.from(`"metric":${JSON.stringify(metric)},`);
    const points = rows.flatMap((r) => namedIn(r, needle, metric, runId, run.firstSeq, to));
    return { points, next: rows.length > 0 ? rows[rows.length - 1]!.firstSeq : null };
  }

  /** The points of a run, from the local log, in recording order (see Plexus.runPoints). */
  *points(runId: string): Generator<LoggedPoint> {
    const run = this.d.store.getRun(runId);
    if (!run) throw new ValidationError('run.id', runId, `no run with id ${JSON.stringify(runId)}`);
    this.hooks.commitNow();
    const to = run.lastSeq ?? this.d.outbox.storedSeq;
    let after = -1;
    for (;;) {
      const rows = this.d.store.blocksBetween(run.firstSeq, to, after);
      if (rows.length === 0) return;
      for (const r of rows) {
        after = r.firstSeq;
        const lines = r.body.toString('utf8').split('\n');
        for (let i = 0; i < lines.length; i++) {
          const seq = r.firstSeq + i;
          if (seq < run.firstSeq || seq > to) continue;
          const p = JSON.parse(lines[i]!) as LoggedPoint;
          if (p.tags?.run_id === runId) yield { ...p, seq };
        }
      }
    }
  }
}
