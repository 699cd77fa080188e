// Child-process fixtures bundled once per test file with esbuild (what tsx uses to transpile), so
// a test that starts the same fixture many times does not pay for `--import tsx` each time: that
// transpiles the client's modules again in every child, 1–3 s per start on a loaded machine.
// Packages stay external and are required from node_modules as they are under tsx.
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
// Inside the repository, so the bundle's require('better-sqlite3') finds node_modules.
const OUT_DIR = join(ROOT, 'node_modules', '.cache', 'plexus-test-fixtures');
const made: string[] = [];

/** Bundles `entry` (a .ts fixture) to a plain .cjs file; run it with `node <file>`. */
export async function bundleFixture(entry: string): Promise<string> {
  mkdirSync(OUT_DIR, { recursive: true });
  const outfile = join(OUT_DIR, `${basename(entry, '.ts')}-${process.pid}-${made.length}.cjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  made.push(outfile);
  return outfile;
}

/** afterAll: remove the bundles this file made. */
export function removeBundles(): void {
  for (const f of made.splice(0)) rmSync(f, { force: true });
}
