// One MCAP chunk of a run's numbers, built from pieces of the log's lines by the official
// @mcap/core builders (McapChunkBuilder for the messages, McapRecordBuilder for the chunk record
// and its message indexes), ready to be written as it is. The export builds these on worker
// threads, several at once, while the main thread reads the run and writes the file; a line that
// is not a number of a metric the export named a channel for is handed back, for the main thread.

import { crc32 } from 'node:zlib';
import { McapChunkBuilder, McapRecordBuilder, type McapTypes } from '@mcap/core';
import type { LoggedPoint } from '../plexus';
import { MessageData, NanosecondClock } from './mcap-number-messages';
import { PointLineReader, type LinePiece } from './run-library/metric-line';

/** A chunk record followed by its message index records, with what the file's indexes need. */
export interface BuiltChunk {
  bytes: Uint8Array;
  /** Bytes of the chunk record (its message indexes follow it). */
  chunkLength: number;
  /** Each channel's message index record, by its offset from the start of `bytes`. */
  indexOffsets: Array<[channelId: number, offset: number]>;
  indexLength: number;
  /** The chunk's records, uncompressed (and stored so). */
  dataSize: number;
  start: bigint;
  end: bigint;
  messages: number;
  /** Messages per channel id. */
  counts: Array<[channelId: number, messages: number]>;
  /** Lines read, messages and handed-back points together. */
  lines: number;
  /** Points left to the main thread: not numbers, or of a metric without a channel here. */
  rest: LoggedPoint[];
}

/** Builds one chunk of the pieces' numbers, on the channels given by metric. */
export function buildNumberChunk(pieces: readonly LinePiece[], channels: ReadonlyMap<string, number>): BuiltChunk {
  const chunk = new McapChunkBuilder({ useMessageIndex: true });
  const time = new NanosecondClock();
  const data = new MessageData();
  const rest: LoggedPoint[] = [];
  const counts = new Map<number, number>();
  // One message object, filled per point: the chunk builder copies what it needs.
  const msg: McapTypes.Message = { channelId: 0, sequence: 0, logTime: 0n, publishTime: 0n, data: new Uint8Array(0) };
  const reader = new PointLineReader();
  let lines = 0;
  const visitor = {
    number(seq: number, metric: string, valueText: string, timeText: string, tagsJson: string): void {
      const channelId = channels.get(metric);
      if (channelId === undefined) {
        const p: LoggedPoint = { seq, class: 'metric', metric, value: Number(valueText), timestamp: Number(timeText) };
        if (tagsJson) p.tags = JSON.parse(tagsJson) as Record<string, string>;
        rest.push(p);
        return;
      }
      const t = time.of(Number(timeText));
      msg.channelId = channelId;
      msg.sequence = seq % 2 ** 32; // MCAP's sequence is 32 bits; the log's seq, so a message leads back to it
      msg.logTime = t;
      msg.publishTime = t;
      msg.data = data.number(valueText, tagsJson);
      chunk.addMessage(msg);
      counts.set(channelId, (counts.get(channelId) ?? 0) + 1);
    },
    other(p: LoggedPoint): void {
      rest.push(p);
    },
  };
  for (const piece of pieces) lines += reader.visit(piece, visitor);

  return { ...finishChunk(chunk, counts), lines, rest };
}

/**
 * A chunk builder's messages as a chunk record and its message indexes, with what the file's
 * indexes need (the builder is left as it was: reset it for the next chunk).
 */
export function finishChunk(
  chunk: McapChunkBuilder,
  counts: ReadonlyMap<number, number>,
): Omit<BuiltChunk, 'lines' | 'rest'> {
  const built = { messages: chunk.numMessages, counts: [...counts] };
  if (chunk.numMessages === 0)
    return {
      ...built,
      bytes: new Uint8Array(0),
      chunkLength: 0,
      indexOffsets: [],
      indexLength: 0,
      dataSize: 0,
      start: 0n,
      end: 0n,
    };
  const records = chunk.buffer;
  const out = new McapRecordBuilder();
  const chunkLength = Number(
    out.writeChunk({
      messageStartTime: chunk.messageStartTime,
      messageEndTime: chunk.messageEndTime,
      uncompressedSize: BigInt(records.byteLength),
      uncompressedCrc: crc32(records),
      compression: '',
      records,
    }),
  );
  const indexOffsets: Array<[number, number]> = [];
  for (const index of chunk.indices) {
    // Channels registered in this chunk but without a message here need no index.
    if (index.records.length === 0) continue;
    indexOffsets.push([index.channelId, out.length]);
    out.writeMessageIndex(index);
  }
  return {
    ...built,
    bytes: out.buffer,
    chunkLength,
    indexOffsets,
    indexLength: out.length - chunkLength,
    dataSize: records.byteLength,
    start: chunk.messageStartTime,
    end: chunk.messageEndTime,
  };
}
