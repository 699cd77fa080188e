// Units and labels per full metric name (from plugins' describe(), manifests and device forms),
// with the recorder's own units filling the gaps (live/units.ts). Changes rarely: it arrives with
// state snapshots only, and tiles read just their own metric's unit and label.
import { create } from 'zustand';
import type { MetricInfo } from '../../../shared/contract';
import { unitFor } from '../live/units';

export interface MetricInfoStore {
  /** Full metric name (e.g. "demo.coolant_temp_c") → how to show it. */
  metricInfo: Record<string, MetricInfo>;
}

export const useMetricInfoStore = create<MetricInfoStore>(() => ({ metricInfo: {} }));

/** One metric's unit, outside React (charts, readouts). */
export function metricUnit(name: string): string | undefined {
  return unitFor(name, useMetricInfoStore.getState().metricInfo[name]?.unit);
}

/** One metric's unit (or undefined): a string, so a new snapshot with the same unit re-renders nothing. */
export const useMetricUnit = (name: string): string | undefined =>
  useMetricInfoStore((s) => unitFor(name, s.metricInfo[name]?.unit));

/** One metric's friendly label, if its source gave one. */
export const useMetricLabel = (name: string): string | undefined =>
  useMetricInfoStore((s) => s.metricInfo[name]?.label || undefined);
