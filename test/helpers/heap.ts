// How much live heap a piece of work holds at its worst: a full collection on demand (vitest does
// not pass --expose-gc; V8 takes it at run time) before it and at every sample, so the growth is
// what is live, not garbage not yet collected.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Runs `work`, sampling the live heap every `everyMs`; its result and the peak growth in bytes. */
export async function heapGrowth<T>(work: () => Promise<T>, everyMs: number): Promise<{ result: T; grew: number }> {
  gc();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const sampler = setInterval(() => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, everyMs);
  const result = await work().finally(() => clearInterval(sampler));
  return { result, grew: peak - before };
}
