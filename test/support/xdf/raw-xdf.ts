// An XDF file's samples read straight from its bytes, as the specification lays them out
// (https://github.com/sccn/xdf/wiki/Specifications), written here from the specification and not
// from the exporter. libxdf keeps numeric values as float32, so this is where the exact doubles and
// the time stamps as stored (before any clock sync) are checked.
import { readFileSync } from 'node:fs';

export interface RawStream {
  id: number;
  header: string;
  format: string;
  channelCount: number;
  offsets: { time: number; value: number }[];
  /** Time stamps as stored; values as doubles (numeric streams) or text (string streams). */
  samples: { t: number; values: number[] | string }[];
  /** Samples chunks the stream's samples came in. */
  chunks: number;
  footer: string | null;
}

export function readRawXdf(file: string): { fileHeader: string; streams: Map<number, RawStream> } {
  const b = readFileSync(file);
  let pos = 0;
  const varLen = (): number => {
    const n = b[pos++]!;
    const v =
      n === 1 ? b.readUInt8(pos) : n === 4 ? b.readUInt32LE(pos) : n === 8 ? Number(b.readBigUInt64LE(pos)) : NaN;
    if (Number.isNaN(v)) throw new Error(`bad length width ${n} at byte ${pos - 1}`);
    pos += n;
    return v;
  };
  if (b.subarray(0, 4).toString('latin1') !== 'XDF:') throw new Error('no XDF magic code');
  pos = 4;
  let fileHeader = '';
  const streams = new Map<number, RawStream>();
  const stream = (id: number): RawStream => {
    const s = streams.get(id);
    if (!s) throw new Error(`a chunk of stream ${id} before its header`);
    return s;
  };
  while (pos < b.length) {
    const len = varLen();
    const end = pos + len;
    const tag = b.readUInt16LE(pos);
    pos += 2;
    if (tag === 1) fileHeader = b.toString('utf8', pos, end);
    else {
      const id = b.readUInt32LE(pos);
      pos += 4;
      if (tag === 2) {
        const header = b.toString('utf8', pos, end);
        const format = /<channel_format>(.*?)<\/channel_format>/.exec(header)![1]!;
        const channelCount = Number(/<channel_count>(.*?)<\/channel_count>/.exec(header)![1]);
        streams.set(id, { id, header, format, channelCount, offsets: [], samples: [], chunks: 0, footer: null });
      } else if (tag === 3) {
        const s = stream(id);
        s.chunks++;
        const n = varLen();
        for (let k = 0; k < n; k++) {
          const tsBytes = b[pos++];
          if (tsBytes !== 8) throw new Error(`a sample without a time stamp in stream ${id}`);
          const t = b.readDoubleLE(pos);
          pos += 8;
          if (s.format === 'string') {
            const size = varLen();
            s.samples.push({ t, values: b.toString('utf8', pos, pos + size) });
            pos += size;
          } else {
            if (s.format !== 'double64') throw new Error(`unexpected format ${s.format}`);
            const values: number[] = [];
            for (let c = 0; c < s.channelCount; c++, pos += 8) values.push(b.readDoubleLE(pos));
            s.samples.push({ t, values });
          }
        }
        if (pos !== end) throw new Error(`samples chunk of stream ${id} has ${end - pos} bytes left over`);
      } else if (tag === 4) stream(id).offsets.push({ time: b.readDoubleLE(pos), value: b.readDoubleLE(pos + 8) });
      else if (tag === 6) stream(id).footer = b.toString('utf8', pos, end);
      else throw new Error(`unexpected chunk tag ${tag}`);
    }
    pos = end;
  }
  return { fileHeader, streams };
}
