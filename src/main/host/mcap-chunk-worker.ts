// A worker thread of the MCAP export: builds chunks of a run's numbers (mcap-chunk.ts) from the
// pieces of log lines the export sends, and sends each back with its bytes transferred, not copied.
import { parentPort, workerData } from 'node:worker_threads';
import { buildNumberChunk } from './mcap-chunk';
import type { ChunkJob, ChunkReply } from './mcap-chunk-pool';

const channels = new Map(Object.entries((workerData as { channels: Record<string, number> }).channels));

parentPort!.on('message', (job: ChunkJob) => {
  let reply: ChunkReply;
  try {
    reply = { id: job.id, chunk: buildNumberChunk(job.pieces, channels) };
  } catch (e) {
    reply = { id: job.id, error: (e as Error).message };
  }
  parentPort!.postMessage(reply, 'chunk' in reply ? [reply.chunk.bytes.buffer as ArrayBuffer] : []);
});
