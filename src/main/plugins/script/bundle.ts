// A script plugin's code, ready for its worker: the entry (TypeScript or JavaScript, ESM or
// CommonJS) and the plugin's own files bundled by esbuild into one CommonJS module with an inline
// source map, so authors need no build step and stack traces point at their own lines. npm
// packages stay `require`s, resolved from the plugin's folder at run time.

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Message } from 'esbuild';

export class PluginBuildError extends Error {
  override name = 'PluginBuildError';
}

/** Bundles by entry, with every input file's mtime: a restart of an unchanged plugin reuses it. */
const cache = new Map<string, { inputs: Array<[string, number]>; code: string }>();

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function where(m: Message): string {
  const l = m.location;
  return l ? `${l.file}:${l.line}:${l.column + 1}: ` : '';
}

/** Bundles the entry; throws PluginBuildError listing the first problems with file:line. */
export async function bundlePlugin(entry: string): Promise<string> {
  if (mtime(entry) < 0) throw new PluginBuildError(`the entry file ${entry} does not exist`);
  const hit = cache.get(entry);
  if (hit && hit.inputs.every(([f, m]) => mtime(f) === m)) return hit.code;
  const esbuild = await import('esbuild');
  let out;
  try {
    out = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      sourcemap: 'inline',
      metafile: true,
      packages: 'external',
      logLevel: 'silent',
    });
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (errors?.length) {
      const shown = errors.slice(0, 3).map((m) => `${where(m)}${m.text}`);
      throw new PluginBuildError(
        `the plugin's code does not compile: ${shown.join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`,
      );
    }
    throw new PluginBuildError(`the plugin's code could not be bundled: ${(e as Error).message}`);
  }
  const code = out.outputFiles?.[0]?.text ?? '';
  const inputs = Object.keys(out.metafile?.inputs ?? {}).map((f): [string, number] => {
    const abs = resolve(f);
    return [abs, mtime(abs)];
  });
  cache.set(entry, { inputs, code });
  return code;
}
