// One configured serial/USB device: finds its port (by USB serial number, vid:pid or path),
// opens it, frames and parses lines, and feeds points to the Plexus client, stamped at line
// arrival on the client's clock. Survives everything a bench throws at it: unplug and replug
// (reopened with backoff when it returns), a pseudo-terminal vanishing without an OS event (the
// path is watched), a busy or forbidden port (the message says which process or which group),
// and any bytes at all (counted per kind, the first few logged, the good lines kept).

import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { serialConfigProblem } from '../../../shared/serial-config';
import { Backoff, errorMessage, TypedEmitter } from '../../../shared/util';
import { ValidationError } from '../../plexus';
import { LineReader, type LineReaderStats } from '../lines/line-reader';
import type { ParserKind, TelemetrySink } from '../types';
import { explainOpenError } from './os-hints';
import { describeBinding, resolveBinding, type PortBinding, type PortInfo } from './ports';

export interface SerialDeviceConfig extends PortBinding {
  /** The device's name (shown to people); also the default metric prefix. */
  name: string;
  /** Metric prefix: `<prefix>.<field>`; '' for none. Default: `name`. */
  prefix?: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits?: 1 | 1.5 | 2;
  /** Line format, or 'auto' to detect it from the first lines. */
  parser: ParserKind | 'auto';
}

export interface SerialDeviceOptions {
  /** How often the port's presence is checked (ms, default 500). */
  presencePollMs?: number;
  /** Reopen backoff (default 250 ms × 2ⁿ, cap 5 s). */
  reopen?: { baseMs?: number; capMs?: number };
  /** Non-empty lines used for auto-detection (default 5). */
  detectLines?: number;
  /** How to list ports (tests inject; default: serialport's list). */
  listPorts?: () => Promise<PortInfo[]>;
}

export type SerialState = 'opening' | 'open' | 'closed' | 'waiting' | 'error';

export interface SerialStatus {
  state: SerialState;
  /** One line for a person, e.g. "waiting for device (serial number A1B2) — plug it in". */
  message: string;
  path: string | null;
  since: number;
}

export interface SerialStats extends LineReaderStats {
  /** Times the port was opened (reopens after an unplug count). */
  opens: number;
}

export interface LogEntry {
  at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

type Events = { status: SerialStatus; log: LogEntry };

const LOG_KEEP = 200;
const WRITE_TIMEOUT_MS = 2000;

/** The shared serial rules (the window and the contract check the same ones). */
export function validateSerialConfig(c: SerialDeviceConfig): void {
  const problem = serialConfigProblem(c);
  if (problem) throw new ValidationError('serial.config', c, `serial device "${c?.name ?? '?'}": ${problem}`);
}

export class SerialDevice extends TypedEmitter<Events> {
  private port: SerialPort | null = null;
  private readonly reader: LineReader;
  private readonly backoff: Backoff;
  private stopped = true;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private presence: ReturnType<typeof setInterval> | null = null;
  private current: SerialStatus;
  private readonly logEntries: LogEntry[] = [];
  private opens = 0;

  constructor(
    readonly config: SerialDeviceConfig,
    private readonly sink: TelemetrySink,
    private readonly opts: SerialDeviceOptions = {},
  ) {
    super();
    validateSerialConfig(config);
    this.reader = new LineReader(sink, {
      prefix: config.prefix ?? config.name,
      parser: config.parser,
      ...(opts.detectLines !== undefined ? { detectLines: opts.detectLines } : {}),
      log: (level, message) => this.addLog(level, message),
      // A byte on the wire is a start bit, the data bits, parity and stop bits.
      bytesPerSecond: config.baudRate / bitsPerByte(config),
      // The status line says it too (the log already has it): the technician can re-detect.
      formatChanged: () => this.emit('status', this.status()),
    });
    this.backoff = new Backoff({ baseMs: 250, capMs: 5000, jitter: 0.2, ...opts.reopen });
    this.current = { state: 'closed', message: 'closed', path: null, since: Date.now() };
  }

  status(): SerialStatus {
    const changed = this.reader.stats().formatChanged;
    return changed && this.current.state === 'open' ? { ...this.current, message: changed } : { ...this.current };
  }

  /** Forget the detected format and detect it from the next lines (the device changed format). */
  redetect(): void {
    if (this.config.parser !== 'auto')
      throw new Error(`${this.config.name} reads the ${this.config.parser} format as set; choose "auto" to detect it`);
    this.reader.redetect();
    this.emit('status', this.status());
  }

  stats(): SerialStats {
    return { ...this.reader.stats(), opens: this.opens };
  }

  log(): LogEntry[] {
    return [...this.logEntries];
  }

  private setStatus(state: SerialState, message: string, path: string | null = this.current.path): void {
    this.current = { state, message, path, since: Date.now() };
    this.addLog(state === 'error' ? 'error' : 'info', message);
    this.emit('status', this.status());
  }

  private addLog(level: LogEntry['level'], message: string): void {
    const e = { at: Date.now(), level, message };
    this.logEntries.push(e);
    if (this.logEntries.length > LOG_KEEP) this.logEntries.splice(0, this.logEntries.length - LOG_KEEP);
    this.emit('log', e);
  }

