// Shared helpers of the client benchmark (bench/client.bench.ts and the phases under bench/client/):
// its settings, the metric names the phases send, clocks, waiting, statistics and number formats.

// BENCH_RUNS=n overrides the repeat count (BENCH_PHASES, read by the entry, picks phases).
export const RUNS = positiveInt(process.env.BENCH_RUNS, 3);
export const API_KEY = 'plx_bench_key';

/** The 500 metric names of the send loops (built once, so the loop measures the client). */
export const NAMES = Array.from({ length: 500 }, (_, i) => `m${i}`);

// ── small helpers ──────────────────────────────────────────────────────────────────────────

export function positiveInt(v: string | undefined, dflt: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}

export const now = (): number => performance.now();
/** Wall-clock ms with sub-ms resolution: the gateway child stamps receivedAt the same way. */
export const wallNow = (): number => performance.timeOrigin + performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
/** A sensor-like value: short decimals, never the same as the previous one. */
export const valueFor = (k: number): number => 20 + (k % 1000) / 100;

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${(ms / 1000).toFixed(0)} s: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function until(pred: () => boolean, timeoutMs: number, what: string, everyMs = 5): Promise<void> {
  const end = now() + timeoutMs;
  while (!pred()) {
    if (now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fixed = (n: number, d = 2): string => n.toFixed(d);
export const round = (n: number, d: number): number => Math.round(n * 10 ** d) / 10 ** d;

export function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

// ── memory ─────────────────────────────────────────────────────────────────────────────

/**
 * The kernel's high-water mark of this process's resident memory, in MB (getrusage ru_maxrss, in
 * KiB on Linux). Unlike sampling it misses no short peak; it covers the whole life of the process,
 * which is why every phase runs in a process of its own.
 */
export const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;
