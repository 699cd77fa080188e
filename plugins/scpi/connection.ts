// SCPI is request/response on one stream: the instrument answers queries in order, with nothing
// saying which query an answer belongs to. So exactly one request is in flight at a time, and a
// caller that needs several in a row (a command, then SYST:ERR? for its errors) takes the line
// for all of them in one transaction, so nobody else's query or error check slips in between.
//
// A query that times out still owes an answer: if the instrument was only slow, that answer
// arrives later and would be taken as the answer to the next query (a current recorded as a
// voltage). So after a timeout the connection is out of step until it has found its place again:
// before the next request it asks *IDN?, whose answer it knows, and throws away every line up to
// that answer. The instrument works through its input in order, so what follows is in step.
import { seconds } from './transport';

export class ScpiTimeoutError extends Error {
  override name = 'ScpiTimeoutError';
}

export class ConnectionLostError extends Error {
  override name = 'ConnectionLostError';
}

/** What a transaction may do with the instrument. */
export interface ScpiIO {
  /** Send a query and wait for its answer line (`timeoutMs` overrides the connection's). */
  query(command: string, timeoutMs?: number): Promise<string>;
  /** Send a command that has no answer. */
  write(command: string): Promise<void>;
}

export interface ConnectionOptions {
  /** How messages name the instrument: "the instrument at 127.0.0.1:5025". */
  name: string;
  timeoutMs: number;
  /** What ends each command: "\n" for most instruments, "\r\n" for some serial ones. */
  lineEnding?: string;
  /** An answer nobody was waiting for, not even a query that timed out (it is thrown away). */
  onUnexpected?: (line: string) => void;
}

/** A query whose answer is known (the instrument's *IDN?), to find the place in the stream again. */
export interface SyncQuery {
  query: string;
  answer: string;
}

export class ScpiConnection {
  /** Requests queue here: each transaction starts when the one before it has finished. */
  private chain: Promise<unknown> = Promise.resolve();
  private waiter: { answer(line: string): void; fail(e: Error): void } | null = null;
  private sync: SyncQuery | null = null;
  /** A query timed out: its answer may still come, so answers are out of step. */
  private outOfStep = false;
  /** Sync queries sent whose answers have not come yet: every line before the last is stale. */
  private syncsOwed = 0;
  private syncArrived: (() => void) | null = null;
  private lostWhy: string | null = null;
  private inRow = 0;
  private readonly io: ScpiIO = {
    query: (command, timeoutMs) => this.ask(command, timeoutMs ?? this.opts.timeoutMs),
    write: (command) => this.tell(command),
  };

  constructor(
    private readonly writeText: (text: string) => Promise<void>,
    private readonly opts: ConnectionOptions,
  ) {}

  /** How messages name the instrument; set once it has said who it is. */
  get name(): string {
    return this.opts.name;
  }
  set name(name: string) {
    this.opts.name = name;
  }

  /**
   * The query that puts the connection back in step after a timeout. Until it is set, a timeout
   * leaves no way to tell stale answers from fresh ones, and the connection counts as lost.
   */
  setSync(sync: SyncQuery): void {
    this.sync = { query: sync.query, answer: sync.answer.trim() };
  }

  /** Requests that timed out in a row: a few mean the instrument is gone, not just slow. */
  get timeoutsInRow(): number {
    return this.inRow;
  }

  get lost(): boolean {
    return this.lostWhy !== null;
  }

  /** Why the connection was lost (null while it is not). */
  get lostReason(): string | null {
    return this.lostWhy;
  }

  /** Runs `fn` with the line to itself: no other request is sent until it has finished. */
  transaction<T>(fn: (io: ScpiIO) => Promise<T>): Promise<T> {
    const run = this.chain.then(() => fn(this.io));
    this.chain = run.catch(() => {}); // one failed transaction does not stop the queue
    return run;
  }

  query(command: string, timeoutMs?: number): Promise<string> {
    return this.transaction((io) => io.query(command, timeoutMs));
  }

  write(command: string): Promise<void> {
    return this.transaction((io) => io.write(command));
  }

  /** One answer line from the instrument. */
  receive(line: string): void {
    if (this.syncsOwed > 0) {
      // Finding our place: everything up to the last sync answer owed is stale.
      if (line.trim() === this.sync?.answer && --this.syncsOwed === 0) this.syncArrived?.();
    } else if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.answer(line);
    } else if (!this.outOfStep) {
      this.opts.onUnexpected?.(line);
    } // else: the late answer of a query that timed out; the next request finds its place first
  }

  /** The link is gone: the query waiting fails now, and so does every later request. */
  lose(why: string): void {
    if (this.lostWhy !== null) return;
    this.lostWhy = why;
    const w = this.waiter;
    this.waiter = null;
    w?.fail(new ConnectionLostError(why));
    this.syncArrived?.();
  }

  private checkOpen(command: string): void {
    if (this.lostWhy !== null) throw new ConnectionLostError(`${command} not sent: ${this.lostWhy}`);
    // A line break inside would make two commands, and two answers for one question.
    if (/[\r\n]/.test(command)) throw new Error(`${JSON.stringify(command)} has a line break inside`);
  }

  private async ask(command: string, timeoutMs: number): Promise<string> {
    this.checkOpen(command);
    await this.getInStep();
    const answer = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        this.outOfStep = true;
        this.inRow++;
        reject(new ScpiTimeoutError(`${this.opts.name} did not answer ${command} within ${seconds(timeoutMs)}`));
      }, timeoutMs);
      this.waiter = {
        answer: (line) => {
          clearTimeout(timer);
          this.inRow = 0;
          resolve(line);
        },
        fail: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
    // The timeout may fire while the write is still draining: the rejection is handled below,
    // never left unhandled (which would restart the whole plugin).
    answer.catch(() => {});
    try {
      await this.writeText(command + (this.opts.lineEnding ?? '\n'));
    } catch (e) {
      this.waiter?.fail(e as Error);
      this.waiter = null;
    }
    return answer;
  }

  private async tell(command: string): Promise<void> {
    this.checkOpen(command);
    await this.getInStep();
    await this.writeText(command + (this.opts.lineEnding ?? '\n'));
  }

  /** After a timeout: asks the sync query and waits for its answer, stale lines thrown away. */
  private async getInStep(): Promise<void> {
    if (!this.outOfStep) return;
    const sync = this.sync;
    if (!sync) {
      this.lose(`${this.opts.name} did not answer in time, and answers cannot be matched to questions any more`);
      throw new ConnectionLostError(this.lostWhy!);
    }
    this.syncsOwed++;
    const arrived = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), this.opts.timeoutMs);
      this.syncArrived = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    await this.writeText(sync.query + (this.opts.lineEnding ?? '\n'));
    const inStep = await arrived;
    this.syncArrived = null;
    if (this.lostWhy !== null) throw new ConnectionLostError(this.lostWhy);
    if (!inStep) {
      // Still waiting for old answers: the next request tries again (and waits for both).
      this.inRow++;
      throw new ScpiTimeoutError(
        `${this.opts.name} is still busy with earlier queries: it did not answer ${sync.query} within ${seconds(this.opts.timeoutMs)}`,
      );
    }
    this.outOfStep = false;
  }
}
