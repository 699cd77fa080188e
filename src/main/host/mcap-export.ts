// A run as MCAP (opens in Foxglove and Lichtblick), its records built by the official @mcap/core
// library (mcap-file.ts): no profile, JSON messages described by JSON Schemas, chunked and indexed so a reader can seek.
//
// One channel per metric, topic `/<metric>`, message `{"value": …}` (plus `tags` when a point has
// tags besides the run id), log and publish time the point's timestamp in nanoseconds. The schema
// says the value's type (number, boolean, text or JSON), so a plot knows a number when it sees
// one; a metric whose values change type gets a second channel on the same topic. Events go to
// `/events` and markers to `/markers` as `{"name": …, "value": …}`. The run itself (name, id,
// start, end, device, interrupted) is a Metadata record named `plexus.run`.
//
// Points are written in recording order, as they come from the run log: MCAP allows messages out
// of time order, and indexed readers put them in order, so nothing needs sorting or holding.

import type { McapTypes } from '@mcap/core';
import type { RunView } from '../../shared/contract';
import type { LoggedPoint } from '../plexus';
import type { ExportSink } from './export-sink';
import { McapFileWriter } from './mcap-file';
import { PointLineReader, type LinePiece, type LineVisitor } from './run-library/metric-line';

export const MCAP_RUN_METADATA = 'plexus.run';
export const EVENTS_TOPIC = '/events';
export const MARKERS_TOPIC = '/markers';

export interface McapRunInfo {
  run: RunView;
  /** The device name the run was recorded under (the source id at the gateway). */
  device: string;
  /** A metric's unit, when the recorder knows one (a channel metadata entry `unit`). */
  unit(metric: string): string | undefined;
}

type Kind = 'number' | 'boolean' | 'string' | 'json' | 'event';

const SCHEMAS: Record<Kind, { name: string; schema: object }> = {
  number: { name: 'plexus.NumberValue', schema: valueSchema({ type: 'number' }) },
  boolean: { name: 'plexus.BooleanValue', schema: valueSchema({ type: 'boolean' }) },
  string: { name: 'plexus.TextValue', schema: valueSchema({ type: 'string' }) },
  json: { name: 'plexus.JsonValue', schema: valueSchema({}) },
  event: {
    name: 'plexus.Event',
    schema: {
      type: 'object',
      properties: { name: { type: 'string' }, value: {}, tags: tagsSchema() },
      required: ['name', 'value'],
    },
  },
};

function tagsSchema(): object {
  return { type: 'object', additionalProperties: { type: 'string' } };
}

function valueSchema(value: object): object {
  return { type: 'object', properties: { value, tags: tagsSchema() }, required: ['value'] };
}

function kindOf(p: LoggedPoint): Kind {
  if (p.class === 'event') return 'event';
  const t = typeof p.value;
  return t === 'number' || t === 'boolean' || t === 'string' ? t : 'json';
}

/** The point's tags without the run id (every point of the run has it; the metadata holds it). */
function ownTags(tags: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!tags) return undefined;
  const rest = Object.entries(tags).filter(([k]) => k !== 'run_id');
  return rest.length > 0 ? Object.fromEntries(rest) : undefined;
}

function message(p: LoggedPoint): Record<string, unknown> {
  const m: Record<string, unknown> = p.class === 'event' ? { name: p.metric, value: p.value } : { value: p.value };
  const tags = ownTags(p.tags);
  if (tags) m.tags = tags;
  return m;
}

