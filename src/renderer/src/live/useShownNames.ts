// The metric names to draw: all names matching the filter, capped so the window stays responsive.
// Recomputed only when the set of names or the filter changes — never per tick.
import { useMemo } from 'react';
import { metricNames } from './liveData';
import { usePreviewStore } from '../stores/previewStore';

/** The most tiles/rows drawn at once; beyond it the window says how many are hidden. */
export const MAX_SHOWN = 500;

export interface ShownNames {
  names: readonly string[];
  /** Names matching the filter (before the cap). */
  matching: number;
  /** Every metric seen. */
  total: number;
}

export function matchesFilter(name: string, words: string[]): boolean {
  const n = name.toLowerCase();
  return words.every((w) => n.includes(w));
}

export function useShownNames(): ShownNames {
  const version = usePreviewStore((s) => s.namesVersion);
  const filter = usePreviewStore((s) => s.filter);
  return useMemo(() => {
    void version; // the names array is read from the module; the version says when it changed
    const all = metricNames();
    const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
    const matching = words.length ? all.filter((n) => matchesFilter(n, words)) : all;
    return { names: matching.slice(0, MAX_SHOWN), matching: matching.length, total: all.length };
  }, [version, filter]);
}
