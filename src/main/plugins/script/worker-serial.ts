// The worker's side of ctx.serial: links to ports the host's thread opened for this plugin. Bytes
// read cross from the host in batches and are acknowledged as the plugin's listeners take them
// (the host stops reading a port while too many are unacknowledged); bytes written cross in
// pieces, a bounded window of them at a time, the rest waiting here in the plugin's own memory.

import type { SerialLink, SerialOptions, SerialPortInfo, SerialPorts } from '../api';
import {
  SERIAL_WRITE_PIECE,
  SERIAL_WRITE_WINDOW,
  type SerialHostMessage,
  type SerialWorkerMessage,
} from './serial-messages';

type Post = (m: SerialWorkerMessage, transfer?: ArrayBuffer[]) => void;

interface PendingWrite {
  resolve: () => void;
  reject: (e: Error) => void;
  /** Pieces not yet answered. */
  left: number;
  error: string | null;
}

interface Piece {
  seq: number;
  bytes: Uint8Array;
  size: number;
  last: boolean;
  write: PendingWrite;
}

function toBytes(data: unknown): Uint8Array | null {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return null;
}

class WorkerLink implements SerialLink {
  private closedReason: string | null = null;
  private closeCalled = false;
  private closing: { promise: Promise<void>; resolve: () => void } | null = null;
  private readonly dataListeners = new Set<{ fn: (bytes: Uint8Array) => void }>();
  private readonly closeListeners = new Set<{ fn: (reason: string) => void }>();
  /** Bytes that came before any data listener (bounded by the host, which waits for their ack). */
  private held: Uint8Array[] = [];
  private heldScheduled = false;
  private seq = 0;
  private readonly queue: Piece[] = [];
  private readonly inFlight = new Map<number, Piece>();
  private inFlightBytes = 0;

  constructor(
    readonly id: number,
    readonly path: string,
    private readonly post: Post,
    private readonly gone: () => void,
  ) {}

  get isOpen(): boolean {
    return this.closedReason === null && !this.closeCalled;
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onData() takes a function');
    const entry = { fn: listener };
    this.dataListeners.add(entry);
    if (this.held.length > 0) this.scheduleHeld();
    return () => {
      this.dataListeners.delete(entry);
    };
  }

  onClose(listener: (reason: string) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onClose() takes a function');
    const entry = { fn: listener };
    this.closeListeners.add(entry);
    return () => {
      this.closeListeners.delete(entry);
    };
  }

