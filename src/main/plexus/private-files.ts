// The buffer holds a lab's recordings and the device's identity: the data dir is private to the
// user who records (0700) and so is every file in it (0600), whatever the umask, and also when
// an older version or a person left them wider.

import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * Make the data dir private to this user (0700), creating it if needed. A folder this user does
 * not own cannot be narrowed (EPERM): that is no reason to stop recording, so it is left as is.
 */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    if ((statSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
  }
}

/**
 * Make a file private to this user (0600), creating it when asked and missing. A file this user
 * does not own cannot be narrowed (EPERM): left as is rather than refusing to record.
 */
export function privateFile(path: string, create: boolean): void {
  try {
    if ((statSync(path).mode & 0o777) !== 0o600) chmodSync(path, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && create) closeSync(openSync(path, 'a', 0o600));
    else if (code !== 'ENOENT' && code !== 'EPERM') throw e;
  }
}
