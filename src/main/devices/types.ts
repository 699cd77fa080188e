// Contracts of the device layer: what parsers produce, what readers feed, and the narrow slice of
// the Plexus client they need (so a test or the host can wire them to anything).

import type { LineFormat } from '../../shared/line-format';
import type { SendOptions, VideoFrameOptions, VideoResult } from '../plexus';

/** A field value a parser produced. Numbers become metrics; anything else becomes an event. */
export type FieldValue = number | string | boolean | Record<string, unknown> | unknown[];

/** Receives the fields of one parsed line, in order. */
export interface FieldSink {
  field(name: string, value: FieldValue): void;
}

/** Why a line (or one of its fields) was not (fully) usable; counted per device. */
export type ProblemKind =
  | 'garbage' // control bytes or binary noise where text was expected
  | 'invalid-utf8' // bytes that are not UTF-8
  | 'overlong' // more than 64 KiB without a line end
  | 'non-numeric' // a field that should be a number is not
  | 'not-finite' // NaN / Infinity written as text
  | 'malformed' // the line does not fit the format at all (bad JSON, no key=value pairs…)
  | 'invalid-field'; // a field the Plexus gateway would refuse (name too long, event too big…)

export interface LineProblem {
  kind: ProblemKind;
  /** For a person: what was wrong, e.g. `field 3 "abc" is not a number`. */
  message: string;
}

/** A format a line parser speaks: every line format but 'auto' (which picks one of these). */
export type ParserKind = Exclude<LineFormat, 'auto'>;

/**
 * A line parser. `parse` gets one line without its terminator, emits every good field to the
 * sink, and returns the problems it met (or null when the line was clean). Good fields of a line
 * with a bad field are still emitted. Parsers keep state across lines where the format needs it
 * (the CSV header). They must be fast: the plotter format is held to ≥ 500,000 lines/s per core.
 */
export interface LineParser {
  readonly kind: ParserKind;
  parse(line: string, sink: FieldSink): LineProblem[] | null;
}

/** The part of the Plexus client that device readers use. */
export interface TelemetrySink {
  /** Now on the client's clock (epoch ms). */
  now(): number;
  send(metric: string, value: unknown, opts?: SendOptions): number;
  sendBatch(
    points: Array<{ metric: string; value: unknown; timestamp?: number; tags?: Record<string, string> }>,
    opts?: SendOptions,
  ): number;
  sendVideoFrame(frame: Uint8Array, cameraId: string, opts?: VideoFrameOptions): Promise<VideoResult>;
}
