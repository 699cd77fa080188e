// Where a plugin worker's own code comes from. The built app ships it as out/main/plugin-worker.js
// (an electron-vite entry); run from source (tests, benchmarks) it is bundled from worker-main.ts
// once per process and started as eval code, so a stale build can never be tested by mistake.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkerScript {
  path?: string;
  code?: string;
}

let fromSource: Promise<WorkerScript> | null = null;

export function workerScript(): Promise<WorkerScript> {
  const source = join(__dirname, 'worker-main.ts');
  if (!existsSync(source)) {
    // Bundled: this code sits in out/main or out/main/chunks. In a packaged app the worker is
    // unpacked from the asar archive (package.json asarUnpack), where a worker thread can load it.
    const dirs = [__dirname, join(__dirname, '..')];
    for (const dir of dirs.flatMap((d) => [d.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'), d])) {
      const p = join(dir, 'plugin-worker.js');
      if (existsSync(p)) return Promise.resolve({ path: p });
    }
    return Promise.reject(new Error(`the plugin worker is missing next to ${__dirname} (rebuild the app)`));
  }
  fromSource ??= (async () => {
    const esbuild = await import('esbuild');
    const out = await esbuild.build({
      entryPoints: [source],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    return { code: out.outputFiles[0]!.text };
  })();
  return fromSource;
}
