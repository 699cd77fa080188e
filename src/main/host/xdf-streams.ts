// The streams of an XDF export (xdf-export.ts says the layout and why the clock is as it is): each
// gathers its samples into the body of its next Samples chunk, a numeric stream's sample being
// complete when one for another time (or a second value of a channel) begins, and writes its own
// header and footer XML. The clock puts the recorder's times on this machine's clock.

import type { XdfRunInfo } from './xdf-export';
import { Bytes, samplesChunk, xml, type XmlTree } from './xdf-chunks';

/** A stream's samples go into a chunk once this many are waiting, or this many bytes. */
const CHUNK_SAMPLES = 1000;
const CHUNK_BYTES = 1 << 20;

/** Recorder time (epoch ms) to a time stamp on this machine's clock (s), and the offsets back. */
export class XdfClock {
  private readonly offsets: { at: number; offsetMs: number }[];

  constructor(offsets: readonly { at: number; offsetMs: number }[]) {
    this.offsets = offsets.filter((o) => Number.isFinite(o.at) && Number.isFinite(o.offsetMs));
    this.offsets.sort((a, b) => a.at - b.at);
  }

  /** The offset in force at `t`: the last measured before it, else the first (libxdf's rule). */
  private offsetAt(t: number): number {
    const o = this.offsets;
    if (o.length === 0) return 0;
    let lo = 0;
    let hi = o.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (o[mid]!.at < t) lo = mid;
      else hi = mid - 1;
    }
    return o[lo]!.offsetMs;
  }

  stamp(t: number): number {
    return (t - this.offsetAt(t)) / 1000;
  }

  /** The offsets as ClockOffset chunks hold them: measured on this machine's clock, in seconds. */
  measured(): { time: number; value: number }[] {
    return this.offsets.map((o) => ({ time: (o.at - o.offsetMs) / 1000, value: o.offsetMs / 1000 }));
  }
}

function iso(t: number | null): string {
  return t === null ? '' : new Date(t).toISOString();
}

/** The run, as the file header and every stream's desc carry it. */
export function runXml(info: XdfRunInfo): XmlTree {
  const { run } = info;
  return {
    run_id: run.id,
    run_name: run.name,
    device: info.device,
    started_at: iso(run.startedAt),
    started_at_ms: run.startedAt,
    ended_at: iso(run.endedAt),
    ended_at_ms: run.endedAt ?? '',
    interrupted: run.interrupted ? 'true' : 'false',
    operator: run.meta?.operator ?? '',
    description: run.meta?.description ?? '',
    sources: (run.meta?.sources ?? []).join(', '),
    fields: { ...run.meta?.fields },
  };
}

export function fileHeaderXml(info: XdfRunInfo): string {
  return `<?xml version="1.0"?><info>${xml({ version: '1.0', datetime: iso(info.run.startedAt), plexus: runXml(info) })}</info>`;
}

export class XdfStream {
  /** Channel of each metric (numeric streams). */
  readonly index: Map<string, number>;
  private readonly body: Bytes;
  private waiting = 0;
  private count = 0;
  private first = Infinity;
  private last = -Infinity;
  /** The sample being gathered (numeric streams): its time, values, and which are set. */
  private t: number | null = null;
  private readonly values: Float64Array;
  private readonly set: Uint8Array;

  /** `channels`: the metrics of a numeric stream (booleans: those only ever true/false); none: a string stream. */
  constructor(
    readonly id: number,
    readonly name: string,
    readonly channels: readonly string[],
    private readonly booleans: ReadonlySet<string>,
    private readonly clock: XdfClock,
  ) {
    this.index = new Map(channels.map((m, i) => [m, i]));
    this.values = new Float64Array(channels.length);
    this.set = new Uint8Array(channels.length);
    this.body = new Bytes(Math.min(CHUNK_BYTES, CHUNK_SAMPLES * (9 + 8 * Math.max(channels.length, 4))));
  }

  get numeric(): boolean {
    return this.channels.length > 0;
  }

  private begin(t: number): void {
    const stamp = this.clock.stamp(t);
    this.body.u8(8); // the time stamp's size: every sample has one (the rate is irregular)
    this.body.f64(stamp);
    this.waiting++;
    this.count++;
    this.first = Math.min(this.first, stamp);
    this.last = Math.max(this.last, stamp);
  }

  /** Channel `i`'s value at `t`: into the sample gathered, or a new one. */
  value(t: number, i: number, v: number): void {
    if (this.t !== t || this.set[i]) {
      this.close();
      this.t = t;
    }
    this.values[i] = v;
    this.set[i] = 1;
  }

  /** A string sample. */
  text(t: number, s: string): void {
    this.begin(t);
    this.body.text(s);
  }

  /** The sample gathered so far (numeric streams), complete: NaN where a channel had no value. */
  close(): void {
    if (this.t === null) return;
    this.begin(this.t);
    for (let i = 0; i < this.values.length; i++) this.body.f64(this.set[i] ? this.values[i]! : NaN);
    this.t = null;
    this.set.fill(0);
  }

  full(): boolean {
    return this.waiting >= CHUNK_SAMPLES || this.body.length >= CHUNK_BYTES;
  }

  /** The samples waiting, as a chunk (a copy: the body is reused), or null when none wait. */
  take(): Buffer | null {
    if (this.waiting === 0) return null;
    const c = samplesChunk(this.id, this.waiting, this.body.view());
    this.body.reset();
    this.waiting = 0;
    return c;
  }

  headerXml(info: XdfRunInfo): string {
    const channels = this.numeric
      ? this.channels.map((m) => ({
          label: m,
          unit: info.unit(m) ?? '',
          type: this.name,
          value_type: this.booleans.has(m) ? 'boolean' : 'number',
        }))
      : [{ label: this.name, type: this.name }];
    const tree: XmlTree = {
      name: this.name,
      type: this.name,
      channel_count: channels.length,
      nominal_srate: 0,
      channel_format: this.numeric ? 'double64' : 'string',
      source_id: `${info.device}/${this.name}`,
      version: '1.1',
      created_at: this.clock.stamp(info.run.startedAt),
      desc: { channels: { channel: channels }, acquisition: { manufacturer: 'Plexus Bench' }, plexus: runXml(info) },
    };
    return `<?xml version="1.0"?><info>${xml(tree)}</info>`;
  }

  /** The footer, as LabRecorder writes it (times as stored, the clock offsets repeated). */
  footerXml(): string {
    const tree: XmlTree = { first_timestamp: this.first, last_timestamp: this.last, sample_count: this.count };
    const offsets = this.clock.measured();
    if (offsets.length > 0) tree.clock_offsets = { offset: offsets };
    return `<?xml version="1.0"?><info>${xml(tree)}</info>`;
  }
}
