// The built-in demo sensor, so a fresh install shows live values with no hardware: a coolant
// temperature, an engine speed, a pressure, a supply voltage, vibration, and a state that changes
// now and then. With `metrics`/`rate` set it becomes a load generator (the UI benchmark uses it).

import type { RecordingSink } from './recording-sink';

export interface DemoOptions {
  /** Metrics in load mode (default: the six realistic ones at 10 Hz). */
  metrics?: number;
  /** Total points per second in load mode. */
  rate?: number;
  prefix?: string;
}

const STATES = ['IDLE', 'WARMUP', 'RUNNING', 'COOLDOWN'];

export class DemoSensor {
  private timer: ReturnType<typeof setInterval> | null = null;
  private tick = 0;
  private state = 0;
  private readonly names: string[];

  constructor(
    private readonly sink: RecordingSink,
    private readonly opts: DemoOptions = {},
  ) {
    const prefix = opts.prefix ?? 'demo';
    this.names = opts.metrics
      ? Array.from({ length: opts.metrics }, (_, i) => `${prefix}.load.m${String(i).padStart(3, '0')}`)
      : [];
  }

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    const every = 10; // ms: load mode spreads its rate over 100 batches a second
    this.timer = setInterval(
      () => (this.opts.metrics ? this.load() : this.realistic()),
      this.opts.metrics ? every : 100,
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.loadStart = 0;
    this.loadSent = 0;
  }

  private realistic(): void {
    const t = this.tick++ / 10; // seconds
    const p = this.opts.prefix ?? 'demo';
    const noise = (a: number): number => (Math.random() - 0.5) * a;
    const r2 = (x: number): number => Math.round(x * 100) / 100;
    this.sink.sendBatch([
      { metric: `${p}.coolant_temp_c`, value: r2(82 + 3 * Math.sin(t / 20) + noise(0.2)) },
      { metric: `${p}.engine_rpm`, value: Math.round(3450 + 400 * Math.sin(t / 7) + noise(30)) },
      { metric: `${p}.pressure_kpa`, value: r2(101.3 + Math.sin(t / 13) + noise(0.1)) },
      { metric: `${p}.supply_v`, value: r2(12.4 + 0.05 * Math.sin(t) + noise(0.02)) },
      { metric: `${p}.vibration_g`, value: r2(Math.abs(noise(0.8))) },
    ]);
    if (this.tick % 200 === 1) {
      this.state = (this.state + 1) % STATES.length;
      this.sink.send(`${p}.state`, STATES[this.state]!);
    }
  }

  private loadStart = 0;
  private loadSent = 0;

  private load(): void {
    // Catch up on elapsed time, not timer ticks: timers drift, the configured rate must not.
    const now = performance.now();
    if (this.loadStart === 0) this.loadStart = now;
    const due = Math.floor(((now - this.loadStart) / 1000) * (this.opts.rate ?? 1000)) - this.loadSent;
    if (due <= 0) return;
    const t = this.tick++;
    const batch: Array<{ metric: string; value: number }> = new Array(due);
    for (let i = 0; i < due; i++) {
      const k = (this.loadSent + i) % this.names.length;
      batch[i] = { metric: this.names[k]!, value: Math.round(1000 * Math.sin((t + k) / 50)) / 10 };
    }
    this.loadSent += due;
    this.sink.sendBatch(batch);
  }
}
