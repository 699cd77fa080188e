// The MQTT plugin run for real, as the window adds it: through the Plugins manager, in a worker
// thread, into a sink that keeps every point. Shared by the MQTT tests.
import { join } from 'node:path';
import type { ConfigValues } from '../../src/shared/plugin-config';
import { CommandBoard, MemorySink, plugins, REPO } from '../plugins/helpers';

export const MQTT_PLUGIN = join(REPO, 'plugins', 'mqtt');
/** Deadlines: a loaded machine bundles and starts the plugin while other tests run. */
export const LONG = 30_000;

export interface RunningPlugin {
  sink: MemorySink;
  view(): ReturnType<ReturnType<typeof plugins>['views']>[number];
  status(): string;
  metricInfo(): Record<string, { unit?: string }>;
  /** Values of a metric (its full, prefixed name). */
  values(metric: string): unknown[];
  events(name: string): unknown[];
  logText(): string;
}

export function runPlugin(config: ConfigValues, name = 'mqtt'): RunningPlugin {
  const sink = new MemorySink();
  const manager = plugins(sink, new CommandBoard());
  manager.add(MQTT_PLUGIN, name, config);
  const view = () => {
    const v = manager.views().find((x) => x.name === name);
    if (!v) throw new Error(`no plugin named ${name}`);
    return v;
  };
  return {
    sink,
    view,
    status: () => view().statusText ?? '',
    metricInfo: () => manager.metricInfo(),
    values: (metric) => sink.of(metric).map((p) => p.value),
    events: (n) =>
      sink
        .of(n)
        .filter((p) => p.event)
        .map((p) => p.value),
    logText: () =>
      view()
        .log.map((l) => `${l.level}: ${l.message}`)
        .join('\n'),
  };
}

/**
 * Waits for `pred` (polling), failing after `ms` with `what` — evaluated when it fails, so the
 * message shows where the plugin was then, not when the wait began.
 */
export async function waitFor(pred: () => boolean, what: () => string, ms = LONG): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** What a test says when a wait times out: where the plugin is. */
export function where(p: RunningPlugin): string {
  const v = p.view();
  return `state ${v.state} (${v.message ?? ''}), ${v.restarts} restarts, status "${p.status()}", log:\n${p.logText()}`;
}
