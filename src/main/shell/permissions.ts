// Which permission requests and checks the shell grants: the camera (video only) for our own
// window's page, and nothing else. Plain Node: the shell passes in what Electron gives it.
import { isAppOrigin, isAppUrl } from './origin';

export interface PermissionRequest {
  /** Electron's permission name ('media', 'notifications', …). */
  permission: string;
  /** `details.mediaTypes` of a 'media' request ('video' | 'audio'); may be missing or empty. */
  mediaTypes?: readonly string[] | undefined;
  /** `details.requestingUrl`. */
  requestingUrl?: string | undefined;
  /** The request comes from our window's webContents (the shell compares the objects). */
  fromOurWindow: boolean;
}

/**
 * A permission request is granted only for the camera: `media` with a non-empty list of media
 * types that are all 'video' (no audio, no screen capture, no empty list), from our window's page.
 */
export function allowPermissionRequest(r: PermissionRequest): boolean {
  if (r.permission !== 'media' || !r.fromOurWindow) return false;
  const types = r.mediaTypes;
  if (!Array.isArray(types) || types.length === 0) return false;
  if (!types.every((t) => t === 'video')) return false;
  return isAppUrl(r.requestingUrl);
}

export interface PermissionCheck {
  permission: string;
  /** The check's `requestingOrigin` (e.g. 'app://bench'). */
  requestingOrigin?: string | undefined;
  /** `details.requestingUrl`, when Electron gives one. */
  requestingUrl?: string | undefined;
  /** `details.mediaType` ('video' | 'audio' | 'unknown'), when Electron gives one. */
  mediaType?: string | undefined;
  /** The check comes from our window's webContents (null webContents → false). */
  fromOurWindow: boolean;
}

/**
 * A permission check (e.g. enumerateDevices labels) passes only for media, never audio, for our
 * window on our origin. Checks carry the origin rather than the page URL, so either must be ours.
 */
export function allowPermissionCheck(c: PermissionCheck): boolean {
  if (c.permission !== 'media' || !c.fromOurWindow) return false;
  if (c.mediaType === 'audio') return false;
  return isAppOrigin(c.requestingOrigin) || isAppUrl(c.requestingUrl);
}
