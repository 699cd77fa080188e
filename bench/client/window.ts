// The client benchmark's opt-in window phase (BENCH_PHASES=window): not the client but a bare
// WebSocket device with 1–4 full frames in flight, what pipelining would deliver at each round trip.
import WebSocket from 'ws';
import { GatewayProcess } from '../../test/support/gateway-process';
import type { RunScope } from './clients';
import { API_KEY, int, log, NAMES, now, valueFor } from './helpers';
import { FRAME_MAX_POINTS, RTTS } from './round-trips';

// ── 7. what more frames in flight would give (opt-in: BENCH_PHASES=window) ─────────────────

export interface WindowResult {
  rttMs: number;
  window: number;
  /** Steady-state accepted points/s. */
  rate: number;
  /** Telemetry messages the gateway dropped for spacing (silently) or refused. */
  dropped: number;
}

const WINDOW_FRAMES = 30;

/**
 * Not the client: a bare WebSocket device sending full frames, each followed by its own ping,
 * with up to `window` frames unanswered (1 = the client's stop-and-wait, with its 1 ms gap). It
 * shows what pipelining would deliver against the same gateway and round trip, and whether the
 * gateway's 0.5 ms spacing rule drops frames that arrive back to back (it checks after parsing
 * and validating each, so full frames are far apart at the check).
 */
async function windowRun(gw: GatewayProcess, rttMs: number, window: number): Promise<WindowResult> {
  const frames = Array.from({ length: 4 }, (_, k) => {
    const pts: string[] = [];
    const ts = Date.now();
    for (let i = 0; i < FRAME_MAX_POINTS; i++)
      pts.push(`{"metric":"${NAMES[i % 500]!}","value":${valueFor(k * 7 + i)},"timestamp":${ts + i},"class":"metric"}`);
    return Buffer.from(`{"type":"telemetry","points":[${pts.join(',')}]}`);
  });
  const ws = new WebSocket(gw.wsUrl, { perMessageDeflate: false });
  try {
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const auth = { type: 'device_auth', api_key: API_KEY, source_id: `bench-win-${rttMs}-${window}` };
    ws.send(
      JSON.stringify({
        ...auth,
        platform: 'bench',
        agent_version: '0',
        install_id: 'bench',
        commands: [],
        cameras: [],
      }),
    );
    await new Promise((r) => ws.once('message', r));
    const before = (await gw.stats()).counters;
    let sent = 0;
    let answered = 0;
    let tFirst = 0;
    const tLast = await new Promise<number>((resolve) => {
      const pump = (): void => {
        for (; sent < WINDOW_FRAMES && sent - answered < window; sent++) {
          ws.send(frames[sent % frames.length]!, { binary: false });
          const id = Buffer.alloc(4);
          id.writeUInt32BE(sent);
          ws.ping(id);
        }
      };
      ws.on('pong', () => {
        answered++;
        if (answered === 1) tFirst = now();
        if (answered === WINDOW_FRAMES) resolve(now());
        else if (window === 1) setTimeout(pump, 1);
        else pump();
      });
      pump();
    });
    const after = (await gw.stats()).counters;
    const dropped =
      Object.values(after.dropped).reduce((a, b) => a + b, 0) -
      Object.values(before.dropped).reduce((a, b) => a + b, 0);
    const accepted = after.acceptedPoints - before.acceptedPoints;
    if (accepted + dropped * FRAME_MAX_POINTS < WINDOW_FRAMES * FRAME_MAX_POINTS)
      throw new Error(`the gateway accounted for ${accepted} points and ${dropped} dropped frames`);
    return { rttMs, window, rate: ((WINDOW_FRAMES - 1) * FRAME_MAX_POINTS) / ((tLast - tFirst) / 1000), dropped };
  } finally {
    ws.close();
  }
}

export async function windows(_scope: RunScope, _gw: GatewayProcess, run: number): Promise<WindowResult[]> {
  const out: WindowResult[] = [];
  for (const rtt of RTTS.filter((r) => r > 0)) {
    const gw = await GatewayProcess.start({ record: 'count', receipts: false, latencyMs: rtt / 2 });
    try {
      for (const w of [1, 2, 3, 4]) out.push(await windowRun(gw, rtt, w));
    } finally {
      await gw.stop();
    }
    const rs = out.filter((r) => r.rttMs === rtt);
    log(
      `  run ${run}, RTT ${rtt} ms (ceiling ${int((FRAME_MAX_POINTS / rtt) * 1000)}): ` +
        rs
          .map((r) => `${r.window} in flight ${int(r.rate)}/s${r.dropped ? ` (${r.dropped} dropped!)` : ''}`)
          .join(', '),
    );
  }
  return out;
}
