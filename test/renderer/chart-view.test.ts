// A chart's time range and what it may overlay (src/renderer/src/charts/chartView.ts,
// chartsStore.ts): follow the live edge, zoom to a selection, pan within the data kept, zoom by a
// factor; at most 8 metrics and two units per chart.
import { describe, expect, it } from 'vitest';
import {
  FULL_SPAN_MS,
  LIVE_VIEW,
  MIN_SPAN_MS,
  isZoomed,
  pan,
  rangeOf,
  zoomBy,
  zoomTo,
} from '../../src/renderer/src/charts/chartView';
import { MAX_SERIES, addProblem, unitsOf } from '../../src/renderer/src/charts/chartsStore';

const END = 1_000_000;
const START = END - FULL_SPAN_MS;

describe('chart view', () => {
  it('follows the live edge until zoomed', () => {
    expect(rangeOf(LIVE_VIEW, END)).toEqual([START, END]);
    expect(rangeOf(LIVE_VIEW, END + 50)).toEqual([START + 50, END + 50]);
    expect(isZoomed(LIVE_VIEW)).toBe(false);
  });

  it('zooms to a dragged selection in either direction; a tiny one widens to MIN_SPAN_MS', () => {
    expect(zoomTo(END - 10_000, END - 20_000)).toEqual({ follow: false, min: END - 20_000, max: END - 10_000 });
    const tiny = zoomTo(END - 1000, END - 1000 + 10);
    expect(rangeOf(tiny, END)[1] - rangeOf(tiny, END)[0]).toBe(MIN_SPAN_MS);
    expect(isZoomed(tiny)).toBe(true);
  });

  it('pans back in steps, stops at the oldest data kept, and follows again at the live edge', () => {
    const z = zoomTo(END - 20_000, END - 10_000);
    const back = pan(z, END, START, -0.5);
    expect(rangeOf(back, END)).toEqual([END - 25_000, END - 15_000]);
    const far = pan(back, END, START, -10);
    expect(rangeOf(far, END)).toEqual([START, START + 10_000]); // clamped, span kept
    const forward = pan(z, END, START, 1.5);
    expect(forward).toEqual({ follow: true, span: 10_000 });
    // Panning the live view back fixes it.
    expect(pan(LIVE_VIEW, END, START, -0.1).follow).toBe(false);
  });

  it('zooms by a factor around the middle, within [MIN_SPAN_MS, FULL_SPAN_MS]', () => {
    expect(zoomBy(LIVE_VIEW, END, 0.5)).toEqual({ follow: true, span: 30_000 });
    expect(zoomBy(LIVE_VIEW, END, 4)).toEqual(LIVE_VIEW);
    const z = zoomBy(zoomTo(END - 20_000, END - 10_000), END, 0.5);
    expect(rangeOf(z, END)).toEqual([END - 17_500, END - 12_500]);
    expect(rangeOf(zoomBy(z, END, 1e-6), END)[1] - rangeOf(zoomBy(z, END, 1e-6), END)[0]).toBe(MIN_SPAN_MS);
  });
});

describe('what a chart may overlay', () => {
  const units: Record<string, string> = { rpm: 'rpm', rpm2: 'rpm', temp: '°C', volts: 'V' };
  const unitOf = (m: string): string | undefined => units[m];

  it('lists units in order of first appearance, "" for none', () => {
    expect(unitsOf(['rpm', 'temp', 'rpm2', 'count'], unitOf)).toEqual(['rpm', '°C', '']);
  });

  it('takes a second unit, refuses a third, a duplicate, and a ninth metric — saying why', () => {
    expect(addProblem(['rpm'], 'temp', unitOf)).toBeNull();
    expect(addProblem(['rpm', 'temp'], 'rpm2', unitOf)).toBeNull();
    expect(addProblem(['rpm', 'temp'], 'volts', unitOf)).toMatch(/two units at most.*V values/);
    expect(addProblem(['rpm'], 'rpm', unitOf)).toMatch(/already in this chart/);
    const eight = Array.from({ length: MAX_SERIES }, (_, i) => `rpm${i}`);
    expect(addProblem(eight, 'rpm', () => 'rpm')).toMatch(/at most 8 metrics/);
  });
});
