// Validation at the API boundary: every gateway rule of docs/protocol.md §3 is checked here,
// so nothing that would poison a whole frame later ever reaches the buffer. The encoder also
// produces the point's wire JSON once, so the send path never serializes a point twice.

import { LIMITS, SOURCE_ID_RE, SOURCE_ID_RULE } from './limits';
import { ValidationError, describeValue } from './errors';

export type PointValue = number | string | boolean | Record<string, unknown> | unknown[];
export type Tags = Record<string, string>;
export type PointClass = 'metric' | 'event';

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function fail(rule: string, value: unknown, what: string, where = ''): never {
  throw new ValidationError(rule, value, `${where}${what} (rule ${rule}), got ${describeValue(value)}`);
}

/** Validate a source id against the product's strict rule. */
export function validateSourceId(id: unknown, where = 'sourceId'): string {
  if (typeof id !== 'string' || !SOURCE_ID_RE.test(id)) {
    fail('source_id.format', id, `${where} ${SOURCE_ID_RULE}`);
  }
  return id;
}

/** Timestamps are epoch milliseconds. Like Plexus storage, numbers below 1e12 are read as seconds. */
export function normalizeTimestamp(ts: unknown, where = ''): number {
  let n: number;
  if (ts instanceof Date) n = ts.getTime();
  else if (typeof ts === 'number') n = ts;
  else fail('timestamp.type', ts, 'timestamp must be a number of epoch milliseconds or a Date', where);
  if (!Number.isFinite(n)) fail('timestamp.finite', ts, 'timestamp must be a finite number', where);
  return n > 0 && n < 1e12 ? n * 1000 : n;
}

/** Validate tags and return their JSON (or '' when there are none). */
/**
 * A point's own tags with the active run's: the run's id always (no tag may replace it), and the
 * run's other tags (the technician's fields) where the point has no tag of that name and there is
 * room: a point's own tags are its source's statement, and a field must never get a point refused.
 */
function mergeRunTags(own: Record<string, unknown>, run: Tags): Record<string, unknown> {
  const { run_id: runId, ...fields } = run;
  const ownCount = Object.keys(own).length + (runId !== undefined && !('run_id' in own) ? 1 : 0);
  let room = LIMITS.tagPairs - ownCount;
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (k in own || room <= 0) continue;
    merged[k] = v;
    room--;
  }
  Object.assign(merged, own);
  if (runId !== undefined) merged.run_id = runId;
  return merged;
}

export function encodeTags(tags: unknown, extra: Tags | undefined, where = ''): string {
  if (tags === undefined || tags === null) {
    if (!extra) return '';
    tags = {};
  }
  if (typeof tags !== 'object' || Array.isArray(tags)) {
    fail('tags.type', tags, 'tags must be a flat object of string → string', where);
  }
  const merged: Record<string, unknown> = extra
    ? mergeRunTags(tags as Record<string, unknown>, extra)
    : (tags as Record<string, unknown>);
  const keys = Object.keys(merged);
  if (keys.length > LIMITS.tagPairs) {
    const note = extra ? ` (${Object.keys(extra).join(', ')} is added by the client while a run is active)` : '';
    fail('tags.count', merged, `tags may hold at most ${LIMITS.tagPairs} pairs${note}`, where);
  }
  for (const k of keys) {
    const v = merged[k];
    if (utf8Bytes(k) > LIMITS.tagBytes)
      fail('tags.key_length', k, `tag key must be at most ${LIMITS.tagBytes} bytes`, where);
    if (typeof v !== 'string') fail('tags.value_type', v, `tag "${k}" must be a string`, where);
    if (utf8Bytes(v) > LIMITS.tagBytes)
      fail('tags.value_length', v, `tag "${k}" must be at most ${LIMITS.tagBytes} bytes`, where);
  }
  return keys.length ? JSON.stringify(merged) : '';
}

