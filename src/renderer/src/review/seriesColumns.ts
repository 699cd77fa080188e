// uPlot's columns from `run.series` answers: one shared time column (the union of every line's
// times, sorted) and, per line, its high and low value at its own rows (undefined elsewhere, so
// uPlot's hover skips to the line's nearest row). A `minmax` answer gives a column's range; a
// `raw` one gives lo === hi. Times are shifted by each line's offset (compare: time since the
// run's start or since a marker).
import type { RunSeriesView } from '../../../shared/contract';
import { GAP_MS } from '../charts/chartData';

export type Cell = number | undefined;

export interface ReviewColumns {
  x: number[];
  hi: Cell[][];
  lo: Cell[][];
  /** Per line: a jump longer than this between two of its rows is drawn as a gap. */
  gapMs: number[];
  /** Points the answers cover (decimated or not), and rows drawn. */
  points: number;
  entries: number;
  /** 'raw', 'minmax', or 'mixed' when the lines differ. */
  kind: string;
}

export function emptyReviewColumns(lines: number): ReviewColumns {
  return {
    x: [],
    hi: Array.from({ length: lines }, () => []),
    lo: Array.from({ length: lines }, () => []),
    gapMs: new Array<number>(lines).fill(GAP_MS),
    points: 0,
    entries: 0,
    kind: 'raw',
  };
}

/**
 * How long a pause breaks a line: longer than the live chart's gap, than a couple of pixel
 * columns (a decimated answer skips empty columns), and than a few of the line's usual steps (a
 * sensor read every 10 s is one line, not dots).
 */
export function gapFor(t: readonly number[], columnMs: number): number {
  if (t.length < 3) return Infinity;
  const steps: number[] = [];
  for (let i = 1; i < t.length; i++) steps.push(t[i]! - t[i - 1]!);
  steps.sort((a, b) => a - b);
  const median = steps[Math.floor(steps.length / 2)]!;
  return Math.max(GAP_MS, columnMs * 2.5, median * 5);
}

/** One line's answer and what to subtract from its times. */
export interface LineAnswer {
  view: RunSeriesView | undefined;
  offset: number;
}

export function mergeSeries(answers: readonly LineAnswer[], columnMs: number): ReviewColumns {
  const out = emptyReviewColumns(answers.length);
  const kinds = new Set<string>();
  const at = new Array<number>(answers.length).fill(0);
  answers.forEach((a, i) => {
    if (!a.view) return;
    kinds.add(a.view.kind);
    out.points += a.view.points;
    out.entries += a.view.t.length;
    out.gapMs[i] = gapFor(a.view.t, columnMs);
  });
  out.kind = kinds.size === 1 ? [...kinds][0]! : kinds.size === 0 ? 'raw' : 'mixed';
  // k-way merge on time: each step takes the smallest next time among the lines.
  for (;;) {
    let tMin = Infinity;
    answers.forEach((a, i) => {
      const v = a.view;
      if (v && at[i]! < v.t.length) tMin = Math.min(tMin, v.t[at[i]!]! - a.offset);
    });
    if (tMin === Infinity) break;
    out.x.push(tMin);
    answers.forEach((a, i) => {
      const v = a.view;
      const j = at[i]!;
      if (v && j < v.t.length && v.t[j]! - a.offset === tMin) {
        out.hi[i]!.push(v.hi[j]);
        out.lo[i]!.push(v.lo[j]);
        // Two entries of one line at the same time: the next row takes the second.
        at[i] = j + 1;
      } else {
        out.hi[i]!.push(undefined);
        out.lo[i]!.push(undefined);
      }
    });
  }
  return out;
}

/** The lowest low and highest high of the lines `which` over rows with x in [from, to]. */
export function extentOf(
  c: ReviewColumns,
  which: readonly number[],
  from: number,
  to: number,
): [number, number] | null {
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < c.x.length; r++) {
    const x = c.x[r]!;
    if (x < from || x > to) continue;
    for (const i of which) {
      const h = c.hi[i]![r];
      const l = c.lo[i]![r];
      if (h !== undefined && Number.isFinite(h)) max = Math.max(max, h);
      if (l !== undefined && Number.isFinite(l)) min = Math.min(min, l);
    }
  }
  return min <= max ? [min, max] : null;
}
