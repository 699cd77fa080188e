// Where a worker thread's own code comes from. The built app ships each as out/main/<name>.js (an
// electron-vite entry); run from source (tests, benchmarks) it is bundled from its .ts file once
// per process and started as eval code, so a stale build can never be tested by mistake.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkerScript {
  path?: string;
  code?: string;
}

const fromSource = new Map<string, Promise<WorkerScript>>();

/**
 * The code of the worker whose source is `source` (a .ts file beside the caller) and whose
 * built entry is `<built>.js`; `dir` is the caller's __dirname.
 */
export function workerScriptOf(dir: string, source: string, built: string): Promise<WorkerScript> {
  const file = join(dir, source);
  if (!existsSync(file)) {
    // Bundled: this code sits in out/main or out/main/chunks. In a packaged app the worker is
    // unpacked from the asar archive (package.json asarUnpack), where a worker thread can load it.
    const dirs = [dir, join(dir, '..')];
    for (const d of dirs.flatMap((x) => [x.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'), x])) {
      const p = join(d, `${built}.js`);
      if (existsSync(p)) return Promise.resolve({ path: p });
    }
    return Promise.reject(new Error(`the worker ${built}.js is missing next to ${dir} (rebuild the app)`));
  }
  let script = fromSource.get(file);
  if (!script) {
    script = (async () => {
      const esbuild = await import('esbuild');
      const out = await esbuild.build({
        entryPoints: [file],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        write: false,
        logLevel: 'silent',
      });
      return { code: out.outputFiles[0]!.text };
    })();
    fromSource.set(file, script);
  }
  return script;
}

/** The plugin worker's code. */
export function workerScript(): Promise<WorkerScript> {
  return workerScriptOf(__dirname, 'worker-main.ts', 'plugin-worker');
}
