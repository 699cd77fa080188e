// Reading exported run files back, to compare them with what was recorded: CSV rows as RFC 4180
// says, the wide CSV cell by cell, and MCAP through the official indexed reader.
import { expect } from 'vitest';
import { open, readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { McapIndexedReader, McapStreamReader, type IReadable } from '@mcap/core';
import type { LoggedPoint } from '../../src/main/plexus';
import type { RunView } from '../../src/shared/contract';

/** RFC 4180 rows (quoted fields with "" and line breaks), as the export writes them. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** What a spreadsheet should show for a value (written here, not taken from the exporter). */
export function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return typeof v !== 'number' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export function fileReadable(path: string): Promise<{ readable: IReadable; close: () => Promise<void> }> {
  return open(path, 'r').then((fh) => ({
    readable: {
      size: async () => BigInt((await fh.stat()).size),
      read: async (offset: bigint, size: bigint) => {
        const buf = Buffer.alloc(Number(size));
        await fh.read(buf, 0, buf.length, Number(offset));
        return buf;
      },
    },
    close: () => fh.close(),
  }));
}

/** Checks a wide CSV against the log: every point in its column at its time, nothing else. */
export function checkWide(text: string, points: LoggedPoint[], units: Record<string, string>): void {
  const rows = parseCsv(text);
  const header = rows[0]!;
  const metrics = [...new Set(points.filter((p) => p.class === 'metric').map((p) => p.metric))].sort();
  const events = [...new Set(points.filter((p) => p.class === 'event').map((p) => p.metric))].sort();
  const title = (m: string): string => (units[m] ? `${m} [${units[m]}]` : m);
  expect(header).toEqual(['time_utc', 'epoch_ms', ...metrics.map(title), ...events.map((e) => `${e} (event)`)]);
  const columnOf = new Map<string, number>([
    ...metrics.map((m, i): [string, number] => [`metric:${m}`, i + 2]),
    ...events.map((e, i): [string, number] => [`event:${e}`, metrics.length + i + 2]),
  ]);
  // Every point, as (time, column, shown value), in time order then recording order.
  const want = [...points]
    .sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq)
    .map((p) => `${p.timestamp}|${columnOf.get(`${p.class}:${p.metric}`)}|${shown(p.value)}`);
  const got: string[] = [];
  let prev = -Infinity;
  // Checked with plain comparisons, and expect() only to report one that fails: a million rows
  // of expect() calls take minutes.
  for (const [i, row] of rows.slice(1).entries()) {
    const t = Number(row[1]);
    const filled = row.slice(2).flatMap((cell, c) => (cell === '' ? [] : [`${t}|${c + 2}|${cell}`]));
    if (
      row.length !== header.length ||
      new Date(row[0]!).getTime() !== Math.floor(t) ||
      t < prev ||
      filled.length === 0
    )
      expect({ row: i + 1, cells: row.length, time: row[0], t, prev, filled }).toEqual({
        row: i + 1,
        cells: header.length,
        time: new Date(Math.floor(t)).toISOString(), // rows in time order though the log is not
        t: Math.max(t, prev),
        prev,
        filled: expect.arrayContaining([expect.any(String)]),
      });
    prev = t;
    for (const f of filled) got.push(f);
  }
  // Within a row cells are read left to right, not in recording order: compare as sorted lists.
  expect(got.sort()).toEqual(want.sort());
}

