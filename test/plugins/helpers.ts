// Helpers for plugin tests: plugin folders written into temp dirs, a sink that keeps what it was
// given (the recorder's own sink is tested with the host), and a Plugins manager wired to them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandHandler, CommandOptions, SendOptions } from '../../src/main/plexus';
import { Plugins, type PluginsOptions } from '../../src/main/plugins';
import type { PluginSink } from '../../src/main/plugins/types';
import { tempDir } from '../helpers/tmp';

export const REPO = join(__dirname, '..', '..');

export interface Recorded {
  metric: string;
  value: unknown;
  timestamp: number;
  event: boolean;
  tags?: Record<string, string>;
}

/** A sink that records every point it is given, with the client's all-or-none batch rule. */
export class MemorySink implements PluginSink {
  readonly points: Recorded[] = [];
  constructor(private readonly clock: () => number = () => Date.now()) {}
  now(): number {
    return this.clock();
  }
  private stamp(opts?: SendOptions): number {
    const t = opts?.timestamp;
    return t instanceof Date ? t.getTime() : (t ?? Math.round(this.clock()));
  }
  send(metric: string, value: unknown, opts?: SendOptions): number {
    this.points.push({
      metric,
      value,
      timestamp: this.stamp(opts),
      event: typeof value !== 'number',
      ...(opts?.tags ? { tags: opts.tags } : {}),
    });
    return this.points.length;
  }
  event(name: string, data: unknown, opts?: SendOptions): number {
    this.points.push({ metric: name, value: data, timestamp: this.stamp(opts), event: true });
    return this.points.length;
  }
  sendBatch(
    points: Array<{ metric: string; value: unknown; timestamp?: number; tags?: Record<string, string> }>,
    opts?: SendOptions,
  ): number {
    for (const p of points)
      this.send(p.metric, p.value, { timestamp: p.timestamp ?? this.stamp(opts), ...(p.tags ? { tags: p.tags } : {}) });
    return this.points.length;
  }
  async sendVideoFrame(): Promise<{ sent: boolean }> {
    return { sent: false };
  }
  of(metric: string): Recorded[] {
    return this.points.filter((p) => p.metric === metric);
  }
}

export class CommandBoard {
  readonly handlers = new Map<string, { handler: CommandHandler; opts: CommandOptions }>();
  register = (name: string, handler: CommandHandler, opts: CommandOptions): (() => void) => {
    this.handlers.set(name, { handler, opts });
    return () => this.handlers.delete(name);
  };
  async call(name: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const h = this.handlers.get(name);
    if (!h) throw new Error(`no handler for ${name}`);
    const ac = new AbortController();
    return h.handler(params, { id: `cmd-${Math.random()}`, command: name, receivedAt: Date.now(), signal: ac.signal });
  }
}

/** A plugin folder with plugin.json and files, in a fresh temp dir. */
export function pluginFolder(manifest: Record<string, unknown>, files: Record<string, string>): string {
  const dir = join(tempDir('plexus-plugin-'), String(manifest.id ?? 'plugin'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifest, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A script plugin whose setup body is `body` (TypeScript; `ctx` in scope). */
export function scriptPlugin(
  id: string,
  body: string,
  extra: { config?: string; manifest?: Record<string, unknown>; top?: string } = {},
): string {
  return pluginFolder(
    { id, name: id, version: '1.0.0', kind: 'script', entry: 'index.ts', ...extra.manifest },
    {
      'index.ts': `import { definePlugin } from 'plexus-bench/plugin';
${extra.top ?? ''}
export default definePlugin({
  id: '${id}', name: '${id}', version: '1.0.0',
  ${extra.config ? `config: ${extra.config},` : ''}
  async setup(ctx) {
${body}
  },
});
`,
    },
  );
}

const managers: Plugins[] = [];

export function plugins(sink: PluginSink, board: CommandBoard, extra: Partial<PluginsOptions> = {}): Plugins {
  const p = new Plugins({
    dataDir: tempDir(),
    builtInDir: join(REPO, 'plugins'),
    sink,
    registerCommand: board.register,
    now: () => sink.now(),
    changed: () => {},
    stateChanged: () => {},
    timing: { hangMs: 1500, pingMs: 200, stopGraceMs: 1000, restart: { baseMs: 100, capMs: 400, maxCrashes: 4 } },
    ...extra,
  });
  managers.push(p);
  return p;
}

export async function stopManagers(): Promise<void> {
  await Promise.all(managers.splice(0).map((m) => m.stopAll()));
}
