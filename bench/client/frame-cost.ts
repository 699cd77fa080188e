// The client benchmark's framecost phase: the CPU one full frame costs the test gateway (parse,
// validate, count) and the WebSocket (both ends): what bounds delivery when the round trip is short.
import WebSocket, { WebSocketServer } from 'ws';
import type { GatewayProcess } from '../../test/support/gateway-process';
import { Recorder } from '../../test/support/gateway-records';
import { inferPointClasses, parseGoJson, validateMessage, type Obj } from '../../test/support/gateway-validate';
import type { RunScope } from './clients';
import { fixed, int, log, NAMES, valueFor } from './helpers';
import { FRAME_MAX_POINTS } from './round-trips';

// ── 6. the CPU a full frame costs, whatever the machine's load ─────────────────────────────

export interface FrameCost {
  /** The test gateway's work on one full frame: JSON parse, validation, accounting (CPU ms). */
  gatewayMs: number;
  /** ws on both ends (mask, write, read, unmask, the ping back), one process (CPU ms). */
  wsMs: number;
}

/** CPU time per call of fn (user + system), after a warm-up: unlike wall time, not inflated by load. */
function cpuMsPer(fn: () => void, reps: number): number {
  for (let i = 0; i < 5; i++) fn();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / reps;
}

/**
 * With frames in flight the round trip is hidden, and what is left is CPU: each frame's parse and
 * checks in the gateway, and its masking, writing and reading on both ends. This prices those parts
 * in CPU time, so the RTT figures can be read against an idle machine: a full frame as the client
 * builds it (same metric names, values, timestamps), the gateway's processing of it, and the
 * WebSocket transport of it (masking is native when the optional bufferutil module is installed).
 */
export async function frameCost(_scope: RunScope, _gw: GatewayProcess, run: number): Promise<FrameCost> {
  const ts = Date.now();
  const pts: string[] = [];
  for (let i = 0; i < FRAME_MAX_POINTS; i++)
    pts.push(`{"metric":"${NAMES[i % 500]!}","value":${valueFor(i)},"timestamp":${ts + i},"class":"metric"}`);
  const frame = Buffer.from(`{"type":"telemetry","points":[${pts.join(',')}]}`);
  const rec = new Recorder('count', new Set(), true, undefined);
  const gatewayMs = cpuMsPer(() => {
    const parsed = parseGoJson(frame.toString('utf8'));
    if (!parsed.ok) throw new Error('frame is not JSON');
    const msg = parsed.value as Obj;
    inferPointClasses(msg['points']);
    const v = validateMessage(msg, FRAME_MAX_POINTS);
    if (v.error !== undefined) throw new Error(`frame refused: ${v.error}`);
    rec.acceptPoints('ws', 'dev', 'bench', msg['points'] as Obj[]);
  }, 20);

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 2 << 20 });
  try {
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (s) => s.on('message', () => s.ping()));
    const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, {
      perMessageDeflate: false,
    });
    await new Promise((r) => ws.once('open', r));
    const once = (): Promise<void> =>
      new Promise((r) => {
        ws.once('ping', () => r());
        ws.send(frame);
      });
    for (let i = 0; i < 3; i++) await once();
    const reps = 20;
    const c0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) await once();
    const c = process.cpuUsage(c0);
    ws.close();
    const r = { gatewayMs, wsMs: (c.user + c.system) / 1000 / reps };
    log(
      `  run ${run}: a full frame (${int(FRAME_MAX_POINTS)} points, ${int(frame.length)} bytes) costs the test gateway ` +
        `${fixed(r.gatewayMs)} ms of CPU (parse, validate, count) and the WebSocket ${fixed(r.wsMs)} ms (both ends)`,
    );
    return r;
  } finally {
    wss.close();
  }
}
