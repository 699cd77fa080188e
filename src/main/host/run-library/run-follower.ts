// Copies runs out of the client's log into the run library as they are recorded. It follows the
// log from a cursor kept in the library (so a restart resumes where it stopped, and a crash
// copies again at most what was not yet written), a bounded number of blocks per step so the
// recorder never stalls behind it. A point belongs to the run its `run_id` tag names (a run the
// client knows: a device's own `run_id` tag outside a run names none); the library keeps its
// line as it is, its number in the run's series, its event or marker in the moments.

import type { LoggedPoint, Plexus } from '../../plexus';
import type { LibraryStatements } from './library-db';
import { readMetricLine } from './metric-line';
import type { SeriesIndex } from './series-index';
import { markerNote } from '../run-markers';

/** A run's open piece of lines: rewritten in place on each step until it holds this much. */
const PIECE_BYTES = 64 * 1024;
/** Longest text a moment keeps (the full value stays in the run's lines). */
const MOMENT_TEXT = 200;
const NL = 0x0a;
/** What a moment's row costs besides its text (time, kind, name, run id, row overhead). */
const MOMENT_ROW_BYTES = 48;
const RUN_TAG = Buffer.from('"run_id":"');
/** Events of the run's own that are not moments to draw: its bounds and its details' edits. */
const NOT_MOMENTS = new Set(['run.start', 'run.end', 'run.details']);

interface OpenPiece {
  firstSeq: number;
  lines: string[];
  seqs: number[];
  bytes: number;
  /** Bytes already counted in the run's size. */
  counted: number;
  /** Seqs run consecutively (no line of another run or of no run in between). */
  consecutive: boolean;
  /** The run's end was copied: the piece closes with this step. */
  ended: boolean;
}

interface Moment {
  runId: string;
  t: number;
  kind: 'marker' | 'event';
  name: string;
  text: string;
}

export interface FollowerHooks {
  /** Whether lines of this run id belong in the library (a run the client knows, not deleted). */
  accepts(runId: string): boolean;
  /** A run seen for the first time: make its library row (name and start from the client). */
  ensureRun(runId: string): void;
  /** Writes of a step, in one transaction. */
  transaction(fn: () => void): void;
  /** A step failed: a fresh review index, read from the file (its memory may be ahead of it). */
  reloadSeries(): SeriesIndex;
  /** Runs that got new points in a step (their sizes changed). */
  grew(runIds: Iterable<string>): void;
}

export class RunFollower {
  private cursor: number;
  private readonly open = new Map<string, OpenPiece>();
  /** Pieces filled during this step, not yet written. */
  private full: Array<{ runId: string; piece: OpenPiece }> = [];
  private moments: Moment[] = [];
  private readonly touched = new Set<string>();

  constructor(
    private readonly client: Plexus,
    private readonly st: LibraryStatements,
    private series: SeriesIndex,
    private readonly hooks: FollowerHooks,
    warn: (message: string) => void,
  ) {
    this.cursor = Number(st.getMeta.get('cursor')?.value ?? 0);
    const last = client.stats().lastSeq;
    if (this.cursor > last) {
      // The buffer was made anew (set aside when damaged): its seqs start again. Copy from its
      // start; the runs copied before are kept as they are.
      warn(
        `the buffer's log restarts at seq ${last}, behind the run library's ${this.cursor}: copying it from the start`,
      );
      this.cursor = 0;
    }
    // Retention must not prune what the library has not copied yet (a fast gateway confirms
    // points long before the next step).
    client.holdLogAfter(this.cursor);
  }

  /** Last log seq copied. */
  get copiedSeq(): number {
    return this.cursor;
  }

  /**
   * Copy at most `maxBlocks` × 64 blocks the log committed since the last step; returns the
   * number of blocks read (0: caught up). `commit`: write the client's pending points first.
   */
  step(maxBlocks = 4, commit = false): number {
    let read = 0;
    const from = this.cursor;
    try {
      for (let i = 0; i < maxBlocks; i++) {
        const blocks = this.client.logBlocksAfter(this.cursor, commit && i === 0);
        if (blocks.length === 0) break;
        for (const b of blocks) this.block(b.firstSeq, b.body, this.cursor);
        this.cursor = blocks[blocks.length - 1]!.firstSeq + blocks[blocks.length - 1]!.n - 1;
        read += blocks.length;
      }
      if (read > 0) this.write();
    } catch (e) {
      this.failed(() => (this.cursor = from));
      throw e;
    }
    return read;
  }

  /**
   * Nothing of the failed step was written (one transaction): it is read again next time, from
   * the log, which keeps it (holdLogAfter). Open pieces start afresh (what they held before the
   * step is in their rows already) and the index reloads its tails from the file.
   */
  private failed(rewind: () => void): void {
    rewind();
    this.open.clear();
    this.full = [];
    this.moments = [];
    this.touched.clear();
    this.series = this.hooks.reloadSeries();
  }

