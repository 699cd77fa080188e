// Where the recorder's own files are: the folder holding its package.json (the repo when run from
// source, out/.. when built, resources/app.asar in a package). Shipped plugins live in its
// `plugins/` folder — unpacked from the asar archive, since esbuild reads real files only.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function findAppRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'plexus-bench') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the recorder's package.json above ${from}`);
  }
}

export function builtInPluginsDir(appRoot: string = findAppRoot()): string {
  return join(appRoot, 'plugins').replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}
