/** Resolve after `ms` milliseconds (a timer, so it never blocks the event loop). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