/** Checks an MCAP file against the log and the run: metadata, channels, schemas, every message. */
export async function checkMcap(
  path: string,
  points: LoggedPoint[],
  run: RunView,
  units: Record<string, string>,
): Promise<void> {
  const { readable, close } = await fileReadable(path);
  try {
    const reader = await McapIndexedReader.Initialize({ readable });
    expect(reader.header.profile).toBe('');
    expect(reader.chunkIndexes.length).toBeGreaterThan(0); // chunked and indexed: readers can seek
    const meta = [];
    for await (const m of reader.readMetadata({ name: 'plexus.run' })) meta.push(m);
    expect(meta).toHaveLength(1);
    expect(Object.fromEntries(meta[0]!.metadata)).toMatchObject({
      id: run.id,
      name: run.name,
      started_at: new Date(run.startedAt).toISOString(),
      ended_at: new Date(run.endedAt!).toISOString(),
      interrupted: 'false',
      device: expect.stringMatching(/.+/),
    });

    // One channel per metric (by value type), topic /<metric>; events and markers apart.
    const channels = [...reader.channelsById.values()];
    const topics = channels.map((c) => c.topic).sort();
    const metricTopics = [...new Set(points.filter((p) => p.class === 'metric').map((p) => `/${p.metric}`))];
    expect(topics).toEqual([...metricTopics, '/events', '/markers'].sort());
    for (const c of channels) {
      expect(c.messageEncoding).toBe('json');
      const schema = reader.schemasById.get(c.schemaId)!;
      expect(schema.encoding).toBe('jsonschema');
      const js = JSON.parse(new TextDecoder().decode(schema.data)) as { properties: Record<string, { type?: string }> };
      const metric = c.topic.slice(1);
      if (units[metric]) expect(c.metadata.get('unit')).toBe(units[metric]);
      const first = points.find((p) => p.class === 'metric' && p.metric === metric);
      if (first) expect(js.properties.value!.type).toBe(typeof first.value);
      else expect(Object.keys(js.properties)).toContain('name');
    }

    // Every message, read in log time order, equal to its point.
    const bySeq = new Map(points.map((p) => [p.seq, p]));
    let n = 0;
    let prev = -1n;
    const decoder = new TextDecoder();
    for await (const m of reader.readMessages()) {
      const p = bySeq.get(m.sequence);
      expect(p, `message ${m.sequence} is a point of the run`).toBeDefined();
      const ms = Math.floor(p!.timestamp);
      const time = BigInt(ms) * 1_000_000n + BigInt(Math.round((p!.timestamp - ms) * 1e6));
      const topic = reader.channelsById.get(m.channelId)!.topic;
      const data = JSON.parse(decoder.decode(m.data)) as Record<string, unknown>;
      const tags = Object.fromEntries(Object.entries(p!.tags ?? {}).filter(([k]) => k !== 'run_id'));
      const withTags = Object.keys(tags).length > 0 ? { tags } : {};
      const want =
        p!.class === 'event'
          ? {
              topic: p!.metric === 'marker' ? '/markers' : '/events',
              data: { name: p!.metric, value: p!.value, ...withTags },
            }
          : { topic: `/${p!.metric}`, data: { value: p!.value, ...withTags } };
      // expect() only to report a difference: a million messages of expect() calls take minutes.
      const same =
        m.logTime >= prev &&
        m.logTime === time &&
        topic === want.topic &&
        JSON.stringify(data) === JSON.stringify(want.data);
      if (!same)
        expect({ seq: m.sequence, inOrder: m.logTime >= prev, logTime: m.logTime, topic, data }).toEqual({
          seq: m.sequence,
          inOrder: true,
          logTime: time,
          ...want,
        });
      prev = m.logTime;
      n++;
    }
    expect(n).toBe(points.length);
  } finally {
    await close();
  }
  await checkMcapStream(path, points.length);
}

/**
 * The file read front to back as a streaming reader (a player tailing it) reads it: every chunk's
 * CRC checked by the library, every channel met before its first message, and the data section's
 * and summary's CRCs computed here over the bytes the specification says they cover.
 */
async function checkMcapStream(path: string, messages: number): Promise<void> {
  const bytes = await readFile(path);
  const reader = new McapStreamReader({ validateCrcs: true });
  reader.append(bytes);
  const channels = new Set<number>();
  let n = 0;
  let dataEnd: { dataSectionCrc: number } | undefined;
  let footer: { summaryStart: bigint; summaryCrc: number } | undefined;
  for (let r = reader.nextRecord(); r; r = reader.nextRecord()) {
    if (r.type === 'Channel') channels.add(r.id);
    if (r.type === 'Message') {
      if (!channels.has(r.channelId)) expect(`message ${r.sequence} before its channel ${r.channelId}`).toBe('');
      n++;
    }
    if (r.type === 'DataEnd') dataEnd = r;
    if (r.type === 'Footer') footer = r;
  }
  expect(reader.done()).toBe(true);
  expect(n).toBe(messages);
  expect(footer).toBeDefined();
  const summaryStart = Number(footer!.summaryStart);
  const DATA_END_BYTES = 1 + 8 + 4; // opcode, length, crc
  expect(dataEnd!.dataSectionCrc).toBe(crc32(bytes.subarray(0, summaryStart - DATA_END_BYTES)));
  const FOOTER_CRC_END = bytes.length - 8 - 4; // before the closing magic and the crc itself
  expect(footer!.summaryCrc).toBe(crc32(bytes.subarray(summaryStart, FOOTER_CRC_END)));
}