/** Epoch ms to ns, keeping a fraction of a millisecond (ms × 1e6 as a double would lose ~256 ns). */
export function nanoseconds(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

function iso(t: number | null): string {
  return t === null ? '' : new Date(t).toISOString();
}

export function runMetadata(info: McapRunInfo): Map<string, string> {
  const { run } = info;
  return new Map([
    ['id', run.id],
    ['name', run.name],
    ['device', info.device],
    ['started_at', iso(run.startedAt)],
    ['started_at_ms', String(run.startedAt)],
    ['ended_at', iso(run.endedAt)],
    ['ended_at_ms', run.endedAt === null ? '' : String(run.endedAt)],
    ['interrupted', run.interrupted ? 'true' : 'false'],
    ['points', String(run.points)],
    // The technician's details: fields as `field.<key>`, so each is its own entry in a viewer.
    ['operator', run.meta?.operator ?? ''],
    ['description', run.meta?.description ?? ''],
    ['sources', (run.meta?.sources ?? []).join(', ')],
    ...Object.entries(run.meta?.fields ?? {}).map(([k, v]): [string, string] => [`field.${k}`, v]),
  ]);
}

/** What the export tells as it goes: how many points it has read so far. */
export type McapProgress = (read: number) => void;

/** Writes the MCAP file from the run's pieces of log lines; resolves with the number of messages. */
export async function writeMcap(
  pieces: Iterable<LinePiece>,
  info: McapRunInfo,
  sink: ExportSink,
  progress: McapProgress = () => {},
): Promise<number> {
  const file = new McapFileWriter(sink);
  const encoder = new TextEncoder();
  const schemaIds = new Map<Kind, number>();
  const channelIds = new Map<string, number>();

  const schemaFor = (kind: Kind): number => {
    let id = schemaIds.get(kind);
    if (id === undefined) {
      const s = SCHEMAS[kind];
      id = file.schema({ name: s.name, encoding: 'jsonschema', data: encoder.encode(JSON.stringify(s.schema)) });
      schemaIds.set(kind, id);
    }
    return id;
  };
  const channelFor = (kind: Kind, metric: string): number => {
    const topic = kind === 'event' ? (metric === 'marker' ? MARKERS_TOPIC : EVENTS_TOPIC) : `/${metric}`;
    const key = `${kind}:${topic}`;
    let id = channelIds.get(key);
    if (id === undefined) {
      const metadata = new Map<string, string>();
      if (kind !== 'event') {
        metadata.set('metric', metric);
        const unit = info.unit(metric);
        if (unit) metadata.set('unit', unit);
      }
      id = file.channel({ schemaId: schemaFor(kind), topic, messageEncoding: 'json', metadata });
      channelIds.set(key, id);
    }
    return id;
  };

  await file.start({ profile: '', library: 'plexus-bench' });
  await file.metadata({ name: MCAP_RUN_METADATA, metadata: runMetadata(info) });

  // One message object, filled per point: the chunk builder copies what it needs.
  const msg: McapTypes.Message = { channelId: 0, sequence: 0, logTime: 0n, publishTime: 0n, data: new Uint8Array(0) };
  let full = false;
  const add = (channelId: number, seq: number, time: bigint, data: Uint8Array): void => {
    msg.channelId = channelId;
    msg.sequence = seq % 2 ** 32; // MCAP's sequence is 32 bits; the log's seq, so a message leads back to it
    msg.logTime = time;
    msg.publishTime = time;
    msg.data = data;
    if (file.add(msg)) full = true;
  };
  const time = new NanosecondClock();
  const data = new MessageData();
  const numberChannels = new Map<string, number>();
  const visitor: LineVisitor = {
    number(seq, metric, valueText, timeText, tagsJson) {
      let channelId = numberChannels.get(metric);
      if (channelId === undefined) {
        channelId = channelFor('number', metric);
        numberChannels.set(metric, channelId);
      }
      add(channelId, seq, time.of(Number(timeText)), data.number(valueText, tagsTail(tagsJson)));
    },
    other(p) {
      add(channelFor(kindOf(p), p.metric), p.seq, time.of(p.timestamp), encoder.encode(JSON.stringify(message(p))));
    },
  };
  const reader = new PointLineReader();
  let count = 0;
  for (const piece of pieces) {
    count += reader.visit(piece, visitor);
    if (full) {
      full = false;
      await file.flushChunk();
    }
    progress(count);
  }
  await file.end();
  return count;
}

const VALUE_HEAD = Buffer.from('{"value":');

/**
 * A number's message, `{"value":<its text as the log wrote it><tags>}`, put together in one scratch
 * buffer: the chunk builder copies it, so nothing is allocated per point (a view per length is
 * kept), and the value's few ASCII characters are copied in a loop, cheaper here than a call into
 * Buffer.write.
 */
class MessageData {
  private bytes = Buffer.alloc(4096);
  private views: Buffer[] = [];

  constructor() {
    VALUE_HEAD.copy(this.bytes);
  }

  number(valueText: string, tail: Buffer): Buffer {
    const need = VALUE_HEAD.length + valueText.length + tail.length;
    if (need > this.bytes.length) {
      this.bytes = Buffer.alloc(need * 2);
      VALUE_HEAD.copy(this.bytes);
      this.views = [];
    }
    const b = this.bytes;
    let n = VALUE_HEAD.length;
    for (let i = 0; i < valueText.length; i++) b[n++] = valueText.charCodeAt(i);
    if (tail.length === 1) b[n++] = tail[0]!;
    else n += tail.copy(b, n);
    return (this.views[n] ??= b.subarray(0, n));
  }
}

/** Epoch ms to ns as nanoseconds() does, with the whole milliseconds' BigInt kept while they repeat. */
class NanosecondClock {
  private whole = NaN;
  private wholeNs = 0n;

  of(ms: number): bigint {
    const whole = Math.floor(ms);
    if (whole !== this.whole) {
      this.whole = whole;
      this.wholeNs = BigInt(whole) * 1_000_000n;
    }
    const frac = ms - whole;
    return frac === 0 ? this.wholeNs : this.wholeNs + BigInt(Math.round(frac * 1e6));
  }
}

const tailsByJson = new Map<string, Buffer>();
const NO_TAGS_TAIL: Buffer = Buffer.from('}');
let lastTagsJson = '';
let lastTail: Buffer = NO_TAGS_TAIL;

/** What follows a number's value: `,"tags":{…}}` of its own tags, or `}`; made once per tag set. */
function tagsTail(tagsJson: string): Buffer {
  if (tagsJson === '') return NO_TAGS_TAIL;
  // Consecutive points mostly carry the same set: comparing with the last beats hashing.
  if (tagsJson === lastTagsJson) return lastTail;
  let tail = tailsByJson.get(tagsJson);
  if (!tail) {
    const own = ownTags(JSON.parse(tagsJson) as Record<string, string>);
    tail = own ? Buffer.from(`,"tags":${JSON.stringify(own)}}`) : NO_TAGS_TAIL;
    if (tailsByJson.size >= 4096) tailsByJson.clear();
    tailsByJson.set(tagsJson, tail);
  }
  lastTagsJson = tagsJson;
  lastTail = tail;
  return tail;
}
