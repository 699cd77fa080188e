// Always-on counters for the UI benchmark and the end-to-end tests. Plain integer increments, so
// they cost nothing measurable; each is incremented at the one place where the thing happens.

export interface BenchPerf {
  /** Animation frames in which the draw loop put new live data on screen (live/frameLoop.ts). */
  frames: number;
  /** `tick` events received from the host (sync.ts). */
  ticks: number;
  /** All events received from the host: state, tick, command (sync.ts). */
  messages: number;
  /** Chart redraws, all open charts together (charts/liveChart.ts). */
  chartDraws: number;
}

export const benchPerf: BenchPerf = { frames: 0, ticks: 0, messages: 0, chartDraws: 0 };

if (typeof window !== 'undefined') window.__benchPerf = benchPerf;
