// What any webContents may do: stay on our app:// origin, never open a window (http/https links go
// to the system browser), never attach a <webview>. Plain Node: the shell wires these into
// `web-contents-created`.
import { isAppUrl, parse } from './origin';

/** Whether a navigation (`will-navigate`, `will-redirect`) to this URL may go ahead. */
export function allowNavigation(url: string): boolean {
  return isAppUrl(url);
}

export interface WindowOpenDecision {
  /** Always 'deny': the app opens no window of its own. */
  action: 'deny';
  /** The URL to hand to the system browser (shell.openExternal), or null. */
  openExternal: string | null;
}

/**
 * `setWindowOpenHandler`: every new window is refused. A plain http(s) link (no credentials in
 * it) is opened in the system browser instead; any other scheme (file:, javascript:, custom
 * protocols that could launch programs) is dropped.
 */
export function windowOpenDecision(url: string): WindowOpenDecision {
  const u = parse(url);
  const web = !!u && (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
  return { action: 'deny', openExternal: web ? u.href : null };
}

/** `will-attach-webview`: never (the app uses no <webview>). */
export function allowWebview(): boolean {
  return false;
}
