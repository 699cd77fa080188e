// HTTP POST /ingest of the fake gateway, following gateway/ingest.go step by step: the statuses,
// their order and the error texts are what a client's retry/quarantine logic keys on.

import type { IncomingMessage } from 'node:http';
import { constants as zc, gunzipSync } from 'node:zlib';
import { type Obj, inferClass, isObj, parseGoJson, validatePoint, validateSourceId } from './gateway-validate';

export const INGEST_MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface KeyInfo {
  org: string;
  scopes: string[];
}

/** AuthResult.HasScope: no scopes recorded means full access, "*" grants everything. */
export function hasScope(k: KeyInfo, want: string): boolean {
  return k.scopes.length === 0 || k.scopes.includes(want) || k.scopes.includes('*');
}

export interface IngestDeps {
  redisDown: boolean;
  maxPoints: number;
  verifyKey(key: string): KeyInfo | null;
  sourceAllow(org: string, sourceId: string): boolean;
}

export interface IngestResult {
  status: number;
  /** Response body, newline-terminated like Go's json.Encoder. */
  body: string;
  requestedPoints: number;
  /** Per-source groups that were queued (points as stored). */
  accepted: Array<{ org: string; sourceId: string; points: Obj[] }>;
  /** Points of groups dropped by the per-source interval. */
  sourceLimitedPoints: number;
}

export interface RawBody {
  body: Buffer;
  /** More than the cap arrived; `body` holds only the first bytes. */
  tooLarge: boolean;
  gzip: boolean;
}

/**
 * Reads the body, keeping at most `cap` bytes. The rest is drained and discarded so the client
 * can finish its upload and read our answer (the real gateway may instead cut the connection).
 */
export function readBody(req: IncomingMessage, cap = INGEST_MAX_BODY_BYTES): Promise<RawBody> {
  const gzip = (req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      if (size + c.length > cap) {
        tooLarge = true;
        chunks.push(c.subarray(0, cap - size));
        size = cap;
        return;
      }
      chunks.push(c);
      size += c.length;
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks, size), tooLarge, gzip }));
    req.on('error', reject);
  });
}

function reply(status: number, body: unknown, extra?: Partial<IngestResult>): IngestResult {
  return {
    status,
    body: `${JSON.stringify(body)}\n`,
    requestedPoints: 0,
    accepted: [],
    sourceLimitedPoints: 0,
    ...extra,
  };
}

const fail = (status: number, error: string, requestedPoints = 0): IngestResult =>
  reply(status, { error }, { requestedPoints });

