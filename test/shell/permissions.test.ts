// The camera, video only, for our own window on app://bench; nothing else.
import { describe, expect, it } from 'vitest';
import { allowPermissionCheck, allowPermissionRequest } from '../../src/main/shell/permissions';

const ok = { permission: 'media', mediaTypes: ['video'], requestingUrl: 'app://bench/index.html', fromOurWindow: true };

describe('permission requests', () => {
  it('grants the camera to our page', () => {
    expect(allowPermissionRequest(ok)).toBe(true);
    expect(allowPermissionRequest({ ...ok, mediaTypes: ['video', 'video'] })).toBe(true);
    expect(allowPermissionRequest({ ...ok, requestingUrl: 'app://bench/?token=1' })).toBe(true);
  });

  it('refuses an empty or missing media list, audio, and anything but video', () => {
    for (const mediaTypes of [[], undefined, ['audio'], ['video', 'audio'], ['screen'], ['']])
      expect(allowPermissionRequest({ ...ok, mediaTypes }), JSON.stringify(mediaTypes)).toBe(false);
  });

  it('refuses other permissions, other pages and other windows', () => {
    for (const permission of ['notifications', 'geolocation', 'clipboard-read', 'display-capture', 'openExternal'])
      expect(allowPermissionRequest({ ...ok, permission })).toBe(false);
    for (const requestingUrl of [
      'file:///work/main/out/renderer/index.html',
      'https://evil.example/',
      'app://evil/index.html',
      'app://bench:2/',
      undefined,
    ])
      expect(allowPermissionRequest({ ...ok, requestingUrl }), String(requestingUrl)).toBe(false);
    expect(allowPermissionRequest({ ...ok, fromOurWindow: false })).toBe(false);
  });
});

describe('permission checks', () => {
  const check = { permission: 'media', requestingOrigin: 'app://bench', fromOurWindow: true };
  it('passes media checks from our origin (video or unknown), by origin or by URL', () => {
    expect(allowPermissionCheck(check)).toBe(true);
    expect(allowPermissionCheck({ ...check, mediaType: 'video' })).toBe(true);
    expect(allowPermissionCheck({ ...check, mediaType: 'unknown' })).toBe(true);
    expect(
      allowPermissionCheck({ ...check, requestingOrigin: undefined, requestingUrl: 'app://bench/index.html' }),
    ).toBe(true);
  });

  it('refuses audio, other permissions, other origins (file:// included) and other windows', () => {
    expect(allowPermissionCheck({ ...check, mediaType: 'audio' })).toBe(false);
    expect(allowPermissionCheck({ ...check, permission: 'notifications' })).toBe(false);
    for (const requestingOrigin of ['file://', 'https://evil.example', 'app://evil', 'null', ''])
      expect(allowPermissionCheck({ ...check, requestingOrigin }), requestingOrigin).toBe(false);
    expect(allowPermissionCheck({ ...check, fromOurWindow: false })).toBe(false);
  });
});
