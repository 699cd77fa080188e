// The demo sensor, as a plugin written only against the public API: a fresh install shows live
// values with no hardware. With `metrics` > 0 it is a load generator instead (the UI benchmark
// runs 500 metrics at 50,000 points/s through it).
import { definePlugin } from 'plexus-bench/plugin';

const STATES = ['IDLE', 'WARMUP', 'RUNNING', 'COOLDOWN'];

export default definePlugin({
  id: 'demo-signals',
  name: 'Demo signals',
  version: '1.0.0',
  config: {
    type: 'object',
    properties: {
      hz: { type: 'number', title: 'Rate', unit: 'Hz', default: 10, minimum: 0.1, maximum: 1000 },
      metrics: {
        type: 'integer',
        title: 'Load metrics',
        description: '0: the six demo signals; more: a load generator with this many metrics',
        default: 0,
        minimum: 0,
        maximum: 10000,
      },
      rate: { type: 'integer', title: 'Load rate', unit: 'points/s', default: 1000, minimum: 1, maximum: 1000000 },
    },
  },
  setup(ctx) {
    const { hz, metrics, rate } = ctx.config;
    if (metrics > 0) return loadGenerator(ctx, metrics, rate);
    ctx.describe('coolant_temp_c', { unit: '°C', label: 'Coolant temperature', min: 70, max: 95 });
    ctx.describe('engine_rpm', { unit: 'rpm', label: 'Engine speed', min: 0, max: 6000 });
    ctx.describe('pressure_kpa', { unit: 'kPa', label: 'Pressure' });
    ctx.describe('supply_v', { unit: 'V', label: 'Supply voltage', min: 11, max: 14 });
    ctx.describe('vibration_g', { unit: 'g', label: 'Vibration', min: 0 });
    let tick = 0;
    let state = 0;
    let drift = 0;
    const noise = (a: number): number => (Math.random() - 0.5) * a;
    const r2 = (x: number): number => Math.round(x * 100) / 100;
    const timer = setInterval(() => {
      const t = tick++ / hz; // seconds
      drift += noise(0.02);
      ctx.sendBatch({
        coolant_temp_c: r2(82 + 3 * Math.sin(t / 20) + noise(0.2)),
        engine_rpm: Math.round(3450 + 400 * Math.sin(t / 7) + noise(30)),
        pressure_kpa: r2(101.3 + drift + noise(0.1)),
        supply_v: r2((Math.floor(t / 30) % 2 === 0 ? 12.4 : 13.8) + noise(0.02)),
        vibration_g: r2(Math.abs(noise(0.8))),
      });
      if (tick % Math.max(1, Math.round(20 * hz)) === 1) {
        state = (state + 1) % STATES.length;
        ctx.send('state', STATES[state]!);
        ctx.status(`state ${STATES[state]}`);
      }
    }, 1000 / hz);
    return () => clearInterval(timer);
  },
});

/** `metrics` series named load.m000…, `rate` points per second in all, in 100 batches a second. */
function loadGenerator(
  ctx: { sendBatch(points: Array<{ metric: string; value: number }>): void; status(t: string): void },
  metrics: number,
  rate: number,
): () => void {
  const names = Array.from({ length: metrics }, (_, i) => `load.m${String(i).padStart(3, '0')}`);
  const start = performance.now();
  let sent = 0;
  let tick = 0;
  ctx.status(`load generator: ${metrics} metrics, ${rate.toLocaleString('en-US')} points/s`);
  const timer = setInterval(() => {
    // Catch up on elapsed time, not timer ticks: timers drift, the configured rate must not.
    const due = Math.floor(((performance.now() - start) / 1000) * rate) - sent;
    if (due <= 0) return;
    const t = tick++;
    const batch = new Array<{ metric: string; value: number }>(due);
    for (let i = 0; i < due; i++) {
      const k = (sent + i) % names.length;
      batch[i] = { metric: names[k]!, value: Math.round(1000 * Math.sin((t + k) / 50)) / 10 };
    }
    sent += due;
    ctx.sendBatch(batch);
  }, 10);
  return () => clearInterval(timer);
}
