// The fields of a numeric point's line, read without JSON.parse. The client writes every line in
// one shape (validate.ts PointEncoder): {"class":"metric","metric":…,"value":…,"timestamp":…,
// "tags":{…}}. Copying a run into the library reads every line, and a full parse of each is most
// of that work; a metric line is read here from its known places instead, and anything unusual
// (an escaped name, a run id with escapes, another shape) is left to JSON.parse by returning null.

const HEAD = '{"class":"metric","metric":"';
const VALUE = '","value":';
const TIME = ',"timestamp":';
const RUN = '"run_id":"';

export interface MetricLine {
  metric: string;
  value: number;
  timestamp: number;
  runId: string;
}

/** A numeric point's fields, or null when the line is not one this reads (JSON.parse it). */
export function readMetricLine(line: string): MetricLine | null {
  if (!line.startsWith(HEAD)) return null;
  const v = line.indexOf(VALUE, HEAD.length);
  if (v === -1) return null;
  const metric = line.slice(HEAD.length, v);
  if (metric.includes('\\') || metric.includes('"')) return null;
  const t = line.indexOf(TIME, v + VALUE.length);
  if (t === -1) return null;
  const value = Number(line.slice(v + VALUE.length, t));
  let end = line.indexOf(',', t + TIME.length);
  if (end === -1) end = line.indexOf('}', t + TIME.length);
  if (end === -1) return null;
  const timestamp = Number(line.slice(t + TIME.length, end));
  const r = line.indexOf(RUN, end);
  if (r === -1) return null;
  const rEnd = line.indexOf('"', r + RUN.length);
  if (rEnd === -1) return null;
  const runId = line.slice(r + RUN.length, rEnd);
  if (runId.includes('\\') || !Number.isFinite(value) || !Number.isFinite(timestamp)) return null;
  return { metric, value, timestamp, runId };
}
