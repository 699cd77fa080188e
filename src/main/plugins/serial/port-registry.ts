// Which plugin holds which serial port. One registry for all plugin instances: a port is handed
// to one plugin at a time, and a second one asking is told who has it (a lock on the port would
// only say "busy", since the holder is this very process). Ports are keyed by their real path, so
// a symlink (/dev/serial/by-id/…, a pty's link) and its target are one port.

import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SerialPortInfo } from '../api';
import { checkSerialOptions, serialPathProblem } from './serial-options';
import type { OpenedSerialPort, SerialOpener } from './types';

/** Who asks: the plugin instance (by id, to tell "yourself" apart) and its name for messages. */
export interface SerialHolder {
  id: string;
  name: string;
}

/** A port handed to a plugin; release() once it is closed. */
export interface HeldPort {
  port: OpenedSerialPort;
  release(): void;
}

function portKey(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

export class SerialPortRegistry {
  /** Real path → the holder and the path it asked for (held from the open's start). */
  private readonly held = new Map<string, { holder: SerialHolder; path: string }>();

  constructor(private readonly opener: SerialOpener | null) {}

  /** Open `path` for `holder`; rejects with an Error a technician can read. */
  async open(path: unknown, options: unknown, holder: SerialHolder): Promise<HeldPort> {
    const pathProblem = serialPathProblem(path);
    if (pathProblem) throw new Error(pathProblem);
    const p = path as string;
    const checked = checkSerialOptions(p, options);
    if (!checked.ok) throw new Error(checked.message);
    if (!this.opener) throw new Error(`cannot open ${p}: this recorder offers plugins no serial ports`);
    const key = portKey(p);
    const other = this.held.get(key);
    if (other) {
      throw new Error(
        other.holder.id === holder.id
          ? `${p} is open already in this plugin; use that link (or close it first)`
          : `${p} is busy: in use by plugin "${other.holder.name}"; close it there and try again`,
      );
    }
    const entry = { holder, path: p };
    this.held.set(key, entry);
    const release = (): void => {
      if (this.held.get(key) === entry) this.held.delete(key);
    };
    try {
      return { port: await this.opener.open(p, checked.options), release };
    } catch (e) {
      release();
      throw e instanceof Error ? e : new Error(String(e));
    }
  }

  list(): Promise<SerialPortInfo[]> {
    if (!this.opener) return Promise.reject(new Error('this recorder offers plugins no serial ports'));
    return this.opener.list();
  }

  /** The plugin holding `path` (its name), or null: for the recorder's own serial sources. */
  holderOf(path: string): string | null {
    return this.held.get(portKey(path))?.holder.name ?? null;
  }

  /** Every port held now, as { path, plugin } (what is left open, for checks and diagnostics). */
  openPorts(): Array<{ path: string; plugin: string }> {
    return [...this.held.values()].map((e) => ({ path: e.path, plugin: e.holder.name }));
  }
}
