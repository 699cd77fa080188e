// How script plugins' serial ports are opened: here, on the recorder's main thread, because the
// serial driver crashes the whole process when used from a worker thread. A port is refused when
// one of the recorder's own serial sources holds it (named), and otherwise opened with the same
// driver settings and the same wording of failures as those sources (devices/serial). A port that
// vanishes is noticed as a source notices it: the driver's close or error, or its path going away
// (a pseudo-terminal whose other end died tells the open port nothing).

import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { errorMessage } from '../../shared/util';
import { explainOpenError } from '../devices/serial/os-hints';
import { listSerialPorts } from '../devices/serial';
import type { CheckedSerialOptions, OpenedSerialPort, SerialOpener } from '../plugins';

export interface PluginSerialOpenerOptions {
  /** Which of the recorder's own serial sources has `path` open (its name), or null. */
  sourceHolding?: (path: string) => string | null;
  /** How often an open port's path is checked (ms, default 500). */
  presencePollMs?: number;
}

const CLOSE_WAIT_MS = 1000;

export function pluginSerialOpener(o: PluginSerialOpenerOptions = {}): SerialOpener {
  return {
    list: listSerialPorts,
    open(path, options) {
      const source = o.sourceHolding?.(path);
      if (source)
        return Promise.reject(
          new Error(
            `${path} is busy: in use by the recorder's serial source "${source}"; switch it off there and try again`,
          ),
        );
      return openPort(path, options, o.presencePollMs ?? 500);
    },
  };
}

function openPort(path: string, options: CheckedSerialOptions, pollMs: number): Promise<OpenedSerialPort> {
  return new Promise((resolve, reject) => {
    let port: SerialPort;
    try {
      port = new SerialPort({ path, ...options, autoOpen: false, lock: true });
    } catch (e) {
      reject(new Error(`bad serial options for ${path}: ${errorMessage(e)}`));
      return;
    }
    // An 'error' event nobody listens to would end the recorder: there is always a listener.
    port.on('error', () => {});
    port.open((err) => {
      if (err) reject(new Error(explainOpenError(path, err).message));
      else resolve(new PluginPort(port, path, pollMs));
    });
  });
}

class PluginPort implements OpenedSerialPort {
  private closeListener: ((reason: string) => void) | null = null;
  private ended = false;
  private closed: Promise<void> | null = null;
  private readonly presence: ReturnType<typeof setInterval> | null;

  constructor(
    private readonly port: SerialPort,
    readonly path: string,
    pollMs: number,
  ) {
    port.on('error', (e: Error) => this.lost(`${path} failed: ${e.message}`));
    port.on('close', () => this.lost(`${path} closed (unplugged?)`));
    // Windows reports an unplugged COM port through the port itself, and COMn is no file to check.
    this.presence =
      process.platform === 'win32'
        ? null
        : setInterval(() => {
            if (!existsSync(path)) this.lost(`${path} disappeared (unplugged?)`);
          }, pollMs);
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.port.on('data', listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.ended) return Promise.reject(new Error(`${this.path} is closed`));
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (e) =>
        e ? reject(e) : resolve(),
      );
    });
  }

  drain(): Promise<void> {
    if (this.ended) return Promise.reject(new Error(`${this.path} is closed`));
    return new Promise((resolve, reject) => this.port.drain((e) => (e ? reject(e) : resolve())));
  }

  pause(): void {
    this.port.pause();
  }

  resume(): void {
    this.port.resume();
  }

  close(): Promise<void> {
    this.ended = true;
    if (this.presence) clearInterval(this.presence);
    this.closed ??= new Promise<void>((resolve) => {
      if (!this.port.isOpen) return resolve();
      // A driver that does not answer must not hold up a plugin's stop.
      const t = setTimeout(resolve, CLOSE_WAIT_MS);
      this.port.close(() => {
        clearTimeout(t);
        resolve();
      });
    });
    return this.closed;
  }

  /** It went away by itself: tell once, and let go of it. */
  private lost(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.presence) clearInterval(this.presence);
    this.closeListener?.(reason);
  }
}
