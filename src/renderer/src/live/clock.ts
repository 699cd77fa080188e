// The host's clock (SDK time, epoch ms) as seen from the window: anchored to each tick's `t` and
// advanced with performance.now(). In headless mode the browser may run on another machine whose
// clock differs from the host's, so Date.now() alone would skew elapsed times and countdowns.

let anchorT = 0;
let anchorPerf = 0;
let fallbackOffset = 0;

/** Remember the host time carried by a tick. */
export function noteHostTime(t: number): void {
  anchorT = t;
  anchorPerf = performance.now();
}

/** Before the first tick, use this machine's clock corrected by the host's reported offset. */
export function noteClockOffset(offsetMs: number): void {
  fallbackOffset = offsetMs;
}

/** Current host time, epoch ms. */
export function hostNow(): number {
  return anchorT ? anchorT + (performance.now() - anchorPerf) : Date.now() + fallbackOffset;
}
