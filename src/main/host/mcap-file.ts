// An indexed MCAP file, its records built by the official @mcap/core library (McapRecordBuilder,
// McapChunkBuilder), laid out as the library's own McapWriter lays them out: magic, header,
// metadata, chunks each followed by its message indexes, data end, then the summary (schemas,
// channels, statistics, metadata and chunk indexes, summary offsets) and the footer.
//
// Why not McapWriter itself: its addMessage is async and keeps per-message statistics in BigInts,
// which on our machines costs more than twice the chunk builder's own work per message (1.46 µs
// against 0.63 µs, messages ready-made); an export must reach 500,000 points/s with the reading
// included. Here a message is one synchronous call into the library's chunk builder, and the
// statistics are plain numbers until the end. CRCs are
// Node's native crc32 (zlib), so the data section keeps its checksum at no real cost.

import { crc32 } from 'node:zlib';
import { McapChunkBuilder, McapConstants, McapRecordBuilder, type McapTypes } from '@mcap/core';
import { finishChunk, type BuiltChunk } from './mcap-chunk';

type Channel = McapTypes.Channel;
type Schema = McapTypes.Schema;
type Message = McapTypes.Message;

/** Where the bytes go: written in order, with the count so far (offsets in the file). */
export interface McapOut {
  write(bytes: Uint8Array): Promise<void>;
  position(): bigint;
}

/** A chunk is closed once its records pass this size (the library writer's default too). */
const CHUNK_BYTES = 1024 * 1024;

export class McapFileWriter {
  private readonly records = new McapRecordBuilder();
  private readonly chunk = new McapChunkBuilder({ useMessageIndex: true });
  private readonly schemas: Schema[] = [];
  /** The channels written to the file, by id. */
  private readonly channels = new Map<number, Channel>();
  /** Channels reserved for chunks built elsewhere, not written until a chunk uses them. */
  private readonly reserved = new Map<number, Channel>();
  private readonly schemasUsed = new Set<number>();
  private nextChannelId = 0;
  private readonly chunkIndexes: McapTypes.ChunkIndex[] = [];
  private readonly metadataIndexes: McapTypes.MetadataIndex[] = [];
  /** Messages per channel id (numbers: a BigInt per message would cost more than the message). */
  private readonly counts = new Map<number, number>();
  /** Messages per channel id in the current chunk. */
  private readonly chunkCounts = new Map<number, number>();
  private messages = 0;
  private firstTime = 0n;
  private lastTime = 0n;
  private metadataCount = 0;
  private dataCrc = 0;

  constructor(private readonly out: McapOut) {}

  /** Magic and header. */
  async start(header: McapTypes.Header): Promise<void> {
    this.records.writeMagic();
    this.records.writeHeader(header);
    await this.flushRecords(true);
  }

  /** A metadata record (indexed, so a reader finds it without reading the messages). */
  async metadata(m: McapTypes.Metadata): Promise<void> {
    const offset = this.out.position();
    const length = this.records.writeMetadata(m);
    this.metadataIndexes.push({ name: m.name, offset, length });
    this.metadataCount++;
    await this.flushRecords(true);
  }

  /** A schema's id (1, 2, …); written into the chunk with the first channel that uses it. */
  schema(s: Omit<Schema, 'id'>): number {
    const id = this.schemas.length + 1;
    this.schemas.push({ ...s, id });
    return id;
  }

  /**
   * A channel's id (0, 1, …). Its record (and its schema's, the first time) goes into the current
   * chunk now, ahead of its first message, so a reader streaming the file meets it before use.
   */
  channel(c: Omit<Channel, 'id'>): number {
    const channel = { ...c, id: this.nextChannelId++ };
    if (this.firstUseOf(c.schemaId)) this.chunk.addSchema(this.schemas[c.schemaId - 1]!);
    this.chunk.addChannel(channel);
    this.channels.set(channel.id, channel);
    return channel.id;
  }

  /**
   * A channel's id for chunks built elsewhere (addChunk), its record not written yet: addChunk
   * writes it to the data section ahead of the first chunk that uses it, so a channel no chunk
   * uses is never in the file.
   */
  reserve(c: Omit<Channel, 'id'>): number {
    const channel = { ...c, id: this.nextChannelId++ };
    this.reserved.set(channel.id, channel);
    return channel.id;
  }

  /** Whether the schema is met for the first time (it is then written where its channel is). */
  private firstUseOf(schemaId: number): boolean {
    if (schemaId === 0 || this.schemasUsed.has(schemaId)) return false;
    this.schemasUsed.add(schemaId);
    return true;
  }

