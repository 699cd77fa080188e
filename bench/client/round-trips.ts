// The client benchmark's round-trip phases (rtt0, rtt20, …): the gateway delays each direction by
// half the round trip; a backlog buffered before the client has a key is delivered once the key is
// set, and the steady-state rate is set against the ceiling of stop-and-wait delivery.
// Importing this module wraps ws's send() (see frameWrites): the entry imports it in every process.
import WebSocket from 'ws';
import type { BatchPoint } from '../../src/main/plexus';
import type { GatewayProcess } from '../../test/support/gateway-process';
import { flushAll, type RunScope } from './clients';
import { API_KEY, fixed, int, log, median, NAMES, valueFor, wallNow, yieldLoop } from './helpers';

/** Round trips of the RTT phases (ms); 0 is the loopback baseline (no ceiling). */
export const RTTS = [0, 20, 50, 100] as const;
/** Points buffered before the RTT phases connect: 40 full frames. */
export const RTT_BACKLOG = 400_000;
const RTT_CHUNK = 10_000;

// ── 5. delivery of a backlog over a round trip ─────────────────────────────────────────────

/**
 * When each telemetry frame was written to the socket (wall clock, as the gateway child stamps),
 * recorded by wrapping ws's send() in this process: the client sends frames as Buffers, control
 * messages as strings. Only the RTT phase turns it on.
 */
const frameWrites = { on: false, at: [] as number[], bytes: [] as number[] };
{
  const proto = WebSocket.prototype as unknown as { send: (data: unknown, ...rest: unknown[]) => void };
  const send = proto.send;
  proto.send = function (this: unknown, data: unknown, ...rest: unknown[]): void {
    if (frameWrites.on && Buffer.isBuffer(data)) {
      frameWrites.at.push(wallNow());
      frameWrites.bytes.push(data.length);
    }
    send.call(this, data, ...rest);
  };
}

export interface RttResult {
  rttMs: number;
  /** Steady-state delivered points/s: first confirmed frame → last. */
  delivered: number;
  /** Points per full frame ÷ RTT (Infinity at RTT 0). */
  ceiling: number;
  framePoints: number;
  frames: number;
  /** Medians over frames 2…n, ms: confirm → confirm, and each frame's way (see rttRun). */
  cycleMs: number;
  upMs: number;
  downMs: number;
  /** Median count of frames written and not yet confirmed when a frame is written (this one included). */
  inFlight: number;
}

/** Points per full frame: the protocol's 10,000, or fewer when that many points pass ~1 MiB. */
export const FRAME_MAX_POINTS = 10_000;
export const FRAME_MAX_BYTES = 1_048_576 - '{"type":"telemetry","points":[]}'.length - 1024;

