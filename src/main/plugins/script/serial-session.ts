// The host's side of one script plugin run's serial ports: opens them (through the registry, on
// this thread, where the serial driver can run), relays bytes to and from the worker in batches,
// and closes every port the run opened when it ends, however it ends. A link's data is flushed
// to the worker before its close is announced, so nothing read is lost or reordered.

import { errorMessage } from '../../../shared/util';
import type { HeldPort, SerialHolder, SerialPortRegistry } from '../serial/port-registry';
import type { LogLevel } from '../types';
import {
  SERIAL_FLUSH_BYTES,
  SERIAL_FLUSH_MS,
  SERIAL_READ_HIGH,
  SERIAL_READ_LOW,
  type SerialHostMessage,
  type SerialWorkerMessage,
} from './serial-messages';

type Post = (m: SerialHostMessage, transfer?: ArrayBuffer[]) => void;

class HostLink {
  /** Bytes read and not yet sent to the worker. */
  private buf = new Uint8Array(SERIAL_FLUSH_BYTES);
  private n = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Bytes sent to the worker that it has not taken yet. */
  private unacked = 0;
  private paused = false;
  private closing: Promise<void> | null = null;

  constructor(
    readonly id: number,
    private readonly held: HeldPort,
    private readonly post: Post,
    private readonly log: (level: LogLevel, message: string) => void,
    private readonly gone: () => void,
  ) {
    held.port.onData((chunk) => this.data(chunk));
    held.port.onClose((reason) => {
      this.log('warn', `serial: ${reason}`);
      this.close(reason, false).catch(() => {}); // close() never rejects
    });
  }

  get path(): string {
    return this.held.port.path;
  }

  private data(chunk: Uint8Array): void {
    if (this.closing) return;
    // Copied into the batch as it comes: the driver's chunk is not ours to keep.
    for (let off = 0; off < chunk.length;) {
      const k = Math.min(chunk.length - off, this.buf.length - this.n);
      this.buf.set(chunk.subarray(off, off + k), this.n);
      this.n += k;
      off += k;
      if (this.n === this.buf.length) this.flush();
    }
    if (this.n > 0 && !this.timer) this.timer = setTimeout(() => this.flush(), SERIAL_FLUSH_MS);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.n === 0) return;
    let bytes: Uint8Array;
    if (this.n === this.buf.length) {
      bytes = this.buf; // handed over whole (transferred): start a new one
      this.buf = new Uint8Array(SERIAL_FLUSH_BYTES);
    } else bytes = this.buf.slice(0, this.n);
    this.n = 0;
    this.unacked += bytes.length; // (counted first: once transferred, the array here is empty)
    this.post({ t: 'serial-data', id: this.id, bytes }, [bytes.buffer as ArrayBuffer]);
    if (!this.paused && this.unacked > SERIAL_READ_HIGH) {
      // The plugin is not keeping up: stop reading rather than grow this process's memory.
      this.paused = true;
      this.held.port.pause();
    }
  }

  ack(n: number): void {
    this.unacked = Math.max(0, this.unacked - n);
    if (this.paused && this.unacked <= SERIAL_READ_LOW) {
      this.paused = false;
      if (!this.closing) this.held.port.resume();
    }
  }

  write(seq: number, bytes: Uint8Array, last: boolean): void {
    if (this.closing) {
      this.post({ t: 'serial-written', id: this.id, seq, error: `${this.path} is closed` });
      return;
    }
    const port = this.held.port;
    port
      .write(bytes)
      .then(() => (last ? port.drain() : undefined))
      .then(
        () => this.post({ t: 'serial-written', id: this.id, seq, error: null }),
        (e: unknown) =>
          this.post({
            t: 'serial-written',
            id: this.id,
            seq,
            error: `writing to ${this.path} failed: ${errorMessage(e)}`,
          }),
      )
      .catch((e: unknown) => this.log('error', `serial: ${errorMessage(e)}`));
  }

  /** Close the port (once); resolves when it is closed and released. */
  close(reason: string, requested: boolean): Promise<void> {
    this.closing ??= (async () => {
      this.flush();
      try {
        await this.held.port.close();
      } finally {
        this.held.release();
        this.gone();
        this.post({ t: 'serial-closed', id: this.id, reason, requested });
      }
    })();
    return this.closing;
  }
}

export class SerialSession {
  private readonly links = new Map<number, HostLink>();
  private readonly opening = new Set<Promise<void>>();
  private nextId = 1;
  private ended = false;

  constructor(
    private readonly registry: SerialPortRegistry,
    private readonly holder: SerialHolder,
    private readonly post: Post,
    private readonly log: (level: LogLevel, message: string) => void,
  ) {}

  handle(m: SerialWorkerMessage): void {
    switch (m.t) {
      case 'serial-open':
        this.open(m.req, m.path, m.options);
        break;
      case 'serial-write': {
        const link = this.links.get(m.id);
        if (link) link.write(m.seq, m.bytes, m.last);
        else this.post({ t: 'serial-written', id: m.id, seq: m.seq, error: 'the port is closed' });
        break;
      }
      case 'serial-close': {
        const link = this.links.get(m.id);
        if (link) link.close('closed by the plugin', true).catch(() => {});
        break;
      }
      case 'serial-ack':
        this.links.get(m.id)?.ack(m.n);
        break;
      case 'serial-list':
        this.registry
          .list()
          .then(
            (ports) => this.post({ t: 'serial-ports', req: m.req, ok: true, ports }),
            (e: unknown) => this.post({ t: 'serial-ports', req: m.req, ok: false, error: errorMessage(e) }),
          )
          .catch((e: unknown) => this.log('error', `serial: ${errorMessage(e)}`));
        break;
    }
  }

  private open(req: number, path: unknown, options: unknown): void {
    if (this.ended) {
      this.post({ t: 'serial-opened', req, ok: false, error: 'the plugin is stopping' });
      return;
    }
    const opening: Promise<void> = this.registry
      .open(path, options, this.holder)
      .then(
        (held) => {
          if (this.ended) {
            // The run ended while the port opened: it never reaches the plugin.
            return held.port.close().then(() => held.release());
          }
          const id = this.nextId++;
          this.links.set(id, new HostLink(id, held, this.post, this.log, () => this.links.delete(id)));
          this.log('info', `serial: opened ${held.port.path}`);
          this.post({ t: 'serial-opened', req, ok: true, id, path: held.port.path });
        },
        (e: unknown) => this.post({ t: 'serial-opened', req, ok: false, error: errorMessage(e) }),
      )
      // Nothing a port or a worker does may end the recorder: a slip here is logged.
      .catch((e: unknown) => this.log('error', `serial: ${errorMessage(e)}`))
      .finally(() => this.opening.delete(opening));
    this.opening.add(opening);
  }

  /** The run ended (stopped, crashed, its thread gone): close every port it opened. */
  async closeAll(reason: string): Promise<void> {
    this.ended = true;
    await Promise.allSettled([...this.opening]);
    await Promise.all([...this.links.values()].map((l) => l.close(reason, false)));
  }
}
