// Where any webContents may go: only our app:// origin; new windows never (http/https links go
// to the system browser, nothing else does); no <webview>.
import { describe, expect, it } from 'vitest';
import { allowNavigation, allowWebview, windowOpenDecision } from '../../src/main/shell/navigation';

describe('navigation', () => {
  it('stays on app://bench', () => {
    expect(allowNavigation('app://bench/index.html')).toBe(true);
    expect(allowNavigation('app://bench/?token=1#x')).toBe(true);
    for (const u of [
      'app://evil/index.html',
      'app://bench:1/index.html',
      'app://u@bench/',
      'file:///work/main/out/renderer/index.html',
      'https://example.com/',
      'http://127.0.0.1:8080/',
      'javascript:alert(1)',
      'data:text/html,<h1>x</h1>',
      'about:blank',
      'not a url',
      '',
    ])
      expect(allowNavigation(u), u).toBe(false);
  });

  it('denies every new window; only http(s) links go to the system browser', () => {
    expect(windowOpenDecision('https://docs.plexus.dev/bench')).toEqual({
      action: 'deny',
      openExternal: 'https://docs.plexus.dev/bench',
    });
    expect(windowOpenDecision('http://example.com')).toEqual({ action: 'deny', openExternal: 'http://example.com/' });
    for (const u of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://server/share',
      'ms-msdt:/id',
      'app://bench/index.html',
      'data:text/html,x',
      'https://user:pw@example.com/',
      'HTTPS',
      '',
    ])
      expect(windowOpenDecision(u), u).toEqual({ action: 'deny', openExternal: null });
  });

  it('never attaches a webview', () => {
    expect(allowWebview()).toBe(false);
  });
});
