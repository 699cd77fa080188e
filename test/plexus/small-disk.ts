// A real small disk for the disk-full tests: a tmpfs of a few MB mounted on a temp dir (needs root;
// our CI runs as root). Where it cannot be mounted, `smallDiskUnavailable` says why, so the tests
// are skipped with that reason printed instead of passing silently.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function probe(): string | null {
  if (process.platform !== 'linux') return `a tmpfs can only be mounted on Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (CI runs the tests as root)';
  const dir = mkdtempSync(join(tmpdir(), 'plexus-disk-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return `mount -t tmpfs failed: ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()}`;
  } finally {
    rmdirSync(dir);
  }
}

/** Why the small-disk tests cannot run here, or null when they can. */
export const smallDiskUnavailable = probe();
if (smallDiskUnavailable) console.warn(`SKIPPED: the disk-full tests need a real small disk: ${smallDiskUnavailable}`);

export interface SmallDisk {
  dir: string;
  /** Fill every free byte with a filler file; returns its path. */
  fill(): string;
  /** Free bytes on the disk now. */
  free(): number;
  unmount(): void;
}

export function mountSmallDisk(sizeMb: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'plexus-small-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  return {
    dir,
    fill(): string {
      const path = join(dir, `filler-${Math.random().toString(36).slice(2)}`);
      const fd = openSync(path, 'w');
      try {
        // Big writes first, then ever smaller ones, until not one more byte fits.
        for (let size = 1 << 20; size >= 1; size >>= 1) {
          const buf = Buffer.alloc(size, 0x5a);
          for (;;) {
            try {
              writeSync(fd, buf);
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw e;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return path;
    },
    free(): number {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    },
    unmount(): void {
      // A lazy unmount never fails on a busy mount; the files go with it.
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
