// The host's side of a plugin's points: adds the instance's prefix to names, records through the
// host's sink (which validates with the client's rules and feeds the live preview), and reports
// each point refused with the rule it broke — the first few per rule in the plugin's log, all of
// them counted — while the plugin keeps running. Also the counting sink line readers write to.

import { checkMetricName, ValidationError, type SendOptions } from '../plexus';
import type { TelemetrySink } from '../devices/types';
import { FLAG_EVENT, FLAG_OTHER, type PointsMessage } from './script/protocol';
import { RateMeter } from './rate-meter';
import type { LogLevel, PluginSink } from './types';

const REPORT_FIRST = 5;

interface Point {
  metric: string;
  value: unknown;
  timestamp: number;
  tags?: Record<string, string>;
}

export class PluginRecorder {
  /** Full (prefixed) metric name per index the worker uses; null for a name the gateway refuses. */
  private table: Array<string | null> = [];
  private readonly reported = new Map<string, number>();
  private readonly meter = new RateMeter();
  points = 0;
  rejected = 0;

  constructor(
    private readonly sink: PluginSink,
    /** The instance's name and whether to put it before metric names. */
    private prefix: string | null,
    private readonly log: (level: LogLevel, message: string) => void,
  ) {}

  /** A new run starts: its worker numbers names from 0 again. */
  resetNames(): void {
    this.table = [];
  }

  setPrefix(prefix: string | null): void {
    this.prefix = prefix;
    this.table = [];
  }

  fullName(raw: string): string {
    return this.prefix ? `${this.prefix}.${raw}` : raw;
  }

  pointsPerSec(): number {
    return this.meter.rate();
  }

  /** Names a worker will refer to by index, in order. */
  names(raw: string[]): void {
    for (const r of raw) {
      const full = this.fullName(r);
      try {
        checkMetricName(full);
        this.table.push(full);
      } catch (e) {
        // Reported once here; each point under this name is counted as it comes.
        this.table.push(null);
        this.report(full, e);
      }
    }
  }

  /** A batch from a worker: recorded in order; refused points reported, the others kept. */
  record(m: PointsMessage): void {
    const batch: Point[] = [];
    const tags = m.tags ? new Map(m.tags) : null;
    let k = 0;
    for (let i = 0; i < m.n; i++) {
      const f = m.flags[i]!;
      const value = f & FLAG_OTHER ? m.other[k++] : m.nums[i]!;
      const metric = this.table[m.ids[i]!];
      if (metric === null || metric === undefined) {
        this.rejected++; // its name was reported when it arrived
        continue;
      }
      const t = tags?.get(i);
      if (f & FLAG_EVENT) {
        this.flush(batch);
        batch.length = 0;
        this.one(metric, value, m.ts[i]!, t, true);
      } else batch.push(t ? { metric, value, timestamp: m.ts[i]!, tags: t } : { metric, value, timestamp: m.ts[i]! });
    }
    this.flush(batch);
  }

  /** Rejections the worker found (value, timestamp and tag rules); `count` includes unlisted ones. */
  workerRejected(metric: string, rule: string, message: string, count: number): void {
    this.rejected += count;
    if (!rule) return;
    const n = (this.reported.get(rule) ?? 0) + 1;
    this.reported.set(rule, n);
    if (n <= REPORT_FIRST) this.log('warn', this.rejectMessage(metric, message, n));
  }

  private flush(batch: Point[]): void {
    if (batch.length === 0) return;
    try {
      this.sink.sendBatch(batch);
      this.count(batch.length);
      return;
    } catch (e) {
      if (!(e instanceof ValidationError)) {
        this.log('error', `cannot record: ${(e as Error).message}`);
        return;
      }
    }
    // The batch is all-or-none: find the bad points, keep the good ones.
    for (const p of batch) this.one(p.metric, p.value, p.timestamp, p.tags, false);
  }

  private one(
    metric: string,
    value: unknown,
    timestamp: number,
    tags: Record<string, string> | undefined,
    event: boolean,
  ): void {
    const opts: SendOptions = tags ? { timestamp, tags } : { timestamp };
    try {
      if (event) this.sink.event(metric, value, opts);
      else this.sink.send(metric, value, opts);
      this.count(1);
    } catch (e) {
      if (e instanceof ValidationError) this.reject(metric, e);
      else this.log('error', `cannot record: ${(e as Error).message}`);
    }
  }

  private count(n: number): void {
    this.points += n;
    this.meter.add(n);
  }

  private reject(metric: string, e: unknown): void {
    this.rejected++;
    this.report(metric, e);
  }

  private report(metric: string, e: unknown): void {
    const rule = e instanceof ValidationError ? e.rule : 'unknown';
    const n = (this.reported.get(rule) ?? 0) + 1;
    this.reported.set(rule, n);
    if (n <= REPORT_FIRST) this.log('warn', this.rejectMessage(metric, (e as Error).message, n));
  }

  private rejectMessage(metric: string, message: string, n: number): string {
    const more = n === REPORT_FIRST ? ' (further ones breaking this rule are only counted)' : '';
    return `point "${metric}" not recorded: ${message}${more}`;
  }

  /**
   * A sink for line readers (process plugins, network lines): records through the host's sink
   * and counts what was recorded for this instance's points/s.
   */
  lineSink(): TelemetrySink {
    return {
      now: () => this.sink.now(),
      send: (metric, value, opts) => {
        const seq = this.sink.send(metric, value, opts);
        this.count(1);
        return seq;
      },
      sendBatch: (points, opts) => {
        const seq = this.sink.sendBatch(points, opts);
        this.count(points.length);
        return seq;
      },
      sendVideoFrame: (frame, cameraId, opts) => this.sink.sendVideoFrame(frame, cameraId, opts),
    };
  }
}
