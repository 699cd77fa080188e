// HTTP delivery: POST /ingest (docs/protocol.md §6). Used when the WebSocket is unavailable, or always
// with `transport: 'http'`. A 200 is a real acknowledgement — but only for `count` points: the
// gateway's per-source rate ceiling drops a request's points silently and still answers 200
// with a smaller count, so a short count means "send again", not "done".

import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);

/** Bodies above this are gzipped (the gateway and the Python SDK agree on 1 KiB). */
const GZIP_ABOVE = 1024;

export type HttpOutcome =
  | { kind: 'ok'; sourceId: string | null }
  | { kind: 'short'; count: number }
  | { kind: 'invalid'; status: number; detail: string }
  | { kind: 'too-large'; detail: string }
  | { kind: 'auth'; status: number; detail: string }
  /** `written`: the request may have reached the gateway (false when the connection was refused). */
  | { kind: 'retry'; detail: string; written: boolean };

export interface HttpSenderOptions {
  url: string;
  timeoutMs: number;
}

export class HttpSender {
  constructor(private readonly opts: HttpSenderOptions) {}

  get url(): string {
    return this.opts.url;
  }

  /** POST an /ingest body (`{"source_id":…,"points":[…]}`) holding `count` points. */
  async send(json: Buffer, count: number, apiKey: string): Promise<HttpOutcome> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-api-key': apiKey };
    let body: Buffer = json;
    if (json.length > GZIP_ABOVE) {
      body = await gzipAsync(json);
      headers['content-encoding'] = 'gzip';
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why =
        err.name === 'TimeoutError'
          ? `no answer within ${this.opts.timeoutMs} ms`
          : (err.cause?.message ?? err.message);
      // Refused or unresolvable: nothing left this machine, so nothing can arrive twice.
      const refused = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(
        err.cause?.code ?? '',
      );
      return { kind: 'retry', detail: `POST ${this.opts.url} failed: ${why}`, written: !refused };
    }
    let parsed: Record<string, unknown> = {};
    try {
      const p: unknown = JSON.parse(text);
      if (p && typeof p === 'object' && !Array.isArray(p)) parsed = p as Record<string, unknown>;
    } catch {
      // non-JSON body (a proxy's error page): the status decides
    }
    const detail = typeof parsed.error === 'string' ? parsed.error : text.slice(0, 200);
    const s = res.status;
    if (s === 200) {
      const accepted = typeof parsed.count === 'number' ? parsed.count : -1;
      if (accepted !== -1 && accepted < count) return { kind: 'short', count: accepted };
      return { kind: 'ok', sourceId: typeof parsed.source_id === 'string' ? parsed.source_id : null };
    }
    if (s === 400) return { kind: 'invalid', status: s, detail };
    if (s === 413) return { kind: 'too-large', detail };
    if (s === 401 || s === 403) return { kind: 'auth', status: s, detail };
    return { kind: 'retry', detail: `HTTP ${s}: ${detail}`, written: true };
  }
}
