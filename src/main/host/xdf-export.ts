// A run as XDF, the Lab Streaming Layer's file (pyxdf, EEGLAB, MNE, libxdf read it).
//
// Layout: the file header (with the run), then a stream header per stream, the clock offsets of
// every stream, the samples in chunks, and a footer per stream. One stream per source (the metric
// name's part before its first dot): its numeric metrics are its channels (double64, irregular
// rate), a sample holds the values at one time, NaN where a channel has none then. Text and JSON
// values and events go to a string stream `Events` as `name=value`, markers to `Markers` (type
// Markers, as LSL tools look for). Tags are left out (a channel per tag value would multiply them).
//
// Time. A point's timestamp is on the recorder's clock: gateway time, this machine's system clock
// plus the offset measured at the last sync (clock.ts), so it steps at each sync. XDF keeps time
// the LSL way: a sample's time stamp is on its source's clock, and ClockOffset chunks (measured at
// a time on that clock) say what to add to reach the recorder's. Readers apply them: libxdf always
// (syncTimeStamps adds the last offset measured before the sample, or the first), pyxdf by
// default (a line fitted through them). Stored as recorded, every time would come back shifted by
// its offset a second time. So samples are stored on this machine's clock, time minus the offset in
// force by libxdf's step rule (which is how our clock steps too), and the offsets are stamped on
// that clock: a reader that applies them gets the recorder's times back (pyxdf exactly while one
// offset is in force, to within its fitted line otherwise), one that does not gets the system
// clock. A run without offsets keeps its times as recorded. Left to libxdf: a sample that goes back
// in time past a later offset's measurement gets no offset, one stamped (by a device's own clock)
// within a forward step of the clock gets the step's, and values are held as float32.
//
// Two passes over the run log (one finds the streams and channels a header must list, one writes),
// so memory holds a chunk per stream, not the run.

import type { RunView } from '../../shared/contract';
import type { LoggedPoint } from '../plexus';
import type { ExportSink } from './export-sink';
import { markerNote } from './run-markers';
import { MAGIC, clockOffsetChunk, fileHeaderChunk, streamFooterChunk, streamHeaderChunk } from './xdf-chunks';
import { XdfClock, XdfStream, fileHeaderXml } from './xdf-streams';

export interface XdfRunInfo {
  run: RunView;
  /** The device name the run was recorded under (the source id at the gateway). */
  device: string;
  /** A metric's unit, when the recorder knows one. */
  unit(metric: string): string | undefined;
  /** Clock offsets in force during the run: at = epoch ms when measured, offsetMs = (server - local) ms. */
  clockOffsets: { at: number; offsetMs: number }[];
}

export const MARKERS_STREAM = 'Markers';
export const EVENTS_STREAM = 'Events';

/** Points handled between turns of the event loop. */
const TURN_POINTS = 10_000;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function isNumeric(v: unknown): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

/** Where a point goes: Markers, Events (events, text and JSON values), or its source (`#psu`). */
function streamOf(p: LoggedPoint): string {
  if (p.class === 'event') return p.metric === 'marker' ? MARKERS_STREAM : EVENTS_STREAM;
  if (!isNumeric(p.value)) return EVENTS_STREAM;
  const dot = p.metric.indexOf('.');
  return `#${dot < 0 ? p.metric : p.metric.slice(0, dot)}`; // `#`: a source named Events stays apart
}

function eventText(p: LoggedPoint): string {
  return `${p.metric}=${typeof p.value === 'string' ? p.value : JSON.stringify(p.value ?? null)}`;
}

/** Pass 1: the streams (sources by name, then Markers and Events), each source's channels by name. */
async function plan(points: Iterable<LoggedPoint>, clock: XdfClock): Promise<Map<string, XdfStream>> {
  const sources = new Map<string, Map<string, boolean>>(); // source → metric → only booleans so far
  const strings = new Set<string>();
  let n = 0;
  for (const p of points) {
    const key = streamOf(p);
    if (key.startsWith('#')) {
      const metrics = sources.get(key) ?? new Map<string, boolean>();
      metrics.set(p.metric, (metrics.get(p.metric) ?? true) && typeof p.value === 'boolean');
      sources.set(key, metrics);
    } else strings.add(key);
    if (++n % TURN_POINTS === 0) await turn();
  }
  const streams = new Map<string, XdfStream>();
  for (const key of [...sources.keys()].sort()) {
    const metrics = sources.get(key)!;
    const booleans = new Set([...metrics].filter(([, only]) => only).map(([m]) => m));
    streams.set(key, new XdfStream(streams.size + 1, key.slice(1), [...metrics.keys()].sort(), booleans, clock));
  }
  for (const name of [MARKERS_STREAM, EVENTS_STREAM])
    if (strings.has(name)) streams.set(name, new XdfStream(streams.size + 1, name, [], new Set(), clock));
  return streams;
}

/**
 * Writes the XDF file; `points` is called twice (for the streams, then for the samples), each time
 * the run's points in recording order. Resolves with the number of points written.
 */
export async function writeXdf(
  points: () => Iterable<LoggedPoint>,
  info: XdfRunInfo,
  sink: ExportSink,
): Promise<number> {
  const clock = new XdfClock(info.clockOffsets);
  const streams = await plan(points(), clock);

  await sink.write(MAGIC);
  await sink.write(fileHeaderChunk(fileHeaderXml(info)));
  for (const s of streams.values()) await sink.write(streamHeaderChunk(s.id, s.headerXml(info)));
  for (const s of streams.values())
    for (const o of clock.measured()) await sink.write(clockOffsetChunk(s.id, o.time, o.value));

  let count = 0;
  for (const p of points()) {
    const s = streams.get(streamOf(p));
    const i = s?.index.get(p.metric);
    if (!s || (s.numeric && i === undefined))
      throw new Error(`the run changed while it was exported (${p.metric}, seq ${p.seq}, was not there before)`);
    if (s.numeric) s.value(p.timestamp, i!, Number(p.value));
    else s.text(p.timestamp, s.name === MARKERS_STREAM ? (markerNote(p.value) ?? '') : eventText(p));
    if (s.full()) await sink.write(s.take()!);
    if (++count % TURN_POINTS === 0) await turn();
  }
  for (const s of streams.values()) {
    s.close();
    const rest = s.take();
    if (rest) await sink.write(rest);
  }
  for (const s of streams.values()) await sink.write(streamFooterChunk(s.id, s.footerXml()));
  return count;
}
