// The client benchmark's drain phase: 1,000,000 points buffered while the gateway is down, then
// up(): the time until the gateway counted them all.
import type { BatchPoint } from '../../src/main/plexus';
import type { GatewayProcess } from '../../test/support/gateway-process';
import { accepted, connectedClient, flushAll, waitForStatus, type RunScope } from './clients';
import { fixed, int, log, NAMES, now, sleep, valueFor, yieldLoop } from './helpers';

const DRAIN_POINTS = 1_000_000;
const DRAIN_CHUNK = 10_000;
export const DRAIN_RECONNECT = { baseMs: 100, capMs: 500 };

// ── 4. draining a 1,000,000-point backlog ──────────────────────────────────────────────────

export async function drain(scope: RunScope, gw: GatewayProcess, run: number): Promise<number> {
  const c = await connectedClient(scope, gw, `bench-drain-${run}`, { reconnect: DRAIN_RECONNECT });
  const via = { ws: 0, http: 0 };
  c.on('delivered', (d) => (via[d.via] += d.count));
  const before = await accepted(gw);
  await gw.down();
  await waitForStatus(c, (s) => s !== 'connected', 10_000, 'the client to notice the outage');

  const chunk: BatchPoint[] = Array.from({ length: DRAIN_CHUNK }, (_, i) => ({ metric: NAMES[i % 500]!, value: 0 }));
  const tb0 = now();
  for (let k = 0; k < DRAIN_POINTS;) {
    for (let i = 0; i < DRAIN_CHUNK; i++, k++) chunk[i]!.value = valueFor(k);
    c.sendBatch(chunk);
    await yieldLoop();
  }
  await c.persisted();
  const buffered = c.bufferSize();
  if (buffered !== DRAIN_POINTS) throw new Error(`bufferSize() is ${buffered} after the outage, not ${DRAIN_POINTS}`);
  const bufferSecs = (now() - tb0) / 1000;

  let connectedAt = 0;
  let connectedAs = '';
  c.on('status', (s) => {
    if (!connectedAt && (s.status === 'connected' || s.status === 'http-fallback')) {
      connectedAt = now();
      connectedAs = `${s.status} (${s.transport})`;
    }
  });
  const tUp = now();
  await gw.up();
  let clientEmptyAt = 0;
  const deadline = tUp + 60_000;
  for (;;) {
    const counted = (await accepted(gw)) - before;
    if (!clientEmptyAt && c.bufferSize() === 0) clientEmptyAt = now();
    if (counted >= DRAIN_POINTS) break;
    if (now() > deadline) throw new Error(`drain: the gateway counted ${counted} of ${DRAIN_POINTS} after 60 s`);
    await sleep(10);
  }
  const tDone = now();
  const secs = (tDone - tUp) / 1000;
  await flushAll(c, gw, 30_000, 'drain');
  if (!clientEmptyAt) clientEmptyAt = now();
  const st = c.stats();
  log(
    `  run ${run}: ${fixed(secs)} s from up() to 1,000,000 counted by the gateway  ` +
      `(reconnected ${connectedAt ? `after ${fixed((connectedAt - tUp) / 1000)} s as ${connectedAs}` : 'never (?)'}, ` +
      `then ${connectedAt ? fixed((tDone - connectedAt) / 1000) : '?'} s to drain; ` +
      `client buffer empty at +${fixed((clientEmptyAt - tUp) / 1000)} s; delivered via ws ${int(via.ws)}, ` +
      `http ${int(via.http)}; resent ${int(st.resent)}; buffering took ${fixed(bufferSecs)} s)`,
  );
  return secs;
}
