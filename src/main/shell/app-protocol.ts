// The `app://bench/` protocol: which file of the built window (out/renderer) a request gets.
// Only files inside the renderer folder, only known web types, no traversal (.., encoded or
// not), no backslashes, drive letters or NULs; anything else is refused. Plain Node: the shell
// registers the scheme and wraps `serveAppRequest` in `protocol.handle`.
import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { isAppUrl, parse } from './origin';

/** How the scheme is registered (before `ready`): a standard, secure origin with fetch. */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
} as const;

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The window's CSP, sent as a header with every HTML page. The meta tag in index.html also
 * applies (both are enforced), and it must allow the headless host's loopback WebSocket since
 * the headless server serves the same file; in Electron the window talks over IPC only, so this
 * header narrows connect-src to 'self' and adds frame-ancestors (which a meta tag cannot set).
 */
export const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
  "media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

export type AppResolution =
  { kind: 'file'; path: string; type: string } | { kind: 'refused'; status: 403 | 404; reason: string };

function refused(status: 403 | 404, reason: string): AppResolution {
  return { kind: 'refused', status, reason };
}

/** Which file `url` names inside `root` (absolute), or why it is refused. No file system access. */
export function resolveAppUrl(url: string, root: string): AppResolution {
  if (!isAppUrl(url)) return refused(403, 'not the app origin');
  const u = parse(url)!;
  // The URL parser has already removed plain and %2e-encoded dot segments; what is left is
  // decoded once and checked segment by segment (an encoded %2f must not make new segments).
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return refused(404, 'bad escape in the path');
  }
  if (path === '' || path === '/') path = '/index.html';
  if (!path.startsWith('/')) return refused(404, 'relative path');
  const segments = path.slice(1).split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') return refused(403, 'empty or dot segment');
    if (/[\\:\0]/.test(s)) return refused(403, 'backslash, colon or NUL in the path');
  }
  const base = resolve(root);
  const file = resolve(base, ...segments);
  const rel = relative(base, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return refused(403, 'outside the renderer folder');
  const type = MIME_TYPES[extname(file).toLowerCase()];
  if (!type) return refused(404, 'unknown file type');
  return { kind: 'file', path: file, type };
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

/** The response for one `app://` request: the file with its type, or 403/404 (never a crash). */
export async function serveAppRequest(url: string, root: string): Promise<AppResponse> {
  const r = resolveAppUrl(url, root);
  if (r.kind === 'refused') {
    return {
      status: r.status,
      headers: { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
      body: r.status === 403 ? 'forbidden' : 'not found',
    };
  }
  try {
    if (!(await stat(r.path)).isFile()) throw new Error('not a file');
    const body = new Uint8Array(await readFile(r.path));
    const headers: Record<string, string> = { ...COMMON_HEADERS, 'Content-Type': r.type };
    if (r.type.startsWith('text/html')) headers['Content-Security-Policy'] = APP_CSP;
    return { status: 200, headers, body };
  } catch {
    return {
      status: 404,
      headers: { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
      body: 'not found',
    };
  }
}
