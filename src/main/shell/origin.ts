// The window's origin. The window is served from `app://bench/` (app-protocol.ts), never from
// file://, so the IPC, navigation and permission checks trust exactly this origin and no other
// local file. Plain Node: no electron import (the shell passes Electron objects in).

export const APP_SCHEME = 'app';
export const APP_HOST = 'bench';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** The URL parsed, or null when it does not parse. */
export function parse(url: string | null | undefined): URL | null {
  if (typeof url !== 'string' || url === '') return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Whether a URL is one of our window's pages: scheme `app:`, host `bench`, no port, no credentials.
 * (Node's URL gives `origin === 'null'` for custom schemes, so the parts are compared one by one.)
 */
export function isAppUrl(url: string | null | undefined): boolean {
  const u = parse(url);
  return (
    !!u &&
    u.protocol === `${APP_SCHEME}:` &&
    u.hostname === APP_HOST &&
    u.port === '' &&
    u.username === '' &&
    u.password === ''
  );
}

/** Whether an origin string (a permission check's `requestingOrigin`) is exactly ours. */
export function isAppOrigin(origin: string | null | undefined): boolean {
  return origin === APP_ORIGIN || origin === `${APP_ORIGIN}/`;
}
