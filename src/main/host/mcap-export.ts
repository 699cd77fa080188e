// A run as MCAP (opens in Foxglove and Lichtblick), written with the official @mcap/core writer:
// no profile, JSON messages described by JSON Schemas, chunked and indexed so a reader can seek.
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

import { McapWriter, type IWritable } from '@mcap/core';
import type { RunView } from '../../shared/contract';
import type { LoggedPoint } from '../plexus';
import type { ExportSink } from './export-sink';

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

const tagParts = new WeakMap<object, { json: string; ascii: boolean }>();
const NO_TAGS = { json: '', ascii: true };

/** `,"tags":{…}` of a point's own tags ('' when none), once per tag set (a run's points share it). */
function tagsPart(tags: Record<string, string> | undefined): { json: string; ascii: boolean } {
  if (!tags) return NO_TAGS;
  let part = tagParts.get(tags);
  if (!part) {
    const own = ownTags(tags);
    const json = own ? `,"tags":${JSON.stringify(own)}` : '';
    part = { json, ascii: Buffer.byteLength(json) === json.length };
    tagParts.set(tags, part);
  }
  return part;
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

/** Writes the MCAP file; resolves with the number of points (messages) it holds. */
export async function writeMcap(points: Iterable<LoggedPoint>, info: McapRunInfo, sink: ExportSink): Promise<number> {
  const writable: IWritable = { write: (b) => sink.write(b), position: () => sink.position() };
  const writer = new McapWriter({ writable });
  const encoder = new TextEncoder();
  const schemaIds = new Map<Kind, number>();
  const channelIds = new Map<string, number>();

  const schemaFor = async (kind: Kind): Promise<number> => {
    let id = schemaIds.get(kind);
    if (id === undefined) {
      const s = SCHEMAS[kind];
      id = await writer.registerSchema({
        name: s.name,
        encoding: 'jsonschema',
        data: encoder.encode(JSON.stringify(s.schema)),
      });
      schemaIds.set(kind, id);
    }
    return id;
  };
  const channelFor = async (p: LoggedPoint): Promise<number> => {
    const kind = kindOf(p);
    const topic = kind === 'event' ? (p.metric === 'marker' ? MARKERS_TOPIC : EVENTS_TOPIC) : `/${p.metric}`;
    const key = `${kind}:${topic}`;
    let id = channelIds.get(key);
    if (id === undefined) {
      const metadata = new Map<string, string>();
      if (kind !== 'event') {
        metadata.set('metric', p.metric);
        const unit = info.unit(p.metric);
        if (unit) metadata.set('unit', unit);
      }
      id = await writer.registerChannel({ schemaId: await schemaFor(kind), topic, messageEncoding: 'json', metadata });
      channelIds.set(key, id);
    }
    return id;
  };

  await writer.start({ profile: '', library: 'plexus-bench' });
  await writer.addMetadata({ name: MCAP_RUN_METADATA, metadata: runMetadata(info) });
  let count = 0;
  // A number's channel by its metric, found without building a key (most points are numbers).
  const numberChannels = new Map<string, number>();
  for (const p of points) {
    const time = nanoseconds(p.timestamp);
    let channelId: number | undefined;
    let data: Uint8Array;
    if (typeof p.value === 'number' && p.class === 'metric') {
      channelId = numberChannels.get(p.metric);
      if (channelId === undefined) {
        channelId = await channelFor(p);
        numberChannels.set(p.metric, channelId);
      }
      // `{"value":…}` by hand: String() of a finite number is its JSON; the tags part is made once
      // per tag set.
      const tags = tagsPart(p.tags);
      data = Buffer.from(`{"value":${p.value}${tags.json}}`, tags.ascii ? 'latin1' : 'utf8');
    } else {
      channelId = await channelFor(p);
      data = encoder.encode(JSON.stringify(message(p)));
    }
    await writer.addMessage({
      channelId,
      sequence: p.seq % 2 ** 32, // MCAP's sequence is 32 bits; the log's seq, so a message leads back to it
      logTime: time,
      publishTime: time,
      data,
    });
    count++;
  }
  await writer.end();
  return count;
}