export function handleIngest(apiKey: string | undefined, raw: RawBody, deps: IngestDeps): IngestResult {
  if (deps.redisDown) return fail(503, 'gateway degraded: redis unavailable');
  if (!apiKey) return fail(401, 'missing x-api-key');
  const key = deps.verifyKey(apiKey);
  if (!key) return fail(401, 'invalid API key');
  if (!hasScope(key, 'write')) return fail(403, 'API key lacks write scope');
  const tooLargeText = `payload too large (max ${INGEST_MAX_BODY_BYTES} bytes)`;

  let body = raw.body;
  if (raw.gzip) {
    // gzip.NewReader reads the 10-byte header first: a bad header is "invalid gzip body".
    if (body.length < 10 || body[0] !== 0x1f || body[1] !== 0x8b || body[2] !== 8) {
      return fail(400, 'invalid gzip body');
    }
    if (raw.tooLarge) return fail(413, tooLargeText);
    try {
      // SYNC_FLUSH: a truncated stream still yields what it holds, as Go's streaming reader does.
      body = gunzipSync(body, { maxOutputLength: INGEST_MAX_BODY_BYTES, finishFlush: zc.Z_SYNC_FLUSH });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return fail(413, tooLargeText);
      return fail(400, 'invalid JSON body');
    }
  } else if (raw.tooLarge) {
    return fail(413, tooLargeText);
  }

  const decoded = decodeIngestRequest(body.toString('utf8'));
  if (!decoded) return fail(400, 'invalid JSON body');
  const { points } = decoded;
  if (points === null) return fail(400, "'points' array is required");
  if (points.length === 0) return reply(200, { success: true, count: 0 });
  if (points.length > deps.maxPoints) {
    return fail(400, `too many points: ${points.length} (max ${deps.maxPoints})`, points.length);
  }

  // One pass: resolve source_id, infer class, scale seconds to ms, validate with the request index.
  const bySource = new Map<string, Obj[]>();
  for (let i = 0; i < points.length; i++) {
    const pt = points[i];
    if (pt === null || pt === undefined) return fail(400, `points[${i}] is null`, points.length);
    let sid = typeof pt['source_id'] === 'string' ? pt['source_id'] : '';
    if (sid === '') sid = decoded.sourceId;
    if (sid === '') {
      return fail(
        400,
        `points[${i}] missing source_id (set top-level source_id or per-point source_id)`,
        points.length,
      );
    }
    const sidErr = validateSourceId(sid);
    if (sidErr) return fail(400, `points[${i}] ${sidErr}`, points.length);
    delete pt['source_id'];
    inferClass(pt);
    const ts = pt['timestamp'];
    if (typeof ts === 'number' && ts > 0 && ts < 1e12) pt['timestamp'] = ts * 1000;
    const err = validatePoint(i, pt);
    if (err) return fail(400, err, points.length);
    let group = bySource.get(sid);
    if (!group) bySource.set(sid, (group = []));
    group.push(pt);
  }

  const accepted: IngestResult['accepted'] = [];
  let count = 0;
  let sourceLimitedPoints = 0;
  for (const [sourceId, pts] of bySource) {
    // The safety ceiling drops the whole group silently; other sources still go through.
    if (!deps.sourceAllow(key.org, sourceId)) {
      sourceLimitedPoints += pts.length;
      continue;
    }
    accepted.push({ org: key.org, sourceId, points: pts });
    count += pts.length;
  }
  // source_id is echoed only for a single-source request (even when its group was dropped).
  const resp: Obj = { success: true, count };
  if (bySource.size === 1) resp['source_id'] = bySource.keys().next().value;
  return reply(200, resp, { requestedPoints: points.length, accepted, sourceLimitedPoints });
}

/**
 * json.NewDecoder(body).Decode(&ingestRequest): decodes the FIRST JSON value (trailing bytes are
 * never read), matches field names case-insensitively, and fails on any type mismatch.
 * Returns null for what Go answers with 400 "invalid JSON body".
 */
function decodeIngestRequest(text: string): { sourceId: string; points: Array<Obj | null> | null } | null {
  const first = firstJsonValue(text);
  if (first === null) return null;
  const parsed = parseGoJson(first);
  if (!parsed.ok) return null;
  const v = parsed.value;
  if (v === null) return { sourceId: '', points: null };
  if (!isObj(v)) return null;
  let sourceId = '';
  let points: Array<Obj | null> | null = null;
  for (const [k, val] of Object.entries(v)) {
    const lk = k.toLowerCase();
    if (lk === 'source_id') {
      if (typeof val === 'string') sourceId = val;
      else if (val !== null) return null;
    } else if (lk === 'points') {
      if (val === null) points = null;
      else if (!Array.isArray(val) || !val.every((p) => p === null || isObj(p))) return null;
      else points = val as Array<Obj | null>;
    }
  }
  return { sourceId, points };
}

/** The text of the first JSON value in `text` (objects/arrays scanned to their closing bracket). */
function firstJsonValue(text: string): string | null {
  let i = 0;
  while (i < text.length && ' \t\r\n'.includes(text[i] ?? '')) i++;
  if (i >= text.length) return null;
  const open = text[i];
  if (open !== '{' && open !== '[') {
    const m = /^[^\s,\]}]+/.exec(text.slice(i));
    return m ? m[0] : null;
  }
  let depth = 0;
  let inString = false;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (inString) {
      if (c === 0x5c) j++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return text.slice(i, j + 1);
    }
  }
  return null;
}
