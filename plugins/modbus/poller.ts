// One register group, polled at its interval: every request of the group sent at once (they
// queue in the link when only one may be in flight), the answers decoded, and the poll's values
// recorded as one batch with one timestamp, taken when the poll started. A request that fails
// costs only its own fields for that poll: it is counted by kind, the first few are logged, and
// the group polls again at its next interval, as do the other groups, each on its own loop.
import { decodeRegisters, scaled } from './decode';
import { FAULT_KINDS, ModbusFault, type FaultKind } from './faults';
import type { Field, GroupPlan, ReadRequest } from './register-map';

export interface Reader {
  read(req: ReadRequest): Promise<number[]>;
}

export interface PollerOutput {
  now(): number;
  record(values: Record<string, number>, timestamp: number): void;
  log(level: 'info' | 'warn', text: string): void;
}

export interface GroupStats {
  polls: number;
  /** Polls in which every request was answered. */
  complete: number;
  faults: Record<FaultKind, number>;
}

/** Faults of each kind logged per group; after that they are only counted (the status line). */
const LOGGED_PER_KIND = 3;
/** A poll that failed entirely waits at least this long, so interval 0 does not spin offline. */
const FAILED_POLL_PAUSE_MS = 200;

export class GroupPoller {
  readonly stats: GroupStats = {
    polls: 0,
    complete: 0,
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
  };
  private failedInARow = 0;
  private readonly warnedNotFinite = new Set<string>();

  constructor(
    readonly plan: GroupPlan,
    private readonly link: Reader,
    private readonly out: PollerOutput,
  ) {}

  /** Polls until `signal` aborts. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    let next = performance.now();
    while (!signal.aborted) {
      const answered = await this.poll();
      if (signal.aborted) break;
      const now = performance.now();
      // Fixed rate: the next poll is due one interval after this one was; a poll that overran
      // its interval is not made up for with a burst.
      next = Math.max(next + this.plan.intervalMs, now);
      if (answered === 0) next = Math.max(next, now + FAILED_POLL_PAUSE_MS);
      await sleep(next - now, signal);
    }
  }

  /** One poll; returns how many requests were answered. */
  async poll(): Promise<number> {
    const timestamp = this.out.now();
    const answers = await Promise.allSettled(this.plan.requests.map((r) => this.link.read(r)));
    const values: Record<string, number> = {};
    let answered = 0;
    let failed = 0;
    answers.forEach((a, i) => {
      const req = this.plan.requests[i]!;
      if (a.status === 'rejected') {
        failed++;
        this.fault(a.reason);
        return;
      }
      answered++;
      for (const f of req.fields) {
        const v = this.valueOf(a.value, req, f);
        if (v !== null) values[f.metric] = v;
      }
    });
    this.stats.polls++;
    if (failed === 0) {
      this.stats.complete++;
      if (this.failedInARow > 0)
        this.out.log('info', `${this.plan.name}: answered again after ${this.failedInARow} poll(s) with failures`);
      this.failedInARow = 0;
    } else this.failedInARow++;
    if (Object.keys(values).length > 0) this.out.record(values, timestamp);
    return answered;
  }

  private valueOf(words: readonly number[], req: ReadRequest, f: Field): number | null {
    let v: number;
    try {
      // Coils and inputs arrive as 0/1 per bit: read as u16 they are that bit.
      v = scaled(decodeRegisters(words, f.address - req.address, f.type, f.words), f.scale, f.offset);
    } catch {
      return null; // an answer shorter than asked for: the link refused it already
    }
    if (Number.isFinite(v)) return v;
    // Meters send NaN for a value they cannot measure (a phase not connected): not recorded.
    if (!this.warnedNotFinite.has(f.metric)) {
      this.warnedNotFinite.add(f.metric);
      this.out.log('warn', `row ${f.row} (${f.metric}): the device sent ${v}, not recorded (said once)`);
    }
    return null;
  }

  private fault(e: unknown): void {
    const fault = e instanceof ModbusFault ? e : new ModbusFault('garbled', String(e));
    const n = ++this.stats.faults[fault.kind];
    if (n <= LOGGED_PER_KIND)
      this.out.log(
        'warn',
        `${this.plan.name}: ${fault.message}${n === LOGGED_PER_KIND ? ' (further ones are counted in the status line)' : ''}`,
      );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    // Interval 0 still yields to the event loop, so answers, stops and pings get their turn.
    const timer = ms > 0 ? setTimeout(done, ms) : setImmediate(done);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      if (ms > 0) clearTimeout(timer as NodeJS.Timeout);
      else clearImmediate(timer as NodeJS.Immediate);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