  write(data: Uint8Array | string): Promise<void> {
    if (!this.isOpen) return Promise.reject(new Error(this.closedMessage()));
    const bytes = toBytes(data);
    if (!bytes) return Promise.reject(new TypeError('write() takes a Uint8Array (a Buffer is one) or a string'));
    if (bytes.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const pieces = Math.ceil(bytes.length / SERIAL_WRITE_PIECE);
      const write: PendingWrite = { resolve, reject, left: pieces, error: null };
      for (let i = 0; i < pieces; i++) {
        // A copy the host may own (it is transferred): the caller may reuse its array at once.
        const piece = bytes.slice(i * SERIAL_WRITE_PIECE, (i + 1) * SERIAL_WRITE_PIECE);
        this.queue.push({ seq: ++this.seq, bytes: piece, size: piece.length, last: i === pieces - 1, write });
      }
      this.pump();
    });
  }

  close(): Promise<void> {
    if (this.closedReason !== null) return Promise.resolve();
    if (!this.closing) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.closing = { promise, resolve };
      this.closeCalled = true;
      this.failQueued('the link was closed before they were sent');
      this.post({ t: 'serial-close', id: this.id });
    }
    return this.closing.promise;
  }

  // ── from the host ──

  data(bytes: Uint8Array): void {
    if (this.dataListeners.size === 0 || this.held.length > 0) {
      this.held.push(bytes);
      if (this.dataListeners.size > 0) this.scheduleHeld();
      return;
    }
    this.deliver(bytes);
  }

  written(seq: number, error: string | null): void {
    const p = this.inFlight.get(seq);
    if (!p) return;
    this.inFlight.delete(seq);
    this.inFlightBytes -= p.size;
    this.settle(p.write, error);
    this.pump();
  }

  closed(reason: string, requested: boolean): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.gone();
    const why = requested ? 'the link was closed before they were sent' : reason;
    this.failQueued(why);
    for (const p of this.inFlight.values()) this.settle(p.write, `${this.path}: ${why}`);
    this.inFlight.clear();
    this.inFlightBytes = 0;
    this.closing?.resolve();
    // The plugin's own close() is no news to it; anything else is (a listener that throws is
    // the plugin's own error, reported and restarted like any other).
    if (!requested) for (const l of [...this.closeListeners]) l.fn(reason);
  }

  // ── inside ──

  private closedMessage(): string {
    return `${this.path} is closed${this.closedReason && !this.closeCalled ? ` (${this.closedReason})` : ''}`;
  }

  private deliver(bytes: Uint8Array): void {
    // Acknowledged before the listeners run: a listener that throws must not stall the port.
    this.post({ t: 'serial-ack', id: this.id, n: bytes.length });
    for (const l of [...this.dataListeners]) l.fn(bytes);
  }

  private scheduleHeld(): void {
    if (this.heldScheduled) return;
    this.heldScheduled = true;
    // Not inside onData() itself: a listener is never called before onData() returned.
    setImmediate(() => {
      this.heldScheduled = false;
      while (this.held.length > 0 && this.dataListeners.size > 0) this.deliver(this.held.shift()!);
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const p = this.queue[0]!;
      if (this.inFlightBytes > 0 && this.inFlightBytes + p.size > SERIAL_WRITE_WINDOW) return;
      this.queue.shift();
      this.inFlight.set(p.seq, p);
      this.inFlightBytes += p.size;
      this.post({ t: 'serial-write', id: this.id, seq: p.seq, bytes: p.bytes, last: p.last }, [
        p.bytes.buffer as ArrayBuffer,
      ]);
    }
  }

  private failQueued(why: string): void {
    for (const p of this.queue.splice(0)) this.settle(p.write, `${this.path}: ${why}`);
  }

  private settle(w: PendingWrite, error: string | null): void {
    if (error !== null && w.error === null) w.error = error;
    if (--w.left > 0) return;
    if (w.error !== null) w.reject(new Error(w.error));
    else w.resolve();
  }
}

/** ctx.serial for this worker, and the handler of the host's serial messages. */
export function workerSerial(post: Post): { serial: SerialPorts; handle(m: SerialHostMessage): void } {
  let reqN = 0;
  const opens = new Map<number, { resolve: (l: SerialLink) => void; reject: (e: Error) => void }>();
  const lists = new Map<number, { resolve: (p: SerialPortInfo[]) => void; reject: (e: Error) => void }>();
  const links = new Map<number, WorkerLink>();

  const serial: SerialPorts = {
    open(path: string, options: SerialOptions): Promise<SerialLink> {
      let plain: unknown;
      try {
        // Only plain data crosses (the host checks it): a function or a class instance cannot.
        plain = options === undefined ? undefined : (JSON.parse(JSON.stringify(options)) as unknown);
      } catch {
        return Promise.reject(new TypeError('serial.open(): the options must be plain data { baudRate, … }'));
      }
      const req = ++reqN;
      return new Promise((resolve, reject) => {
        opens.set(req, { resolve, reject });
        post({ t: 'serial-open', req, path: typeof path === 'string' ? path : null, options: plain });
      });
    },
    list(): Promise<SerialPortInfo[]> {
      const req = ++reqN;
      return new Promise((resolve, reject) => {
        lists.set(req, { resolve, reject });
        post({ t: 'serial-list', req });
      });
    },
  };

  const handle = (m: SerialHostMessage): void => {
    switch (m.t) {
      case 'serial-opened': {
        const p = opens.get(m.req);
        opens.delete(m.req);
        if (!p) break;
        if (!m.ok) p.reject(new Error(m.error));
        else {
          const link = new WorkerLink(m.id, m.path, post, () => links.delete(m.id));
          links.set(m.id, link);
          p.resolve(link);
        }
        break;
      }
      case 'serial-data':
        links.get(m.id)?.data(m.bytes);
        break;
      case 'serial-written':
        links.get(m.id)?.written(m.seq, m.error);
        break;
      case 'serial-closed':
        links.get(m.id)?.closed(m.reason, m.requested);
        break;
      case 'serial-ports': {
        const p = lists.get(m.req);
        lists.delete(m.req);
        if (p) {
          if (m.ok) p.resolve(m.ports);
          else p.reject(new Error(m.error));
        }
        break;
      }
    }
  };
  return { serial, handle };
}
