// The client benchmark's throughput phases: sustained send() calls/s while connected (send), and
// 1,000,000 points sent while connected until flush() reports them delivered (deliver).
import type { GatewayProcess } from '../../test/support/gateway-process';
import { accepted, connectedClient, flushAll, settle, type RunScope } from './clients';
import { fixed, int, log, NAMES, now, valueFor, yieldLoop } from './helpers';

export const SEND_MS = 3_000;
export const YIELD_EVERY = 2_000; // send() calls between two setImmediate yields
const DELIVER_POINTS = 1_000_000;

// ── 1. sustained send() rate ───────────────────────────────────────────────────────────────

export async function sendRate(scope: RunScope, gw: GatewayProcess, run: number): Promise<number> {
  const c = await connectedClient(scope, gw, `bench-send-${run}`);
  const before = await accepted(gw);
  let k = 0;
  const t0 = now();
  const end = t0 + SEND_MS;
  while (now() < end) {
    for (let i = 0; i < YIELD_EVERY; i++, k++) c.send(NAMES[k % 500]!, valueFor(k));
    await yieldLoop();
  }
  await c.persisted();
  const elapsed = (now() - t0) / 1000;
  const rate = k / elapsed;
  const deliveredInWindow = c.stats().delivered;
  const t1 = now();
  const note = await settle(c, gw, k, before);
  log(
    `  run ${run}: ${int(rate)} send()/s  (${int(k)} calls in ${fixed(elapsed)} s; ` +
      `${int(deliveredInWindow)} delivered within the window, the rest ${fixed((now() - t1) / 1000)} s later; ${note})`,
  );
  return rate;
}

// ── 2. delivered points/s ──────────────────────────────────────────────────────────────────

export async function deliveredRate(scope: RunScope, gw: GatewayProcess, run: number): Promise<number> {
  const c = await connectedClient(scope, gw, `bench-deliver-${run}`);
  const before = await accepted(gw);
  let k = 0;
  const t0 = now();
  while (k < DELIVER_POINTS) {
    const n = Math.min(YIELD_EVERY, DELIVER_POINTS - k);
    for (let i = 0; i < n; i++, k++) c.send(NAMES[k % 500]!, valueFor(k));
    await yieldLoop();
  }
  const tSent = now();
  await flushAll(c, gw, 120_000, 'deliver');
  const t1 = now();
  const got = (await accepted(gw)) - before;
  if (got < DELIVER_POINTS) throw new Error(`the gateway counted ${got} of ${DELIVER_POINTS} points`);
  const secs = (t1 - t0) / 1000;
  const rate = DELIVER_POINTS / secs;
  const st = c.stats();
  log(
    `  run ${run}: ${int(rate)} delivered points/s  (1,000,000 points in ${fixed(secs)} s: sending took ` +
      `${fixed((tSent - t0) / 1000)} s, flush() ${fixed((t1 - tSent) / 1000)} s more; gateway counted ${int(got)}, ` +
      `resent ${int(st.resent)})`,
  );
  return rate;
}
