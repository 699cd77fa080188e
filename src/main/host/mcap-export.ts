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
import { buildNumberChunk, type BuiltChunk } from './mcap-chunk';
import { ChunkPool } from './mcap-chunk-pool';
import { McapFileWriter } from './mcap-file';
import { NanosecondClock, ownTags } from './mcap-number-messages';
import type { LinePiece } from './run-library/metric-line';

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

export interface McapWriteOptions {
  /** The run's metrics with numbers (from the library's index): their channels come first. */
  numberMetrics: readonly string[];
  /** Threads building chunks: 0 builds them here (a small run); default, one more than the cores. */
  threads?: number;
}

/** Text of log lines sent to build one chunk: about a megabyte of MCAP. */
const BATCH_CHARS = 1_500_000;
/** Chunks being built at once, per thread: one being built while the next waits. */
const IN_FLIGHT_PER_THREAD = 2;

/**
 * Writes the MCAP file from the run's pieces of log lines; resolves with the number of messages.
 * The numbers of the metrics named in `opts` (nearly all of a run) are built into chunks on
 * worker threads; the rest (events, text, a metric the index did not know) goes into chunks
 * built here. MCAP lets chunks hold any messages in any order: indexed readers sort by time.
 */
export async function writeMcap(
  pieces: Iterable<LinePiece>,
  info: McapRunInfo,
  sink: ExportSink,
  progress: McapProgress = () => {},
  opts: McapWriteOptions = { numberMetrics: [], threads: 0 },
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
  const channelOf = (kind: Kind, metric: string): { key: string; channel: Omit<McapTypes.Channel, 'id'> } => {
    const topic = kind === 'event' ? (metric === 'marker' ? MARKERS_TOPIC : EVENTS_TOPIC) : `/${metric}`;
    const metadata = new Map<string, string>();
    if (kind !== 'event') {
      metadata.set('metric', metric);
      const unit = info.unit(metric);
      if (unit) metadata.set('unit', unit);
    }
    return {
      key: `${kind}:${topic}`,
      channel: { schemaId: schemaFor(kind), topic, messageEncoding: 'json', metadata },
    };
  };
  const channelFor = (kind: Kind, metric: string): number => {
    const { key, channel } = channelOf(kind, metric);
    let id = channelIds.get(key);
    if (id === undefined) {
      id = file.channel(channel);
      channelIds.set(key, id);
    }
    return id;
  };

  await file.start({ profile: '', library: 'plexus-bench' });
  await file.metadata({ name: MCAP_RUN_METADATA, metadata: runMetadata(info) });
  // The number channels of the chunks built elsewhere, written ahead of the first that uses each
  // (an event with numbers is in the index too, but its messages go to /events).
  const numberChannels = new Map<string, number>();
  for (const metric of new Set(opts.numberMetrics)) {
    const { key, channel } = channelOf('number', metric);
    const id = file.reserve(channel);
    channelIds.set(key, id);
    numberChannels.set(metric, id);
  }

  // The points left to this thread, into chunks of its own.
  const msg: McapTypes.Message = { channelId: 0, sequence: 0, logTime: 0n, publishTime: 0n, data: new Uint8Array(0) };
  const time = new NanosecondClock();
  let full = false;
  const addRest = (p: LoggedPoint): void => {
    const t = time.of(p.timestamp);
    msg.channelId = channelFor(kindOf(p), p.metric);
    msg.sequence = p.seq % 2 ** 32; // MCAP's sequence is 32 bits; the log's seq, so a message leads back to it
    msg.logTime = t;
    msg.publishTime = t;
    msg.data = encoder.encode(JSON.stringify(message(p)));
    if (file.add(msg)) full = true;
  };

  const pool = opts.threads === 0 ? null : await ChunkPool.start(numberChannels, opts.threads);
  const build = (batch: LinePiece[]): Promise<BuiltChunk> =>
    pool ? pool.build(batch) : Promise.resolve().then(() => buildNumberChunk(batch, numberChannels));
  let count = 0;
  const building: Array<Promise<BuiltChunk>> = [];
  const writeNext = async (): Promise<void> => {
    const chunk = await building.shift()!;
    await file.addChunk(chunk);
    for (const p of chunk.rest) addRest(p);
    if (full) {
      full = false;
      await file.flushChunk();
    }
    count += chunk.lines;
    progress(count);
  };
  const send = (batch: LinePiece[]): void => {
    const b = build(batch);
    b.catch(() => {}); // awaited in turn by writeNext; a failure before then is not "unhandled"
    building.push(b);
  };
  try {
    const inFlight = Math.max(1, (pool?.size ?? 0) * IN_FLIGHT_PER_THREAD);
    let batch: LinePiece[] = [];
    let chars = 0;
    for (const piece of pieces) {
      batch.push(piece);
      chars += piece.body.length;
      if (chars < BATCH_CHARS) continue;
      send(batch);
      batch = [];
      chars = 0;
      if (building.length >= inFlight) await writeNext();
    }
    if (batch.length > 0) send(batch);
    while (building.length > 0) await writeNext();
  } finally {
    await pool?.close();
  }
  await file.end();
  return count;
}
