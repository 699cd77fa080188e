// One connection to the device (Modbus TCP, or RTU on a serial port) shared by every group, over
// modbus-serial. It keeps itself up: a connection that fails or drops is tried again with a
// growing pause (0.25 s doubling to 10 s), and a connection that has gone silent (no answer to
// anything for several timeouts: a device that rebooted leaves a half-open TCP socket; a USB
// adapter that vanished leaves a serial port that swallows requests) is closed and opened anew.
// A read never waits for a reconnect: while there is no connection it fails at once as
// "offline", and the group simply polls again at its next interval.
//
// Requests in flight: modbus-serial matches TCP answers to requests by transaction id, so
// several may be outstanding on one connection (`inFlight`); a serial line has no such id, so
// RTU is always one at a time. The serial port is opened by the recorder (ctx.serial, see
// serial-port.ts): serial drivers cannot run in a plugin's worker thread.
import ModbusRTU from 'modbus-serial';
import type { SerialPorts } from 'plexus-bench/plugin';
import { connectionProblem, faultOf, ModbusFault, seconds } from './faults';
import type { ReadRequest } from './register-map';
import { CtxSerialPort } from './serial-port';

export interface LinkOptions {
  transport: 'tcp' | 'rtu';
  host: string;
  port: number;
  serialPath: string;
  /** The recorder's serial ports (ctx.serial), for RTU. */
  serial: SerialPorts;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  dataBits: 7 | 8;
  timeoutMs: number;
  inFlight: number;
  log(level: 'info' | 'warn', text: string): void;
}

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 10_000;
/** Silence that counts as a dead connection: this many timeouts in a row, and no answer for… */
const SILENT_TIMEOUTS = 3;
const SILENT_MIN_MS = 5_000;

interface Pending {
  fail(fault: ModbusFault): void;
}

export class ModbusLink {
  /** "at 127.0.0.1:502" or "on /dev/ttyUSB0", for messages. */
  readonly where: string;
  private client: ModbusRTU | null = null;
  private connecting: Promise<ModbusRTU> | null = null;
  private pending = new Set<Pending>();
  private retryAt = 0;
  private retryMs = RETRY_FIRST_MS;
  private problem = '';
  private lastAnswer = 0;
  private timeoutsInARow = 0;
  private active = 0;
  private waiting: Array<() => void> = [];
  private closed = false;
  private readonly limit: number;

  constructor(private readonly o: LinkOptions) {
    this.where = o.transport === 'tcp' ? `at ${o.host}:${o.port}` : `on ${o.serialPath}`;
    this.limit = o.transport === 'tcp' ? Math.max(1, Math.floor(o.inFlight)) : 1;
  }

  /** One line for the status: connected, connecting, or why not and when it tries again. */
  state(): string {
    const name = this.where.slice(3);
    if (this.client) return name;
    if (this.connecting) return `connecting to ${name}`;
    if (!this.problem) return `not connected to ${name}`;
    const wait = Math.max(0, this.retryAt - Date.now());
    return `no connection to ${name}: ${this.problem}; trying again in ${seconds(Math.ceil(wait / 100) * 100)}`;
  }

