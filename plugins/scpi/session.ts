// The plugin's life with one instrument: connect, ask who it is, poll until the connection is
// lost, reconnect with a growing pause, and run the commands sent to it in between. Everything
// the technician sees (status line, log) and the run records (values, events) is said here;
// the protocol itself lives in connection.ts, poller.ts and error-queue.ts.
import { setImmediate as yieldTurn, setTimeout as sleep } from 'node:timers/promises';
import type { PluginContext } from 'plexus-bench/plugin';
import { describeError, isQuery, parseIdentity, parseNumber, shortName, unreadable, type Identity } from './answers';
import type { Settings } from './config';
import { ScpiConnection } from './connection';
import { drainErrors } from './error-queue';
import { LineSplitter } from './lines';
import { pollCycle, SILENT_AFTER_TIMEOUTS, type CycleResult } from './poller';
import { StatusLine } from './status-line';
import { describeTarget, openLink, seconds, type Link } from './transport';

/** The parts of the plugin context a session uses. */
export type SessionContext = Pick<
  PluginContext,
  'sendBatch' | 'event' | 'describe' | 'status' | 'log' | 'signal' | 'serial'
>;

/** Pauses before reconnecting: short at first (a blip), growing while the instrument stays away. */
const RECONNECT = { firstMs: 500, maxMs: 10_000 };
/** Each kind of bad answer is written to the log this many times per query, then only counted. */
const LOG_EACH = 3;

/** What a command answers: the line, and the instrument's reply or the value read back. */
export interface CommandAnswer {
  line: string;
  answer?: string;
  value?: number | string;
}

export class ScpiSession {
  /** The connection commands use: set once the instrument has said who it is. */
  private conn: ScpiConnection | null = null;
  /** The connection being opened or used, for stop() to end. */
  private current: ScpiConnection | null = null;
  private lastWhy = 'not connected yet';
  private readonly where: string;
  private readonly statusLine: StatusLine;
  private readonly logged = new Map<string, number>();
  private running: Promise<void> | null = null;
  private link: Link | null = null;

  constructor(
    private readonly ctx: SessionContext,
    private readonly s: Settings,
  ) {
    this.where = describeTarget(s.target);
    this.statusLine = new StatusLine((text) => ctx.status(text), s.rows);
    for (const r of s.rows) ctx.describe(r.metric, { ...(r.unit ? { unit: r.unit } : {}), label: r.query });
  }

  start(): void {
    this.running = this.run().catch((e: unknown) => this.ctx.log.error(`stopped polling: ${(e as Error).message}`));
  }

  /** Ends the loop and closes the connection (the plugin's cleanup). */
  async stop(): Promise<void> {
    this.current?.lose('the plugin is stopping');
    await this.link?.close();
    await this.running;
    this.statusLine.close();
  }

  /** Sends one line as the technician typed it; a query answers with the instrument's reply. */
  async send(line: string): Promise<CommandAnswer> {
    return this.command(line, isQuery(line) ? undefined : null);
  }

  /** Sets a value (`VOLT 12`), then reads it back (`VOLT?`) so the answer is what the instrument took. */
  async set(line: string, readback: string): Promise<CommandAnswer> {
    return this.command(line, readback);
  }

  private async run(): Promise<void> {
    let pause = RECONNECT.firstMs;
    while (!this.ctx.signal.aborted) {
      const connected = await this.connectAndPoll();
      if (this.ctx.signal.aborted) return;
      if (connected) {
        pause = RECONNECT.firstMs; // it worked for a while: the next try comes soon again
        this.ctx.event('disconnected', { address: this.where, why: this.lastWhy });
        this.ctx.log.warn(`lost the connection: ${this.lastWhy}`);
      }
      this.statusLine.waiting(`${this.lastWhy} — trying again in ${seconds(pause)}`);
      try {
        await sleep(pause, undefined, { signal: this.ctx.signal });
      } catch {
        return; // stopping
      }
      pause = Math.min(pause * 2, RECONNECT.maxMs);
    }
  }

  /** One connection, from opening to losing it. True if the instrument answered *IDN? on it. */
  private async connectAndPoll(): Promise<boolean> {
    const conn = new ScpiConnection((text) => (this.link ? this.link.write(text) : Promise.resolve()), {
      name: `the instrument at ${this.where}`,
      timeoutMs: this.s.timeoutMs,
      lineEnding: this.s.lineEnding,
      onUnexpected: (line) => this.once('unexpected', `ignored an answer nobody asked for: ${clip(line)}`),
    });
    const splitter = new LineSplitter(
      (line) => conn.receive(line),
      (bytes) =>
        this.once('overflow', `the instrument sent ${bytes} bytes without a line end (wrong baud rate?); skipped`),
    );
    this.current = conn;
    let identified = false;
    try {
      this.statusLine.waiting(`connecting to ${this.where}…`);
      this.link = await openLink(
        this.s.target,
        Math.max(this.s.timeoutMs, 3000),
        {
          data: (chunk) => splitter.push(chunk),
          closed: (why) => conn.lose(why),
        },
        this.ctx.serial,
      );
      await this.identify(conn);
      identified = true;
      this.conn = conn;
      const before = await conn.transaction(drainErrors);
      this.reportErrors(before.errors.map((e) => ({ ...e, after: 'connecting' })));
      await this.poll(conn);
    } catch (e) {
      // A lost link fails whatever was waiting; its own reason says more than that request's.
      this.lastWhy = conn.lostReason ?? (e as Error).message;
    } finally {
      this.conn = null;
      conn.lose(this.lastWhy);
      await this.link?.close();
      this.link = null;
    }
    return identified;
  }