  /** Copy everything committed so far, a step per turn of the event loop. */
  async catchUp(): Promise<void> {
    // One read of 64 blocks per write: what a step holds in memory stays a few MB.
    while (this.step(1, true) > 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Copy everything committed so far, at once (when the recorder closes). */
  catchUpNow(): void {
    while (this.step(16) > 0);
  }

  /** A run was deleted: drop what is still open for it. */
  forget(runId: string): void {
    this.open.delete(runId);
    this.full = this.full.filter((f) => f.runId !== runId);
    this.moments = this.moments.filter((m) => m.runId !== runId);
  }

  /**
   * Read a run's lines again from the log, from `firstSeq` up to the cursor (the client moved
   * their times at its first clock sync). The caller removed what the library held of it.
   */
  recopy(runId: string, firstSeq: number): void {
    this.forget(runId);
    const upTo = this.cursor;
    try {
      // From the block that holds the run's first seq (it may start before it).
      let blocks = this.client.logBlocksAfter(-1, false, firstSeq);
      while (blocks.length > 0) {
        for (const b of blocks) this.block(b.firstSeq, b.body, firstSeq - 1, upTo, runId);
        const after = blocks[blocks.length - 1]!.firstSeq + blocks[blocks.length - 1]!.n - 1;
        this.write();
        if (after >= upTo) break;
        blocks = this.client.logBlocksAfter(after);
      }
    } catch (e) {
      this.failed(() => undefined);
      throw e;
    }
  }

  /** The lines of a block after seq `after` (up to `upTo`), of `only` that run when given. */
  private block(firstSeq: number, body: Buffer, after: number, upTo = Infinity, only?: string): void {
    let start = 0;
    for (let seq = firstSeq; start <= body.length && seq <= upTo; seq++) {
      let end = body.indexOf(NL, start);
      if (end === -1) end = body.length;
      if (seq > after && end > start) {
        const tag = body.indexOf(RUN_TAG, start);
        if (tag !== -1 && tag < end) this.line(seq, body.subarray(start, end), only);
      }
      start = end + 1;
    }
  }

  private line(seq: number, line: Buffer, only: string | undefined): void {
    const text = line.toString('utf8');
    // Most lines are numbers: read from their known places; the rest parsed.
    const fast = readMetricLine(text);
    let p: LoggedPoint | null = null;
    if (!fast) {
      try {
        p = JSON.parse(text) as LoggedPoint;
      } catch {
        return; // the log only holds lines the client encoded; nothing else is a run's point
      }
    }
    const runId = fast ? fast.runId : p!.tags?.run_id;
    if (typeof runId !== 'string' || (only !== undefined && runId !== only)) return;
    let piece = this.open.get(runId);
    if (piece && piece.bytes >= PIECE_BYTES) {
      // Full: written as it is with this step, and a new piece begins (rows stay ~64 KiB, so a
      // reader holds a few MB at a time however long a step was).
      this.full.push({ runId, piece });
      this.open.delete(runId);
      piece = undefined;
    }
    if (!piece) {
      if (!this.hooks.accepts(runId)) return;
      this.hooks.ensureRun(runId);
      piece = { firstSeq: seq, lines: [], seqs: [], bytes: 0, counted: 0, consecutive: true, ended: false };
      this.open.set(runId, piece);
    }
    const lastSeq = piece.seqs.length > 0 ? piece.seqs[piece.seqs.length - 1]! : seq - 1;
    if (seq !== lastSeq + 1) piece.consecutive = false;
    piece.lines.push(text);
    piece.seqs.push(seq);
    piece.bytes += line.length + 1;
    this.touched.add(runId);
    if (fast) {
      this.series.append(runId, fast.metric, fast.timestamp, fast.value);
      return;
    }
    const point = p!;
    if (point.metric === 'run.end') piece.ended = true;
    if (typeof point.value === 'number') this.series.append(runId, point.metric, point.timestamp, point.value);
    else if (point.class === 'event' && !NOT_MOMENTS.has(point.metric)) {
      const marker = point.metric === 'marker';
      this.moments.push({
        runId,
        t: point.timestamp,
        kind: marker ? 'marker' : 'event',
        name: point.metric,
        text: (marker ? (markerNote(point.value) ?? '') : textOf(point.value)).slice(0, MOMENT_TEXT),
      });
    }
  }

  private writePiece(runId: string, piece: OpenPiece): void {
    const seqs = piece.consecutive ? null : Buffer.from(new Float64Array(piece.seqs).buffer);
    const body = Buffer.from(piece.lines.join('\n'));
    this.st.insertLines.run(runId, piece.firstSeq, piece.lines.length, body, seqs);
    this.st.grow.run(piece.bytes - piece.counted, piece.seqs[piece.seqs.length - 1]!, runId);
    piece.counted = piece.bytes;
  }

  private write(): void {
    const closing: string[] = [];
    this.hooks.transaction(() => {
      for (const { runId, piece } of this.full) this.writePiece(runId, piece);
      for (const runId of this.touched) {
        const piece = this.open.get(runId);
        if (!piece) continue;
        this.writePiece(runId, piece);
        // A full piece is done; so is a run's last (nothing more comes for it: memory goes too).
        if (piece.bytes >= PIECE_BYTES || piece.ended) closing.push(runId);
      }
      for (const m of this.moments) {
        this.st.insertMoment.run(m.runId, m.t, m.kind, m.name, m.text);
        this.st.grow.run(MOMENT_ROW_BYTES + Buffer.byteLength(m.text), 0, m.runId);
      }
      this.series.flush();
      this.st.setMeta.run('cursor', String(this.cursor));
    });
    this.client.holdLogAfter(this.cursor);
    for (const runId of closing) this.open.delete(runId);
    this.hooks.grew(this.touched);
    this.full = [];
    this.moments = [];
    this.touched.clear();
  }
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? '';
}