export async function rttRun(scope: RunScope, gw: GatewayProcess, run: number, rttMs: number): Promise<RttResult> {
  const oneWay = rttMs / 2;
  // No key yet: the backlog is buffered before any connection exists, as after a night offline.
  const c = scope.client(`bench-rtt${rttMs}-${run}`, { apiKey: null });
  const chunk: BatchPoint[] = Array.from({ length: RTT_CHUNK }, (_, i) => ({ metric: NAMES[i % 500]!, value: 0 }));
  for (let k = 0; k < RTT_BACKLOG;) {
    for (let i = 0; i < RTT_CHUNK; i++, k++) chunk[i]!.value = valueFor(k);
    // Explicit timestamps: nothing to move onto gateway time at the first sync.
    c.sendBatch(chunk, { timestamp: Date.now() });
    await yieldLoop();
  }
  await c.persisted();
  if (c.bufferSize() !== RTT_BACKLOG) throw new Error(`bufferSize() is ${c.bufferSize()}, not ${RTT_BACKLOG}`);

  const confirms: Array<{ at: number; count: number }> = [];
  let viaHttp = 0;
  c.on('delivered', (d) => {
    if (d.via === 'ws') confirms.push({ at: wallNow(), count: d.count });
    else viaHttp += d.count;
  });
  const fromReceipt = (await gw.stats()).receipts;
  frameWrites.at = [];
  frameWrites.bytes = [];
  frameWrites.on = true;
  const tKey = wallNow();
  try {
    c.setApiKey(API_KEY);
    await flushAll(c, gw, 120_000, `rtt ${rttMs} ms`);
  } finally {
    frameWrites.on = false;
  }
  const tDone = wallNow();
  if (viaHttp > 0) throw new Error(`${viaHttp} points went over HTTP: not a WebSocket measurement`);
  const total = confirms.reduce((n, x) => n + x.count, 0);
  if (total < RTT_BACKLOG) throw new Error(`${total} of ${RTT_BACKLOG} points confirmed over the WebSocket`);
  if (confirms.length < 3) throw new Error(`only ${confirms.length} frames`);

  // Gateway side: every point of one frame has the same receivedAt (stamped once per message).
  const rc = await gw.receiptsSince(fromReceipt, RTT_BACKLOG + 1);
  const accepts: number[] = [];
  for (let i = 0; i < rc.receivedAt.length; i++) {
    const t = rc.receivedAt[i]!;
    if (accepts.length === 0 || t !== accepts[accepts.length - 1]) accepts.push(t);
  }

  const first = confirms[0]!;
  const last = confirms[confirms.length - 1]!;
  const steadyPoints = total - first.count;
  const delivered = (steadyPoints / (last.at - first.at)) * 1000;
  const maxCount = Math.max(...confirms.map((x) => x.count));
  const bytesPerPoint = frameWrites.bytes.length
    ? frameWrites.bytes.reduce((a, b) => a + b, 0) / total
    : FRAME_MAX_BYTES / FRAME_MAX_POINTS;
  const framePoints = Math.min(FRAME_MAX_POINTS, Math.floor(FRAME_MAX_BYTES / bytesPerPoint));
  const ceiling = rttMs > 0 ? (framePoints / rttMs) * 1000 : Infinity;
  const full = confirms.filter((x) => x.count >= framePoints).length;

  // Where the time goes (frames 2…n; the lists line up only when every frame went once):
  //   cycle     confirm of frame i−1 → confirm of frame i
  //   up        frame i written → the gateway accepted it, minus the one-way delay (transfer, parse, validate)
  //   down      accepted → the client saw the confirmation, minus the one-way delay (the pong's way back)
  //   in flight frames written and not yet confirmed when frame i was written, frame i included
  const cyc: number[] = [];
  const up: number[] = [];
  const down: number[] = [];
  const inFlight: number[] = [];
  const aligned = frameWrites.at.length === confirms.length && accepts.length === confirms.length;
  for (let i = 1; i < confirms.length; i++) {
    cyc.push(confirms[i]!.at - confirms[i - 1]!.at);
    if (!aligned) continue;
    up.push(accepts[i]! - frameWrites.at[i]! - oneWay);
    down.push(confirms[i]!.at - accepts[i]! - oneWay);
    let open = 1;
    for (let j = 0; j < i; j++) if (confirms[j]!.at > frameWrites.at[i]!) open++;
    inFlight.push(open);
  }
  const r: RttResult = {
    rttMs,
    delivered,
    ceiling,
    framePoints,
    frames: confirms.length,
    cycleMs: median(cyc),
    upMs: aligned ? median(up) : NaN,
    downMs: aligned ? median(down) : NaN,
    inFlight: aligned ? median(inFlight) : NaN,
  };
  log(
    `  run ${run}: ${int(delivered)} points/s delivered in the steady state` +
      (rttMs > 0 ? ` = ${fixed((100 * delivered) / ceiling, 1)} % of the ceiling ${int(ceiling)}` : '') +
      `  (${confirms.length} frames, ${full} full = ${maxCount} points, ${fixed(bytesPerPoint, 1)} bytes/point; ` +
      `a frame confirmed every ${fixed(r.cycleMs)} ms, ${fixed(r.inFlight, 0)} in flight; each frame RTT ${rttMs} + ` +
      `up ${fixed(r.upMs)} + down ${fixed(r.downMs)} ms; key set → all confirmed ${fixed((tDone - tKey) / 1000)} s` +
      `${aligned ? '' : `; frames written ${frameWrites.at.length}, accepted ${accepts.length}: not aligned`})`,
  );
  return r;
}