  /** A chunk built elsewhere (mcap-chunk.ts) on channels this file has, written as it is. */
  async addChunk(c: Omit<BuiltChunk, 'lines' | 'rest'>): Promise<void> {
    if (c.messages === 0) return;
    // Its channels not yet in the file go ahead of it, in the data section.
    for (const [id] of c.counts) {
      const channel = this.reserved.get(id);
      if (!channel) continue;
      this.reserved.delete(id);
      if (this.firstUseOf(channel.schemaId)) this.records.writeSchema(this.schemas[channel.schemaId - 1]!);
      this.records.writeChannel(channel);
      this.channels.set(id, channel);
    }
    await this.flushRecords(true);
    if (this.messages === 0 || c.start < this.firstTime) this.firstTime = c.start;
    if (this.messages === 0 || c.end > this.lastTime) this.lastTime = c.end;
    this.messages += c.messages;
    for (const [id, n] of c.counts) this.counts.set(id, (this.counts.get(id) ?? 0) + n);
    const chunkStartOffset = this.out.position();
    this.chunkIndexes.push({
      messageStartTime: c.start,
      messageEndTime: c.end,
      chunkStartOffset,
      chunkLength: BigInt(c.chunkLength),
      messageIndexOffsets: new Map(c.indexOffsets.map(([id, o]) => [id, chunkStartOffset + BigInt(o)])),
      messageIndexLength: BigInt(c.indexLength),
      compression: '',
      compressedSize: BigInt(c.dataSize),
      uncompressedSize: BigInt(c.dataSize),
    });
    this.dataCrc = crc32(c.bytes, this.dataCrc);
    await this.out.write(c.bytes);
  }

  /** Adds a message to the current chunk; true when the chunk is full (await flushChunk()). */
  add(m: Message): boolean {
    this.chunkCounts.set(m.channelId, (this.chunkCounts.get(m.channelId) ?? 0) + 1);
    this.chunk.addMessage(m);
    return this.chunk.byteLength > CHUNK_BYTES;
  }

  /** Writes the current chunk and its message indexes (nothing when it holds no message). */
  async flushChunk(): Promise<void> {
    const built = finishChunk(this.chunk, this.chunkCounts);
    this.chunk.reset();
    this.chunkCounts.clear();
    await this.addChunk(built);
  }

  /** The last chunk, data end and the summary; the file is complete when this resolves. */
  async end(): Promise<void> {
    await this.flushChunk();
    this.records.writeDataEnd({ dataSectionCrc: this.dataCrc });
    await this.flushRecords(false);

    const Opcode = McapConstants.Opcode;
    const summaryStart = this.out.position();
    const offsets: McapTypes.SummaryOffset[] = [];
    const group = (groupOpcode: number, write: () => bigint[]): void => {
      const groupStart = summaryStart + BigInt(this.records.length);
      const groupLength = write().reduce((a, b) => a + b, 0n);
      if (groupLength > 0n) offsets.push({ groupOpcode, groupStart, groupLength });
    };
    group(Opcode.SCHEMA, () => this.schemas.map((s) => this.records.writeSchema(s)));
    group(Opcode.CHANNEL, () => [...this.channels.values()].map((c) => this.records.writeChannel(c)));
    group(Opcode.STATISTICS, () => [
      this.records.writeStatistics({
        messageCount: BigInt(this.messages),
        schemaCount: this.schemas.length,
        channelCount: this.channels.size,
        attachmentCount: 0,
        metadataCount: this.metadataCount,
        chunkCount: this.chunkIndexes.length,
        messageStartTime: this.firstTime,
        messageEndTime: this.lastTime,
        channelMessageCounts: new Map([...this.counts].map(([id, n]) => [id, BigInt(n)])),
      }),
    ]);
    group(Opcode.METADATA_INDEX, () => this.metadataIndexes.map((m) => this.records.writeMetadataIndex(m)));
    group(Opcode.CHUNK_INDEX, () => this.chunkIndexes.map((c) => this.records.writeChunkIndex(c)));
    const summaryOffsetStart = summaryStart + BigInt(this.records.length);
    for (const o of offsets) this.records.writeSummaryOffset(o);
    // The footer's CRC covers the summary and the footer up to the CRC itself; the library's
    // builder writes the footer whole, so its bytes are checked over what precedes the CRC field.
    this.records.writeFooter({ summaryStart, summaryOffsetStart, summaryCrc: 0 });
    const bytes = this.records.buffer;
    const crc = crc32(bytes.subarray(0, bytes.byteLength - 4));
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(bytes.byteLength - 4, crc, true);
    this.records.reset();
    this.records.writeMagic();
    await this.out.write(bytes);
    await this.out.write(this.records.buffer);
    this.records.reset();
  }

  private async flushRecords(data: boolean): Promise<void> {
    const bytes = this.records.buffer; // a copy: the stream may still hold it when the builder is reused
    this.records.reset();
    if (data) this.dataCrc = crc32(bytes, this.dataCrc);
    await this.out.write(bytes);
  }
}
