// What the plugin host needs to open serial ports for script plugins, and the recorder's host
// provides (PluginsOptions.serial). Serial drivers cannot run inside a worker thread, so the host's
// thread opens the port; the plugin layer only relays bytes. The opener lives with the host, which
// composes the devices layer (the port driver, the error wording) and knows its own serial sources.

import type { SerialOptions, SerialPortInfo } from '../api';

/** Options after the checks, defaults filled in. */
export type CheckedSerialOptions = Required<SerialOptions>;

/** A port the opener opened, as the plugin host drives it. */
export interface OpenedSerialPort {
  readonly path: string;
  /** Bytes as the driver reads them. The chunk may be reused after the call: copy what you keep. */
  onData(listener: (chunk: Uint8Array) => void): void;
  /** It closed without close() being called (unplugged, an error); once at most. */
  onClose(listener: (reason: string) => void): void;
  /** Queue bytes; resolves once the driver took them (rejects when the port closed). */
  write(bytes: Uint8Array): Promise<void>;
  /** Resolves once everything written so far has left (the OS drained it). */
  drain(): Promise<void>;
  /** Stop reading (the OS buffers, then the device's flow control or overflow takes over). */
  pause(): void;
  resume(): void;
  /** Close it; resolves once closed (never rejects). */
  close(): Promise<void>;
}

export interface SerialOpener {
  /** Rejects with an Error whose message a technician can act on (missing, denied, busy, bad options). */
  open(path: string, options: CheckedSerialOptions): Promise<OpenedSerialPort>;
  list(): Promise<SerialPortInfo[]>;
}
