// Keeps one plugin instance running: starts a run, and when the run ends by itself (a crash, an
// exit, a hang, out of memory) reports why and starts another after a backoff. A plugin that keeps
// crashing right after each start is left stopped, saying why; one that ran well for a while
// starts its count afresh. Problems restarting cannot fix (a compile error, a bad config, a
// missing command) stop it at once.

import { Backoff, errorMessage } from '../../shared/util';
import { PluginEnded, type EndReason, type PluginRun } from './types';

export type RunState = 'stopped' | 'starting' | 'running' | 'restarting' | 'failed';

export interface SupervisorOptions {
  /** First restart delay (ms, default 250); doubles per crash in a row up to capMs. */
  baseMs?: number;
  capMs?: number;
  /** Crashes in a row after which the plugin is left stopped (default 5). */
  maxCrashes?: number;
  /** A run that lasted this long resets the crash count (ms, default 30,000). */
  healthyAfterMs?: number;
}

export interface SupervisorStatus {
  state: RunState;
  /** One line for a person: "running", "threw: … — restarting in 0.5 s", "stopped after 5 crashes: …". */
  message: string;
  /** The last reason a run ended, kept while it runs again. */
  lastError: string | null;
  restarts: number;
  /** Crashes since the last healthy run. */
  crashesInARow: number;
}

export class Supervisor {
  private current: PluginRun | null = null;
  /** A run being started: stop() must wait for it and stop it too. */
  private launching: Promise<PluginRun> | null = null;
  private readonly waiters = new Set<() => void>();
  private generation = 0;
  private readonly backoff: Backoff;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private healthyTimer: ReturnType<typeof setTimeout> | null = null;
  private st: SupervisorStatus = {
    state: 'stopped',
    message: 'stopped',
    lastError: null,
    restarts: 0,
    crashesInARow: 0,
  };

  constructor(
    /** Starts one run; resolves once it is running, rejects with PluginEnded when it cannot. */
    private readonly launch: () => Promise<PluginRun>,
    private readonly onChange: (s: SupervisorStatus) => void,
    private readonly opts: SupervisorOptions = {},
  ) {
    this.backoff = new Backoff({ baseMs: opts.baseMs ?? 250, capMs: opts.capMs ?? 30_000, jitter: 0.1 });
  }

  status(): SupervisorStatus {
    return { ...this.st };
  }

  /** The run in progress (to send it commands), or null. */
  run(): PluginRun | null {
    return this.st.state === 'running' ? this.current : null;
  }

  /**
   * The run once it is running: at once when it is, after the start or restart in progress
   * otherwise. Rejects when it is stopped or gave up, or when `signal` aborts.
   */
  whenRunning(signal: AbortSignal): Promise<PluginRun> {
    const now = this.run();
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const r = this.run();
        if (r) done(() => resolve(r));
        else if (this.st.state === 'stopped' || this.st.state === 'failed')
          done(() => reject(new Error(this.st.message)));
      };
      const abort = (): void => done(() => reject(new Error('aborted')));
      const done = (fn: () => void): void => {
        this.waiters.delete(check);
        signal.removeEventListener('abort', abort);
        fn();
      };
      this.waiters.add(check);
      signal.addEventListener('abort', abort);
      check();
    });
  }

  /** Start (a no-op when it is starting or running). Clears a give-up. */
  start(): void {
    if (this.st.state === 'starting' || this.st.state === 'running') return;
    this.clearTimers();
    this.st.crashesInARow = 0;
    this.backoff.reset();
    this.attemptInBackground();
  }

  /** Stop the run (graceful, then forced); resolves once it is gone. */
  async stop(message = 'stopped'): Promise<void> {
    this.generation++;
    this.clearTimers();
    const run = this.current;
    const launching = this.launching;
    this.current = null;
    this.launching = null;
    this.set({ state: 'stopped', message });
    if (run) await run.stop();
    if (launching) await launching.then((r) => r.stop()).catch(() => {});
  }

  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  /** attempt() turns every start failure into an end reason; anything else still ends the run. */
  private attemptInBackground(): void {
    this.attempt().catch((e: unknown) =>
      this.ended({ kind: 'threw', message: `could not start: ${errorMessage(e)}`, retry: true }),
    );
  }

  private async attempt(): Promise<void> {
    const gen = ++this.generation;
    this.set({ state: 'starting', message: 'starting' });
    let run: PluginRun;
    const launching = (this.launching = this.launch());
    try {
      run = await launching;
    } catch (e) {
      if (this.launching === launching) this.launching = null;
      if (gen !== this.generation) return;
      const reason: EndReason =
        e instanceof PluginEnded
          ? e.reason
          : { kind: 'threw', message: `could not start: ${(e as Error).message}`, retry: true };
      this.ended(reason);
      return;
    }
    if (this.launching === launching) this.launching = null;
    // Stopped while it was starting: stop() has taken care of this run.
    if (gen !== this.generation) return;
    this.current = run;
    this.set({ state: 'running', message: 'running' });
    this.healthyTimer = setTimeout(() => {
      this.st.crashesInARow = 0;
      this.backoff.reset();
    }, this.opts.healthyAfterMs ?? 30_000);
    const onEnd = (reason: EndReason): void => {
      if (gen !== this.generation || this.current !== run) return;
      this.current = null;
      this.ended(reason);
    };
    // `ended` resolves with the reason; should it ever reject, the run is just as over.
    run.ended.then(onEnd, (e: unknown) => onEnd({ kind: 'threw', message: errorMessage(e), retry: true }));
  }

  private ended(reason: EndReason): void {
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    this.healthyTimer = null;
    this.st.lastError = reason.message;
    if (!reason.retry) {
      this.set({ state: 'failed', message: `${reason.message} — fix it, then press Restart` });
      return;
    }
    this.st.crashesInARow++;
    const max = this.opts.maxCrashes ?? 5;
    if (this.st.crashesInARow >= max) {
      this.set({
        state: 'failed',
        message: `stopped after ${this.st.crashesInARow} crashes in a row; last: ${reason.message} — fix it, then press Restart`,
      });
      return;
    }
    const delay = this.backoff.next();
    this.st.restarts++;
    this.set({ state: 'restarting', message: `${reason.message} — restarting in ${seconds(delay)}` });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attemptInBackground();
    }, delay);
  }

  private set(p: Pick<SupervisorStatus, 'state' | 'message'>): void {
    this.st = { ...this.st, ...p };
    for (const w of [...this.waiters]) w();
    this.onChange(this.status());
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    this.timer = null;
    this.healthyTimer = null;
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
