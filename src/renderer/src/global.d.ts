// Globals the window may find: the preload's bridge (absent in headless mode, where bridge.ts
// builds the same API over a WebSocket) and the always-on counters for the UI benchmark.
import type { BenchApi } from '../../shared/contract';
import type { BenchPerf } from './perf';

declare global {
  interface Window {
    /** Exposed by the preload in Electron; undefined when the window is served by the headless host. */
    bench?: BenchApi;
    /** Cheap counters read by the UI benchmark and end-to-end tests. */
    __benchPerf?: BenchPerf;
  }
}

export {};