  private async identify(conn: ScpiConnection): Promise<Identity> {
    const answer = await conn.query('*IDN?');
    // Wrong baud rate or parity turns text into noise: say so rather than record noise as a name.
    if (!answer.trim() || unreadable(answer))
      throw new Error(
        `${this.where} answered *IDN? with unreadable bytes (check the baud rate, parity and line ending)`,
      );
    const id = parseIdentity(answer);
    // Its identity is the one answer known in advance: what finds the place after a timeout.
    conn.setSync({ query: '*IDN?', answer });
    conn.name = `the ${id.model || id.manufacturer || 'instrument'} at ${this.where}`;
    this.ctx.event('identity', { ...id, address: this.where });
    this.ctx.log.info(`connected to ${shortName(id)} at ${this.where} (${id.idn})`);
    this.statusLine.connected(`${shortName(id)} at ${this.where}`);
    return id;
  }

  private async poll(conn: ScpiConnection): Promise<void> {
    while (!this.ctx.signal.aborted && !conn.lost) {
      const started = performance.now();
      const result = await conn.transaction((io) => pollCycle(io, this.s.rows, this.s.errorCheck));
      this.record(result);
      if (result.silent || conn.timeoutsInRow >= SILENT_AFTER_TIMEOUTS)
        throw new Error(`${conn.name} stopped answering (${conn.timeoutsInRow} queries in a row timed out)`);
      const rest = this.s.intervalMs - (performance.now() - started);
      // Interval 0 polls as fast as the instrument answers, but still lets commands and the
      // recorder's messages in between cycles.
      if (rest > 0) await sleep(rest, undefined, { signal: this.ctx.signal }).catch(() => {});
      else await yieldTurn();
    }
    // The link closed between two cycles.
    if (conn.lost) throw new Error(conn.lostReason ?? 'the connection ended');
  }

  private record(r: CycleResult): void {
    if (Object.keys(r.values).length > 0) this.ctx.sendBatch(r.values);
    for (const f of r.failures) {
      const n = this.statusLine.failed(f.row.metric, f.kind, f.why);
      if (n <= LOG_EACH)
        this.ctx.log.warn(
          `${f.why}; not recorded${n === LOG_EACH ? ` (said ${LOG_EACH} times: from now on only counted in the status line)` : ''}`,
        );
    }
    this.reportErrors(r.errors);
    if (r.errorProblem) this.once(`errq:${r.errorProblem}`, r.errorProblem);
    this.statusLine.values(r.values);
  }

  private reportErrors(errors: ReadonlyArray<{ code: number; message: string; after: string }>): void {
    for (const e of errors) {
      this.ctx.event('instrument_error', { code: e.code, message: e.message, after: e.after });
      this.ctx.log.warn(`the instrument reports ${describeError(e)} (after ${e.after})`);
      this.statusLine.error(describeError(e));
    }
  }

  /**
   * A line from a command: sent in one transaction with its error check (and read-back), so
   * nothing else is sent in between and the errors read are this line's own. Recorded as a
   * `command` event either way, so the run shows what was changed, and what was refused.
   */
  private async command(line: string, readback: string | null | undefined): Promise<CommandAnswer> {
    const conn = this.conn;
    if (!conn)
      throw new Error(`not connected to ${this.where} (${this.lastWhy}); try again once the status says connected`);
    const result: CommandAnswer = { line };
    let error: string | undefined;
    try {
      await conn.transaction(async (io) => {
        if (readback === undefined) result.answer = await io.query(line);
        else await io.write(line);
        const { errors, problem } = await drainErrors(io);
        if (errors.length > 0) {
          error = `${conn.name} refused ${line}: ${errors.map(describeError).join('; ')}`;
          for (const e of errors) this.statusLine.error(describeError(e));
        } else if (problem) error = `${line} was sent, but its errors could not be read: ${problem}`;
        else if (readback) {
          const answer = await io.query(readback);
          const n = parseNumber(answer);
          result.value = n.ok ? n.value : answer.trim();
        }
      });
    } catch (e) {
      error = (e as Error).message;
    }
    this.ctx.event('command', {
      line,
      ...(result.answer !== undefined ? { answer: clip(result.answer) } : {}),
      ...(result.value !== undefined ? { value: result.value } : {}),
      ...(error ? { error } : {}),
    });
    if (error) {
      this.ctx.log.warn(error);
      throw new Error(error);
    }
    this.ctx.log.info(`sent ${line}${result.answer !== undefined ? ` → ${clip(result.answer)}` : ''}`);
    return result;
  }

  /** Logs a kind of trouble a few times, then stays quiet about it (it may repeat every cycle). */
  private once(kind: string, message: string): void {
    const n = (this.logged.get(kind) ?? 0) + 1;
    this.logged.set(kind, n);
    if (n <= LOG_EACH) this.ctx.log.warn(message);
  }
}

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
