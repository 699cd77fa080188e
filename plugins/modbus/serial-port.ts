// The serial port of a Modbus RTU connection, as modbus-serial takes a port of its own (open,
// write, close, isOpen; 'data', 'error' and 'close' events), on top of ctx.serial: the recorder
// opens the port on its own thread (serial drivers cannot run in a plugin's worker thread) and
// passes the bytes. modbus-serial expects whole answers as 'data': rtu-frames.ts cuts them out.
import { EventEmitter } from 'node:events';
import type { SerialLink, SerialOptions, SerialPorts } from 'plexus-bench/plugin';
import { RtuFramer } from './rtu-frames';

/** The shortest quiet line awaited after a timeout. */
const QUIET_MIN_MS = 20;

export class CtxSerialPort extends EventEmitter {
  private link: SerialLink | null = null;
  private readonly framer = new RtuFramer();
  private stopListening: Array<() => void> = [];
  /** A request held back until the line is quiet. */
  private waiting: NodeJS.Timeout | undefined;
  /** How long the line must be quiet after a timeout before the next request. */
  private readonly quietMs: number;

  constructor(
    private readonly serial: SerialPorts,
    private readonly path: string,
    private readonly options: SerialOptions,
    /** The request timeout modbus-serial is given (ms). */
    private readonly timeoutMs: number,
  ) {
    super();
    this.quietMs = Math.max(QUIET_MIN_MS, timeoutMs / 2);
  }

  get isOpen(): boolean {
    return this.link?.isOpen ?? false;
  }

  open(callback: (err?: Error | null) => void): void {
    this.serial.open(this.path, this.options).then(
      (link) => {
        this.link = link;
        this.stopListening = [
          link.onData((bytes) => {
            const answer = this.framer.push(bytes);
            if (answer) this.emit('data', answer);
          }),
          // Unplugged, or closed by the recorder: the reason is for a person
          // ("/dev/ttyUSB0 disappeared (unplugged?)"), so it travels as the error, then the close.
          link.onClose((reason) => {
            if (this.listenerCount('error') > 0) this.emit('error', new Error(reason));
            this.emit('close');
          }),
        ];
        callback(null);
      },
      (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
    );
  }

  write(data: Buffer): void {
    // modbus-serial writes its next request only when the last one was answered or given up on:
    // a send still waiting for a quiet line belongs to a request it gave up on.
    clearTimeout(this.waiting);
    if (this.framer.inStep()) return this.send(data);
    // The last request got no answer in time; its answer may still come, and would pass for this
    // one's (an RTU answer names no request). Send once the line has been quiet for a while and
    // that request's answer is overdue by as much, dropping whatever comes meanwhile.
    const overdue = this.framer.sentAt + this.timeoutMs + this.quietMs;
    this.framer.discard();
    const check = (): void => {
      const ready = Math.max(overdue, this.framer.lastByteAt + this.quietMs);
      const wait = ready - Date.now();
      if (wait <= 0) this.send(data);
      else this.waiting = setTimeout(check, wait);
    };
    check();
  }

  private send(data: Buffer): void {
    const link = this.link;
    if (!link?.isOpen) return; // the request times out; the close already said why
    this.framer.request(data);
    // A write that fails means the port closed: onClose says so, and the request times out.
    link.write(data).catch(() => {});
  }

  close(callback?: (err?: Error | null) => void): void {
    clearTimeout(this.waiting);
    const link = this.link;
    this.link = null;
    for (const stop of this.stopListening.splice(0)) stop();
    if (!link) return void callback?.(null);
    link.close().then(
      () => callback?.(null),
      () => callback?.(null), // closing a port that is already gone is no failure
    );
  }
}
