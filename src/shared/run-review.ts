// A past run as the window reviews it: its metadata (editable after the run), what it holds
// (metrics with counts and units, markers, events), and its series at a zoom level — min/max per
// pixel column when a column covers many points, every point when zoomed in. The host decimates,
// so a run of ten million points costs the window no more than one of a thousand.

import { z } from 'zod';

/** A run field's key: what a tag key may be on the platform (letters, digits, `_ . -`). */
export const RUN_FIELD_KEY_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
export const RUN_FIELD_KEY_RULE = '1–64 characters: letters, digits, "_", "." or "-", starting with a letter';
/** Keys the recorder sets itself on every point of a run. */
export const RESERVED_RUN_FIELDS = ['run_id', 'source'] as const;
/**
 * At most this many fields: each one is a tag on every point of the run, and a point may carry 16
 * tags in all — the run id and a device's own tags need the rest.
 */
export const MAX_RUN_FIELDS = 10;

/** Why a field's key cannot be used (null when it can). */
export function runFieldKeyProblem(k: string): string | null {
  if ((RESERVED_RUN_FIELDS as readonly string[]).includes(k))
    return `${JSON.stringify(k)} is set by the recorder itself; choose another name`;
  return RUN_FIELD_KEY_RE.test(k) ? null : `${JSON.stringify(k)}: ${RUN_FIELD_KEY_RULE}`;
}

const fieldValue = z
  .string()
  .trim()
  .min(1, 'give the field a value')
  .max(200, 'a field value is at most 200 characters')
  // A tag value may hold 256 bytes: 200 characters of some scripts take more.
  .refine((v) => new TextEncoder().encode(v).length <= 256, { error: 'a field value is at most 256 bytes' });

/** The technician's fields (`part=PSU-7`, `fixture=B`): tags on every point of the run. */
export const RunFieldsSchema = z.record(z.string(), fieldValue).superRefine((f, ctx) => {
  // Checked here rather than as the record's key schema: zod words a bad key only as "not valid".
  for (const k of Object.keys(f)) {
    const problem = runFieldKeyProblem(k);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [k] });
  }
  if (Object.keys(f).length > MAX_RUN_FIELDS)
    ctx.addIssue({ code: 'custom', message: `at most ${MAX_RUN_FIELDS} fields` });
});

/** What a technician can say about a run, at its start or afterwards. */
export const RunMetaSchema = z
  .object({
    operator: z.string().trim().max(100, 'the operator is at most 100 characters').optional(),
    description: z.string().trim().max(4000, 'the description is at most 4,000 characters').optional(),
    fields: RunFieldsSchema.optional(),
  })
  .strict();
export type RunMeta = z.output<typeof RunMetaSchema>;

/** A run's metadata as the window shows it (every key present). */
export interface RunMetaView {
  operator: string;
  description: string;
  fields: Record<string, string>;
  /**
   * The sources the run recorded, by their display names; empty: all of them. Listed with the
   * run so nobody wonders why a sensor is missing from it.
   */
  sources: string[];
}

/** Where a run is kept and how much room it takes. */
export interface RunStorageView {
  /** Bytes the run takes in the run library (its points and its review index). */
  bytes: number;
  /** Every point of the run reached the platform. */
  delivered: boolean;
}

/** One metric of a past run, as the review lists it. */
export interface RunMetricView {
  metric: string;
  unit?: string;
  /** Numeric points (events and text are listed as events). */
  points: number;
  min: number;
  max: number;
}

/** A marker or an event in a past run, drawn as a labelled line. */
export interface RunMomentView {
  t: number;
  kind: 'marker' | 'event';
  /** The event's name ("marker" for markers). */
  name: string;
  /** The note or the event's text (shortened to 200 characters). */
  text: string;
}

/** What the review opens with: the run, its metrics, markers and events. */
export interface RunDetail {
  runId: string;
  startedAt: number;
  endedAt: number;
  metrics: RunMetricView[];
  /** Markers and events in time order; at most MAX_RUN_MOMENTS (the newest are dropped). */
  moments: RunMomentView[];
  /** More moments than were listed. */
  momentsCut: boolean;
}
export const MAX_RUN_MOMENTS = 2000;

/**
 * One metric over [from, to]. `raw`: every point (t[i], lo[i] === hi[i]); `minmax`: one entry
 * per pixel column that has points, t[i] the column's first point time, lo/hi its range.
 */
export interface RunSeriesView {
  metric: string;
  kind: 'raw' | 'minmax';
  t: number[];
  lo: number[];
  hi: number[];
  /** Points in [from, to] (decimated or not). */
  points: number;
}

export const RunSeriesRequestSchema = z
  .object({
    runId: z.string().min(1).max(100),
    metrics: z.array(z.string().min(1).max(300)).min(1, 'choose a metric').max(8, 'at most 8 metrics at once'),
    from: z.number().finite(),
    to: z.number().finite(),
    /** Pixel columns of the plot. */
    columns: z.number().int().min(10).max(4000),
  })
  .strict()
  .refine((r) => r.to > r.from, { error: 'the end of the range must come after its start', path: ['to'] });
