// What the review chart draws, from what `run.open` answered: the lines of the chosen metrics,
// the run's whole time range, and its markers and events in the live chart's event form (so
// chartEvents.ts draws and labels them the same way).
import type { PreviewEvent, RunDetail, RunMetricView, RunMomentView } from '../../../shared/contract';
import { decimalsNeeded } from '../live/decimals';
import { readableText } from '../live/formatValue';
import type { ReviewLine } from './reviewChart';
import type { Range } from './reviewRange';

/**
 * Decimals for a metric's readout: enough to tell its values apart over its range (at most 6),
 * but no more than its lowest and highest values carry — a sensor that reports 12.39 is not shown
 * as 12.39000 — nor fewer than 2 on a narrow range, whose values between may carry more.
 */
export function decimalsFor(m: Pick<RunMetricView, 'min' | 'max'>): number {
  const span = Math.abs(m.max - m.min);
  const scale = span > 0 ? span : Math.abs(m.max);
  if (!Number.isFinite(scale) || scale === 0) return 0;
  const bySpan = Math.max(0, Math.min(6, 3 - Math.floor(Math.log10(scale))));
  const carried = Math.max(decimalsNeeded(m.min), decimalsNeeded(m.max), span >= 10 ? 0 : 2);
  return Math.min(bySpan, carried);
}

/** The run's whole range; an empty run still gets a second, so the chart has an x axis. */
export function fullRange(d: Pick<RunDetail, 'startedAt' | 'endedAt'>, offset = 0): Range {
  const end = d.endedAt > d.startedAt ? d.endedAt : d.startedAt + 1000;
  return [d.startedAt - offset, end - offset];
}

/** A moment's words: a marker's note ('' for none, as a marker without one is kept as `{}`), an event's text. */
export function momentText(m: Pick<RunMomentView, 'text'>): string {
  const t = m.text.trim();
  if (t === '' || t === '{}') return '';
  const words = readableText(t);
  return words === '—' ? '' : words;
}

/** The run's markers and events as the chart's labelled lines, at their time minus `offset`. */
export function momentEvents(
  moments: readonly RunMomentView[],
  runId: string,
  offset = 0,
  only?: 'marker',
): PreviewEvent[] {
  return moments
    .filter((m) => !only || m.kind === only)
    .map((m) => ({
      metric: m.kind === 'marker' ? 'marker' : m.name,
      value: momentText(m),
      t: m.t - offset,
      runId,
    }));
}

/** One line per chosen metric of a run, in the order they are listed. */
export function runLines(d: RunDetail, chosen: readonly string[]): ReviewLine[] {
  return d.metrics
    .filter((m) => chosen.includes(m.metric))
    .map((m) => ({
      runId: d.runId,
      metric: m.metric,
      unit: m.unit,
      label: m.metric,
      offset: 0,
      decimals: decimalsFor(m),
    }));
}
