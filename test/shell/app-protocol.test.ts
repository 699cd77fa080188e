// The app:// protocol's URL → file resolution: only files inside out/renderer, known types only,
// every traversal form refused, and the served response (type, CSP header, 404s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { APP_CSP, resolveAppUrl, serveAppRequest } from '../../src/main/shell/app-protocol';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';

let root: string;
let outside: string;
beforeAll(() => {
  const base = tempDir();
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets', 'sub'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'secret.db'), 'no');
  outside = join(base, 'secret.txt');
  writeFileSync(outside, 'top secret');
  writeFileSync(join(base, 'renderer-evil.html'), 'evil');
});
afterAll(() => cleanupTempDirs());

const file = (url: string) => {
  const r = resolveAppUrl(url, root);
  return r.kind === 'file' ? r.path : null;
};

describe('resolveAppUrl', () => {
  it('serves index.html for the origin, / and index.html, ignoring query and hash', () => {
    const index = resolve(root, 'index.html');
    for (const u of [
      'app://bench',
      'app://bench/',
      'app://bench/index.html',
      'app://bench/?token=abc',
      'app://bench/index.html?x=1#frag',
    ])
      expect(file(u), u).toBe(index);
  });

  it('serves assets inside the folder with their MIME type', () => {
    expect(resolveAppUrl('app://bench/assets/app.js?v=2', root)).toEqual({
      kind: 'file',
      path: resolve(root, 'assets', 'app.js'),
      type: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppUrl('app://bench/assets/app.css', root)).toMatchObject({ type: 'text/css; charset=utf-8' });
    expect(resolveAppUrl('app://bench/a%20b.png', root)).toMatchObject({ path: resolve(root, 'a b.png') });
  });

  it('never leaves the renderer folder, whatever the traversal form', () => {
    const attacks = [
      'app://bench/../../etc/passwd',
      'app://bench/%2e%2e/%2e%2e/etc/passwd',
      'app://bench/.%2e/secret.txt',
      'app://bench/..%2f..%2fsecret.txt',
      'app://bench/%2e%2e%2fsecret.txt',
      'app://bench/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://bench/..\\..\\secret.txt',
      'app://bench/..%5c..%5csecret.txt',
      'app://bench/assets\\..\\..\\secret.txt',
      'app://bench//etc/passwd',
      'app://bench/%2fetc%2fpasswd',
      'app://bench/C:/Windows/win.ini',
      'app://bench/C%3a%5cWindows%5cwin.ini',
      'app://bench/index.html%00.js',
      'app://bench/../renderer-evil.html',
      'app://bench/..%2frenderer-evil.html',
      'app://bench/%E0%A4%A',
    ];
    for (const a of attacks) {
      const p = file(a);
      if (p !== null) expect(p.startsWith(resolve(root) + '/'), `${a} → ${p}`).toBe(true);
      expect(p, a).not.toBe(resolve(outside));
    }
    // The encoded forms that survive the URL parser are refused outright.
    for (const a of [
      'app://bench/..%2f..%2fsecret.txt',
      'app://bench/..%5c..%5csecret.txt',
      'app://bench/assets\\..\\..\\secret.txt',
      'app://bench/%2fetc%2fpasswd',
      'app://bench/C%3a%5cWindows%5cwin.ini',
      'app://bench/index.html%00.js',
      'app://bench//etc/passwd',
    ])
      expect(resolveAppUrl(a, root), a).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('refuses other origins, schemes, ports and credentials', () => {
    for (const u of [
      'app://evil/index.html',
      'app://bench:8080/index.html',
      'app://user:pw@bench/index.html',
      'file:///etc/passwd',
      'http://bench/index.html',
      'not a url',
      '',
    ])
      expect(resolveAppUrl(u, root), u).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('refuses unknown file types', () => {
    expect(resolveAppUrl('app://bench/assets/secret.db', root)).toMatchObject({ kind: 'refused', status: 404 });
    expect(resolveAppUrl('app://bench/assets', root)).toMatchObject({ kind: 'refused', status: 404 });
  });
});

describe('serveAppRequest', () => {
  it('serves the page with its type, nosniff and the strict CSP header', async () => {
    const r = await serveAppRequest('app://bench/?token=x', root);
    expect(r.status).toBe(200);
    expect(Buffer.from(r.body).toString()).toContain('<title>x</title>');
    expect(r.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(r.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(r.headers['Content-Security-Policy']).toBe(APP_CSP);
    expect(APP_CSP).toMatch(/connect-src 'self';/);
    expect(APP_CSP).not.toMatch(/unsafe|ws:/);
  });

  it('serves assets without a CSP header', async () => {
    const r = await serveAppRequest('app://bench/assets/app.js', root);
    expect(r.status).toBe(200);
    expect(r.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect(r.headers['Content-Security-Policy']).toBeUndefined();
  });

  it('404 for missing files and directories, 403 for traversal, never the file outside', async () => {
    expect((await serveAppRequest('app://bench/missing.js', root)).status).toBe(404);
    expect((await serveAppRequest('app://bench/assets/sub.js', root)).status).toBe(404);
    mkdirSync(join(root, 'dir.js'));
    expect((await serveAppRequest('app://bench/dir.js', root)).status).toBe(404);
    const t = await serveAppRequest('app://bench/..%2f..%2fsecret.txt', root);
    expect(t.status).toBe(403);
    expect(String(t.body)).not.toContain('top secret');
  });
});
