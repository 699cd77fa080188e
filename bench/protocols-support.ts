// What the protocol measurements (bench/protocols-*.ts) share: the shipped plugins run through a
// real Plugins manager into a sink that only counts, each figure the median of three runs, and the
// waits around them. One copy, so the three figures are taken the same way.
import { join } from 'node:path';
import { Plugins, type PluginSink } from '../src/main/plugins';

export const ROOT = join(__dirname, '..');
/** Runs per figure; the median is reported. */
export const RUNS = 3;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Waits for `pred`; a `what` that is a function is asked when the wait fails: where things were then. */
export async function until(pred: () => boolean, ms: number, what: string | (() => string)): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms)
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(20);
  }
}

/** `run` RUNS times, one after the other (the runs must not share the cores), in order. */
export async function eachRun<T>(run: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < RUNS; i++) out.push(await run());
  return out;
}

/** Where a bench's points go: it counts them; the clock and video frames are not measured. */
export type CountingSink = Pick<PluginSink, 'send' | 'event' | 'sendBatch'>;

/** A Plugins manager that finds the shipped plugins and hands their points to `counts`. */
export function countingPlugins(dataDir: string, counts: CountingSink): Plugins {
  const sink: PluginSink = {
    now: () => Date.now(),
    ...counts,
    sendVideoFrame: () => Promise.resolve({ sent: false }),
  };
  return new Plugins({
    dataDir,
    builtInDir: join(ROOT, 'plugins'),
    sink,
    registerCommand: () => () => {},
    now: () => Date.now(),
    changed: () => {},
    stateChanged: () => {},
  });
}

/** A batch as the sink is given it. */
export type Batch = Parameters<PluginSink['sendBatch']>[0];

/** A counting manager whose sink also spot-checks each batch against what the peer holds. */
export interface CheckedPlugins {
  plugins: Plugins;
  /** Points recorded so far. */
  recorded(): number;
  /** Values that were not the peer's, so far (decoded wrong, or answers out of step). */
  wrong(): number;
}

/** `wrongIn` counts a batch's values that are not what the peer holds. */
export function checkedPlugins(dataDir: string, wrongIn: (points: Batch) => number): CheckedPlugins {
  let recorded = 0;
  let wrong = 0;
  const plugins = countingPlugins(dataDir, {
    send: () => ++recorded,
    event: () => recorded,
    sendBatch: (points) => {
      wrong += wrongIn(points);
      return (recorded += points.length);
    },
  });
  return { plugins, recorded: () => recorded, wrong: () => wrong };
}

/**
 * After `warmupMs`, how fast each counter grows over `measureMs`, per second: the plugin is
 * started and polling before the clock starts.
 */
export async function ratesAfterWarmup<K extends string>(
  warmupMs: number,
  measureMs: number,
  counters: Record<K, () => number>,
): Promise<Record<K, number>> {
  await sleep(warmupMs);
  const keys = Object.keys(counters) as K[];
  const before = keys.map((k) => counters[k]());
  const start = performance.now();
  await sleep(measureMs);
  const s = (performance.now() - start) / 1000;
  return Object.fromEntries(keys.map((k, i) => [k, (counters[k]() - before[i]!) / s])) as Record<K, number>;
}