function rejectNonJson(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) {
    throw new ValidationError(
      'value.finite',
      v,
      `event value contains ${v}, which is not a JSON number (rule value.finite)`,
    );
  }
  if (typeof v === 'bigint') {
    throw new ValidationError(
      'value.type',
      v,
      `event value contains a bigint, which is not JSON; convert it to a number or string (rule value.type)`,
    );
  }
  return v;
}

/** Encode a value: returns [class, JSON of the value]. */
export function encodeValue(value: unknown, forceEvent: boolean, where = ''): [PointClass, string] {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value))
        fail('value.finite', value, 'value must be a finite number (NaN and ±Infinity are not JSON)', where);
      return [forceEvent ? 'event' : 'metric', String(value)];
    case 'string':
      if (utf8Bytes(value) > LIMITS.eventStringBytes) {
        fail(
          'value.string_length',
          value,
          `a string value must be at most ${LIMITS.eventStringBytes} UTF-8 bytes (it is ${utf8Bytes(value)}); send long text as an object or split it`,
          where,
        );
      }
      return ['event', JSON.stringify(value)];
    case 'boolean':
      return ['event', value ? 'true' : 'false'];
    case 'object': {
      if (value === null) fail('value.required', value, 'value is required and cannot be null', where);
      let json: string | undefined;
      try {
        json = JSON.stringify(value, rejectNonJson);
      } catch (e) {
        if (e instanceof ValidationError) throw new ValidationError(e.rule, value, where + e.message);
        fail('value.json', value, `value cannot be serialized to JSON (${(e as Error).message})`, where);
      }
      if (json === undefined) fail('value.json', value, 'value cannot be serialized to JSON', where);
      const n = utf8Bytes(json);
      if (n > LIMITS.eventJsonBytes) {
        fail(
          'value.json_length',
          value,
          `an object or array value must be at most ${LIMITS.eventJsonBytes} bytes of JSON (it is ${n})`,
          where,
        );
      }
      return ['event', json];
    }
    case 'undefined':
      fail('value.required', value, 'value is required', where);
      break;
    case 'bigint':
      fail('value.type', value, 'a bigint is not a JSON number; convert it with Number() or send a string', where);
      break;
    default:
      fail(
        'value.type',
        value,
        `a ${typeof value} cannot be sent; use a number, string, boolean, object or array`,
        where,
      );
  }
}

/**
 * Validates metric names once and caches their JSON, because the same few hundred names
 * repeat at hundreds of thousands of points per second.
 */
export class PointEncoder {
  private readonly names = new Map<string, string>();

  metricJson(metric: unknown, where = ''): string {
    if (typeof metric === 'string') {
      const hit = this.names.get(metric);
      if (hit !== undefined) return hit;
    }
    if (typeof metric !== 'string' || metric.length === 0) {
      fail('metric.required', metric, 'metric name must be a non-empty string', where);
    }
    const n = utf8Bytes(metric);
    if (n > LIMITS.metricBytes)
      fail(
        'metric.length',
        metric,
        `metric name must be at most ${LIMITS.metricBytes} UTF-8 bytes (it is ${n})`,
        where,
      );
    const json = JSON.stringify(metric);
    if (this.names.size >= 50_000) this.names.clear();
    this.names.set(metric, json);
    return json;
  }

  /** Build the wire line (JSON, one line) for one validated point. */
  encode(cls: PointClass, metricJson: string, valueJson: string, timestamp: number, tagsJson: string): string {
    return (
      `{"class":"${cls}","metric":${metricJson},"value":${valueJson},"timestamp":${timestamp}` +
      (tagsJson ? `,"tags":${tagsJson}}` : '}')
    );
  }
}

const nameChecker = new PointEncoder();

/** Throws the client's ValidationError when `metric` is not a valid metric (or event) name. */
export function checkMetricName(metric: unknown, where = ''): void {
  nameChecker.metricJson(metric, where);
}
