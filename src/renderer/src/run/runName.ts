// The name a new run starts with: the last run's name with its number incremented
// (thermal-cycle-003 → thermal-cycle-004), or run-YYYYMMDD-HHMMSS when there is no such number.
import type { RunView } from '../../../shared/contract';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function timestampName(now: Date): string {
  const d = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const t = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `run-${d}-${t}`;
}

/** The next name after `name`, or null when it carries no counter worth incrementing. */
export function incrementName(name: string): string | null {
  if (/^run-\d{8}-\d{6}$/.test(name)) return null; // a timestamp, not a counter
  const m = /^(.*?)(\d+)$/.exec(name);
  // Long digit runs are dates or serial numbers, not counters (batch-20250101 is not batch-20250102).
  if (!m || m[2]!.length > 4) return null;
  const digits = m[2]!;
  return `${m[1]!}${String(Number(digits) + 1).padStart(digits.length, '0')}`;
}

export function suggestRunName(runs: readonly RunView[], now: Date): string {
  let latest: RunView | null = null;
  for (const r of runs) if (!latest || r.startedAt > latest.startedAt) latest = r;
  return (latest && incrementName(latest.name)) ?? timestampName(now);
}
