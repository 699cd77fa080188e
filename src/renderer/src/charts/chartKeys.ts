// The keys a focused chart answers, the same on the live charts and in the run review:
// ← → pan, + (or =) and − zoom, 0 or Home back to the whole range. Modified keys are left to the
// window (shortcuts), and keys pressed inside the chart's own controls are left to them.
import type React from 'react';

/** How far one arrow key or pan button moves a chart: a fifth of what it shows. */
export const PAN_STEP = 0.2;

export interface KeyedChart {
  pan(fraction: number): void;
  zoom(factor: number): void;
  reset(): void;
}

/** Answers a key pressed on the plot element; `extra` adds a view's own keys (space pauses live). */
export function handleChartKey(
  e: React.KeyboardEvent,
  plot: HTMLElement | null,
  c: KeyedChart | null,
  extra: Record<string, () => void> = {},
): void {
  if (!c || e.target !== plot || e.ctrlKey || e.metaKey || e.altKey) return;
  const act: Record<string, () => void> = {
    ArrowLeft: () => c.pan(-PAN_STEP),
    ArrowRight: () => c.pan(PAN_STEP),
    '+': () => c.zoom(0.5),
    '=': () => c.zoom(0.5),
    '-': () => c.zoom(2),
    '0': () => c.reset(),
    Home: () => c.reset(),
    ...extra,
  };
  const f = act[e.key];
  if (f) {
    e.preventDefault();
    e.stopPropagation();
    f();
  }
}