  /** Start: find the port and open it, or wait for it. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.backoff.reset();
    this.attemptInBackground();
  }

  /** Close the port and stop watching for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    await this.closePort();
    this.reader.close(); // lines held for format detection are recorded, not lost
    this.setStatus('closed', 'closed', null);
  }

  /** Write one line to the device (a line end is added). */
  write(line: string): Promise<void> {
    const port = this.port;
    if (!port || !port.isOpen) return Promise.reject(new Error(`${this.config.name} is not open`));
    if (typeof line !== 'string' || /[\r\n]/.test(line) || line.length > 4096) {
      return Promise.reject(
        new ValidationError(
          'serial.write',
          line,
          'write takes one line of at most 4096 characters without line breaks',
        ),
      );
    }
    return new Promise((resolve, reject) => {
      // A device that stopped reading must not hang the caller forever.
      const t = setTimeout(
        () => reject(new Error(`writing to ${this.config.name} timed out after ${WRITE_TIMEOUT_MS} ms`)),
        WRITE_TIMEOUT_MS,
      );
      port.write(`${line}\n`, (err) => {
        if (err) {
          clearTimeout(t);
          reject(new Error(`writing to ${this.config.name} failed: ${err.message}`));
          return;
        }
        port.drain((e) => {
          clearTimeout(t);
          if (e) reject(new Error(`writing to ${this.config.name} failed: ${e.message}`));
          else resolve();
        });
      });
    });
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.presence) clearInterval(this.presence);
    this.timer = null;
    this.presence = null;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attemptInBackground();
    }, ms);
  }

  /** Find the port; open it if it is there, else wait for it. */
  /** attempt() reports every failure it knows of as a status; anything else is logged, not lost. */
  private attemptInBackground(): void {
    this.attempt().catch((e: unknown) => this.addLog('error', `could not open the port: ${errorMessage(e)}`));
  }

  private async attempt(): Promise<void> {
    if (this.stopped || this.port) return;
    let path: string | null;
    try {
      path = await resolveBinding(this.config, this.opts.listPorts);
    } catch (e) {
      this.setStatus('error', (e as Error).message, null);
      this.schedule(this.backoff.next());
      return;
    }
    if (this.stopped) return;
    if (!path) {
      if (this.current.state !== 'waiting') {
        this.setStatus('waiting', `waiting for device (${describeBinding(this.config)}) — plug it in`, null);
      }
      this.schedule(this.opts.presencePollMs ?? 500);
      return;
    }
    await this.open(path);
  }

  private open(path: string): Promise<void> {
    this.setStatus('opening', `opening ${path} at ${this.config.baudRate.toLocaleString('en-US')} baud`, path);
    return new Promise((resolve) => {
      const port = new SerialPort({
        path,
        baudRate: this.config.baudRate,
        dataBits: this.config.dataBits ?? 8,
        parity: this.config.parity ?? 'none',
        stopBits: this.config.stopBits ?? 1,
        autoOpen: false,
        lock: true,
      });
      port.open((err) => {
        if (this.stopped) {
          if (!err) port.close(() => {});
          resolve();
          return;
        }
        if (err) {
          const why = explainOpenError(path, err);
          if (why.kind === 'missing') {
            this.setStatus('waiting', `waiting for device (${describeBinding(this.config)}) — ${why.message}`, null);
            this.schedule(this.opts.presencePollMs ?? 500);
          } else {
            const delay = this.backoff.next();
            this.setStatus('error', `${why.message} (retrying in ${Math.max(1, Math.round(delay / 1000))} s)`, path);
            this.schedule(delay);
          }
          resolve();
          return;
        }
        this.port = port;
        this.opens++;
        this.reader.reset();
        port.on('data', (chunk: Buffer) => this.reader.push(chunk));
        port.on('error', (e: Error) => this.addLog('error', `port error: ${e.message}`));
        port.on('close', () => this.onPortGone(port, 'the port closed (unplugged?)'));
        this.watchPresence(port, path);
        this.setStatus('open', `open ${path} at ${this.config.baudRate.toLocaleString('en-US')} baud`, path);
        resolve();
      });
    });
  }

  /**
   * A vanished device does not always tell: a pseudo-terminal whose other end died gives the open
   * port no close or error event. So the path is watched too.
   */
  private watchPresence(port: SerialPort, path: string): void {
    if (this.presence) clearInterval(this.presence);
    // Windows reports an unplugged COM port through the port itself, and COMn is no file to check.
    if (process.platform === 'win32') return;
    this.presence = setInterval(() => {
      if (!existsSync(path)) this.onPortGone(port, `${path} disappeared (unplugged?)`);
    }, this.opts.presencePollMs ?? 500);
  }

  private onPortGone(port: SerialPort, why: string): void {
    if (this.port !== port) return;
    this.port = null;
    if (this.presence) clearInterval(this.presence);
    this.presence = null;
    this.reader.close();
    if (port.isOpen) port.close(() => {});
    if (this.stopped) return;
    this.setStatus('closed', why, this.current.path);
    this.backoff.reset();
    this.attemptInBackground();
  }

  private closePort(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (!port || !port.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, 1000);
      port.close(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

function bitsPerByte(c: SerialDeviceConfig): number {
  return 1 + (c.dataBits ?? 8) + (c.parity && c.parity !== 'none' ? 1 : 0) + (c.stopBits ?? 1);
}
