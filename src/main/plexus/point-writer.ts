// The hot path: a value checked against the gateway's rules (protocol §3), encoded once as its
// wire line, stamped on the client's clock, tagged with the active run, and appended to the
// outbox. A point the client stamped itself before the first clock sync is noted, so the sync can
// move it onto gateway time (presync.ts). Nothing here allocates beyond the line itself.

import type { BatchPoint, SendOptions } from './client-types';
import type { CommitScheduler } from './commit-scheduler';
import { ValidationError, describeValue } from './errors';
import type { RecordingContext } from './local-state';
import type { RunRecorder } from './run-recorder';
import { encodeTags, encodeValue, normalizeTimestamp, PointEncoder, type Tags } from './validate';

function checkTagsType(t: unknown, where: string): void {
  if (t === null || typeof t !== 'object' || Array.isArray(t))
    throw new ValidationError(
      'tags.type',
      t,
      `${where}tags must be a flat object of string → string, got ${describeValue(t)}`,
    );
}

export class PointWriter {
  private readonly encoder = new PointEncoder();

  constructor(
    private readonly d: RecordingContext,
    private readonly commits: CommitScheduler,
    private readonly runs: RunRecorder,
    /** A point was refused because the disk fails and RAM holds the most it may. */
    private readonly droppedForStorage: () => void,
  ) {}

  /** Numbers are metrics; strings, booleans, objects and arrays are events. Returns the seq. */
  send(metric: string, value: unknown, opts?: SendOptions): number {
    const metricJson = this.encoder.metricJson(metric);
    const [cls, valueJson] = encodeValue(value, false);
    return this.append(cls, metricJson, valueJson, opts);
  }

  event(name: string, data: unknown, opts?: SendOptions): number {
    const metricJson = this.encoder.metricJson(name);
    const [, valueJson] = encodeValue(data, true);
    return this.append('event', metricJson, valueJson, opts);
  }

  /** A run's own event, stamped by the client at `timestamp` (so a first clock sync moves it). */
  runEvent(metric: string, valueJson: string, timestamp: number): void {
    this.append('event', this.encoder.metricJson(metric), valueJson, { timestamp }, true);
  }

  /** All or none (see Plexus.sendBatch); returns the seq of the last point. */
  batch(points: BatchPoint[] | Record<string, unknown>, opts: SendOptions): number {
    if (points === null || typeof points !== 'object') {
      throw new ValidationError(
        'batch.type',
        points,
        `sendBatch takes an array of points or an object of metric → value, got ${describeValue(points)}`,
      );
    }
    const list: BatchPoint[] = Array.isArray(points)
      ? points
      : Object.entries(points).map(([metric, value]) => ({ metric, value }));
    const ts =
      opts.timestamp !== undefined ? normalizeTimestamp(opts.timestamp, 'batch: ') : Math.round(this.d.clock.now());
    const batchTags = opts.tags;
    if (batchTags !== undefined) checkTagsType(batchTags, '');
    const encoded: string[] = new Array(list.length);
    const inRun: boolean[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      // Messages say which point; the prefix is only built when a point is refused.
      try {
        encoded[i] = this.encodeBatchPoint(p, ts, batchTags);
        inRun[i] = this.runs.tagsOf(this.encoder.metricJson(p!.metric)) !== undefined;
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        throw new ValidationError(e.rule, e.value, `points[${i}]: ${e.message}`);
      }
    }
    let seq = this.d.outbox.lastSeq;
    const ownTime = opts.timestamp === undefined && this.d.presync.waiting;
    for (let i = 0; i < encoded.length; i++) {
      seq = this.appendLine(encoded[i]!, inRun[i]);
      if (ownTime && list[i]!.timestamp === undefined) this.d.presync.note(seq);
    }
    return seq;
  }

  /** One point of a batch as its wire line. */
  private encodeBatchPoint(p: BatchPoint | undefined, ts: number, batchTags: Tags | undefined): string {
    if (!p || typeof p !== 'object')
      throw new ValidationError(
        'batch.point',
        p,
        `each point must be an object { metric, value, tags?, timestamp? }, got ${describeValue(p)}`,
      );
    const metricJson = this.encoder.metricJson(p.metric);
    const v = p.value;
    let cls: 'metric' | 'event';
    let valueJson: string;
    if (typeof v === 'number' && Number.isFinite(v)) {
      cls = 'metric';
      valueJson = String(v);
    } else [cls, valueJson] = encodeValue(v, false);
    const pts = p.timestamp !== undefined ? normalizeTimestamp(p.timestamp) : ts;
    let tagsJson: string;
    if (p.tags === undefined && batchTags === undefined) tagsJson = this.runs.tagsJsonOf(metricJson);
    else {
      if (p.tags !== undefined) checkTagsType(p.tags, '');
      tagsJson = this.tagsJson(metricJson, { ...batchTags, ...p.tags });
    }
    return this.encoder.encode(cls, metricJson, valueJson, pts, tagsJson);
  }

  private tagsJson(metricJson: string, tags: unknown, where = ''): string {
    if (tags === undefined) return this.runs.tagsJsonOf(metricJson);
    return encodeTags(tags, this.runs.tagsOf(metricJson), where);
  }

  /** `ownTime`: the client picked the timestamp (not the caller), so a first clock sync may move it. */
  private append(
    cls: 'metric' | 'event',
    metricJson: string,
    valueJson: string,
    opts?: SendOptions,
    ownTime = opts?.timestamp === undefined || opts.fromClientClock === true,
  ): number {
    const ts = opts?.timestamp !== undefined ? normalizeTimestamp(opts.timestamp) : Math.round(this.d.clock.now());
    const tagsJson = this.tagsJson(metricJson, opts?.tags);
    const seq = this.appendLine(
      this.encoder.encode(cls, metricJson, valueJson, ts, tagsJson),
      this.runs.tagsOf(metricJson) !== undefined,
    );
    if (ownTime && this.d.presync.waiting) this.d.presync.note(seq);
    return seq;
  }

  /** `inRun`: the point carries the active run's tags (counted in the run). */
  private appendLine(line: string, inRun = true): number {
    if (!this.commits.accepts()) {
      this.droppedForStorage();
      return -1;
    }
    const seq = this.d.outbox.append(line);
    this.runs.counted(inRun);
    this.commits.appended();
    return seq;
  }
}
