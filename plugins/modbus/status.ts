// The plugin's one status line: the connection, then each group's polls and faults, e.g.
// "10.0.0.7:502 · fast 1204 polls · slow 41 polls: 3 timeouts, 1 exception".
import { seconds, type FaultKind } from './faults';
import type { GroupStats } from './poller';
import type { GroupPlan } from './register-map';

const WORDS: Readonly<Record<FaultKind, [string, string]>> = {
  timeout: ['timeout', 'timeouts'],
  exception: ['exception', 'exceptions'],
  crc: ['CRC error', 'CRC errors'],
  offline: ['offline', 'offline'],
  garbled: ['garbled answer', 'garbled answers'],
};

export function statusLine(link: string, groups: ReadonlyArray<{ name: string; stats: GroupStats }>): string {
  const parts = groups.map(({ name, stats }) => {
    const faults = (Object.keys(WORDS) as FaultKind[])
      .filter((k) => stats.faults[k] > 0)
      .map((k) => `${stats.faults[k]} ${WORDS[k][stats.faults[k] === 1 ? 0 : 1]}`);
    return `${name} ${stats.polls} poll${stats.polls === 1 ? '' : 's'}${faults.length ? `: ${faults.join(', ')}` : ''}`;
  });
  return [link, ...parts].join(' · ');
}

/**
 * The log's first line: what is read how often, and in how many requests, e.g. "reading
 * 10.0.0.7:502: fast every 0.5 s (6 values in 3 requests), slow every 10 s (2 values in 2 requests)".
 */
export function readingLine(link: string, groups: readonly GroupPlan[]): string {
  const each = groups.map((g) => {
    const when = g.intervalMs > 0 ? `every ${seconds(g.intervalMs)}` : 'back to back';
    const n = g.requests.length;
    return `${g.name} ${when} (${g.fields.length} value${g.fields.length === 1 ? '' : 's'} in ${n} request${n === 1 ? '' : 's'})`;
  });
  return `reading ${link}: ${each.join(', ')}`;
}