  /** The request's registers (0–65535) or bits (0/1); rejects with a ModbusFault. */
  async read(req: ReadRequest): Promise<number[]> {
    await this.connected(); // fails at once while offline, before queueing behind others
    await this.slot();
    try {
      return await this.transact(await this.connected(), req);
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    this.failPending(new ModbusFault('offline', 'the plugin is stopping'));
    for (const w of this.waiting.splice(0)) w();
    if (client) await dispose(client, this.o.transport);
    else if (this.connecting) await this.connecting.then((c) => dispose(c, this.o.transport)).catch(() => {});
  }

  private async connected(): Promise<ModbusRTU> {
    if (this.closed) throw new ModbusFault('offline', 'the plugin is stopping');
    if (this.client) {
      if (this.client.isOpen) return this.client;
      this.lost(this.client, 'the connection closed');
    }
    if (this.connecting) return this.connecting;
    if (Date.now() < this.retryAt) throw new ModbusFault('offline', `no connection ${this.where}: ${this.problem}`);
    this.connecting = this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<ModbusRTU> {
    const o = this.o;
    const client =
      o.transport === 'tcp'
        ? new ModbusRTU()
        : new ModbusRTU(
            new CtxSerialPort(
              o.serial,
              o.serialPath,
              { baudRate: o.baudRate, parity: o.parity, stopBits: o.stopBits, dataBits: o.dataBits },
              o.timeoutMs,
            ),
          );
    client.setTimeout(o.timeoutMs); // per request; over TCP also the connect timeout
    try {
      if (o.transport === 'tcp') await client.connectTCP(o.host, { port: o.port });
      else await openPort(client);
    } catch (e) {
      await dispose(client, o.transport);
      const problem = this.problemOf(e);
      if (problem !== this.problem) o.log('warn', `cannot connect ${this.where}: ${problem}`);
      this.retryLater(problem);
      throw new ModbusFault('offline', `no connection ${this.where}: ${problem}`);
    }
    if (this.closed) {
      await dispose(client, o.transport);
      throw new ModbusFault('offline', 'the plugin is stopping');
    }
    client.on('close', () => this.lost(client, 'the device closed the connection'));
    client.on('error', (e: unknown) => this.lost(client, this.problemOf(e)));
    o.log('info', `connected ${this.where}`);
    this.client = client;
    this.problem = '';
    this.lastAnswer = Date.now();
    this.timeoutsInARow = 0;
    return client;
  }

  /**
   * A connection's failure in words. The recorder words serial failures itself (the port is not
   * there, which group to join, who holds it): those are kept as they are. (modbus-serial passes
   * a port's error on as a plain object with the message, not an Error.)
   */
  private problemOf(e: unknown): string {
    if (this.o.transport === 'rtu') {
      const message = (e as { message?: unknown } | null)?.message;
      return typeof message === 'string' && message ? message : String(e);
    }
    return connectionProblem(e, this.o.timeoutMs);
  }

  /** Drops `client` (if it is still the current one) and fails what waits on it. */
  private lost(client: ModbusRTU, why: string): void {
    if (client !== this.client) return;
    this.client = null;
    dispose(client, this.o.transport).catch(() => {}); // never rejects; nothing waits for it
    this.failPending(new ModbusFault('offline', `connection ${this.where} lost: ${why}`));
    if (!this.closed) {
      this.o.log('warn', `connection ${this.where} lost: ${why}; trying again in ${seconds(this.retryMs)}`);
      this.retryLater(why);
    }
  }

  private retryLater(problem: string): void {
    this.problem = problem;
    this.retryAt = Date.now() + this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private failPending(fault: ModbusFault): void {
    for (const p of [...this.pending]) p.fail(fault);
  }

  private transact(client: ModbusRTU, req: ReadRequest): Promise<number[]> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const entry: Pending = {
        fail: (fault) => {
          if (settled) return;
          settled = true;
          this.pending.delete(entry);
          reject(fault);
        },
      };
      this.pending.add(entry);
      const done = (err: unknown, data: ReadonlyArray<number | boolean> | undefined): void => {
        if (settled) return; // already failed: the connection was lost meanwhile
        if (err) {
          const fault = faultOf(err, req, this.where, this.o.timeoutMs);
          if (fault.kind !== 'timeout' && fault.kind !== 'offline') this.answered();
          entry.fail(fault);
          if (fault.kind === 'timeout') this.timedOut(client);
          else if (fault.kind === 'offline') this.lost(client, 'the connection closed');
          return;
        }
        settled = true;
        this.pending.delete(entry);
        this.answered();
        const values = (data ?? []).slice(0, req.count).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
        if (values.length < req.count)
          reject(
            faultOf(new Error(`short answer: ${values.length} of ${req.count}`), req, this.where, this.o.timeoutMs),
          );
        else resolve(values);
      };
      const regs = (e: Error | null, r?: { data: number[] }): void => done(e, r?.data);
      const bits = (e: Error | null, r?: { data: boolean[] }): void => done(e, r?.data);
      // The callback form takes the unit id per request; the promise form shares one setID()
      // across the connection, which requests in flight for different units would race on.
      switch (req.fn) {
        case 'holding':
          return client.writeFC3(req.unitId, req.address, req.count, regs);
        case 'input':
          return client.writeFC4(req.unitId, req.address, req.count, regs);
        case 'coil':
          return client.writeFC1(req.unitId, req.address, req.count, bits);
        case 'discrete':
          return client.writeFC2(req.unitId, req.address, req.count, bits);
      }
    });
  }

  private answered(): void {
    this.lastAnswer = Date.now();
    this.timeoutsInARow = 0;
    this.retryMs = RETRY_FIRST_MS;
  }

  private timedOut(client: ModbusRTU): void {
    this.timeoutsInARow++;
    const silentMs = Date.now() - this.lastAnswer;
    if (
      this.timeoutsInARow >= SILENT_TIMEOUTS &&
      silentMs >= Math.max(SILENT_MIN_MS, SILENT_TIMEOUTS * this.o.timeoutMs)
    )
      this.lost(client, `no answer for ${seconds(silentMs)}`);
  }

  private async slot(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }

  /** Hands the slot straight to the next waiting read, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/** Opens the client's own (serial) port. */
function openPort(client: ModbusRTU): Promise<void> {
  return new Promise((resolve, reject) => client.open((err: unknown) => (err ? reject(err) : resolve())));
}

/** Closes a client without throwing: TCP sockets are destroyed, serial ports closed. */
function dispose(client: ModbusRTU, transport: 'tcp' | 'rtu'): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => resolve();
    // Its 'close' and 'error' listeners stay: lost() ignores a client that is no longer current,
    // and a late port error must not become an unhandled 'error' event.
    try {
      if (transport === 'tcp') client.destroy(done);
      else if (client.isOpen) client.close(done);
      else resolve();
    } catch {
      resolve();
    }
    setTimeout(done, 1000).unref(); // a port that never calls back must not hold the stop up
  });
}
