// The client benchmark's latency phase: send() → gateway receipt at 10,000 points/s for 8 s; `lat`
// points carry their send() time as the value and the gateway stamps receivedAt with the same clock.
import type { GatewayProcess } from '../../test/support/gateway-process';
import { accepted, connectedClient, settle, type RunScope } from './clients';
import { fixed, int, log, now, percentile, valueFor, wallNow } from './helpers';

export const LAT_MS = 8_000;
export const LAT_POINTS_PER_MS = 10; // one `lat` point and 9 filler points every millisecond = 10,000 points/s
export const FILLER = Array.from({ length: LAT_POINTS_PER_MS - 1 }, (_, i) => `fill${i}`);

// ── 3. latency at 10,000 points/s ──────────────────────────────────────────────────────────

export interface LatencyResult {
  p50: number;
  p99: number;
}

export async function latency(scope: RunScope, gw: GatewayProcess, run: number): Promise<LatencyResult> {
  const sourceId = `bench-lat-${run}`;
  const c = await connectedClient(scope, gw, sourceId);
  const before = await accepted(gw);
  const fromIdx = (await gw.stats()).points; // `lat` points recorded so far (sampleMetrics)
  let ticks = 0;
  let maxBurst = 0;
  let k = 0;
  const t0 = now();
  await new Promise<void>((resolve, reject) => {
    const tick = (): void => {
      try {
        // Catch up on every millisecond that has passed, so timer lateness never lowers the rate.
        const due = Math.min(LAT_MS, Math.floor(now() - t0));
        maxBurst = Math.max(maxBurst, due - ticks);
        for (; ticks < due; ticks++) {
          c.send('lat', wallNow());
          for (let j = 0; j < FILLER.length; j++, k++) c.send(FILLER[j]!, valueFor(k));
        }
        if (ticks >= LAT_MS) resolve();
        else setTimeout(tick, 1);
      } catch (e) {
        reject(e);
      }
    };
    setTimeout(tick, 1);
  });
  const elapsed = (now() - t0) / 1000;
  const note = await settle(c, gw, ticks * LAT_POINTS_PER_MS, before);
  await gw.waitFor((s) => s.points >= fromIdx + ticks, 10_000, 'every lat point');
  const pts = (await gw.pointsSince(fromIdx)).filter((p) => p.metric === 'lat' && p.sourceId === sourceId);
  const lat = new Float64Array(pts.length);
  for (let i = 0; i < pts.length; i++) lat[i] = pts[i]!.receivedAt - (pts[i]!.value as number);
  lat.sort();
  if (pts.length < ticks) throw new Error(`the gateway recorded ${pts.length} of ${ticks} lat points`);
  const r = { p50: percentile(lat, 50), p99: percentile(lat, 99) };
  log(
    `  run ${run}: p50 ${fixed(r.p50)} ms, p99 ${fixed(r.p99)} ms, p99.9 ${fixed(percentile(lat, 99.9))} ms, ` +
      `max ${fixed(lat[lat.length - 1]!)} ms, min ${fixed(lat[0]!)} ms  (${int(pts.length)} lat points; ` +
      `${int((ticks * LAT_POINTS_PER_MS) / elapsed)} points/s paced over ${fixed(elapsed)} s, ` +
      `largest catch-up ${maxBurst} ms; ${note})`,
  );
  return r;
}
