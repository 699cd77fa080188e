// The two ways to reach an SCPI instrument, behind one small interface: a raw TCP socket (LAN
// instruments listen on port 5025) and a serial port (USB-serial or RS-232). Both carry the same
// newline-terminated text, so everything above this file is the same for both.
import { constants as fsConstants, existsSync, openSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { ReadStream, WriteStream } from 'node:tty';
import { SerialPort } from 'serialport';

export type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space';

export type Target =
  | { kind: 'tcp'; host: string; port: number }
  | {
      kind: 'serial';
      path: string;
      baudRate: number;
      dataBits: 5 | 6 | 7 | 8;
      parity: Parity;
      stopBits: 1 | 2;
      rtscts: boolean;
    };

/** What a link reports: bytes as they arrive, and its end (once, with the reason in words). */
export interface LinkEvents {
  data(chunk: Buffer): void;
  closed(why: string): void;
}

export interface Link {
  write(text: string): Promise<void>;
  /** Close on purpose: no `closed` event follows. */
  close(): Promise<void>;
}

/** "127.0.0.1:5025" or "/dev/ttyUSB0": how messages name the instrument's address. */
export function describeTarget(t: Target): string {
  return t.kind === 'tcp' ? `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}` : t.path;
}

export function openLink(target: Target, connectTimeoutMs: number, events: LinkEvents): Promise<Link> {
  return target.kind === 'tcp' ? openTcp(target, connectTimeoutMs, events) : openSerial(target, events);
}

function openTcp(t: Extract<Target, { kind: 'tcp' }>, timeoutMs: number, events: LinkEvents): Promise<Link> {
  const where = describeTarget(t);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: t.host, port: t.port });
    let open = false;
    let quiet = false; // closed by us: the owner knows, no event
    let lastError: Error | null = null;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to ${where} within ${seconds(timeoutMs)} (is the instrument on the network?)`));
    }, timeoutMs);

    socket.on('error', (e) => {
      lastError = e;
      if (!open) {
        clearTimeout(timer);
        reject(new Error(explainTcpError(where, t.port, e)));
      }
    });
    socket.on('data', (chunk: Buffer) => events.data(chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      if (!open || quiet) return;
      events.closed(
        lastError ? `the connection to ${where} broke (${lastError.message})` : `${where} closed the connection`,
      );
    });
    socket.on('connect', () => {
      clearTimeout(timer);
      open = true;
      // One short request, one short answer: Nagle's delay would add up to 40 ms to each query.
      socket.setNoDelay(true);
      // A pulled cable gives no close at all; keep-alive probes notice it even while we wait.
      socket.setKeepAlive(true, 5000);
      resolve({
        write: (text) =>
          new Promise<void>((res, rej) => {
            if (socket.destroyed) return rej(new Error(`the connection to ${where} is closed`));
            socket.write(text, (e) => (e ? rej(new Error(`writing to ${where} failed: ${e.message}`)) : res()));
          }),
        close: () =>
          new Promise<void>((res) => {
            quiet = true;
            if (socket.destroyed) return res();
            socket.once('close', () => res());
            socket.destroy();
          }),
      });
    });
  });
}

function explainTcpError(where: string, port: number, e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return `nothing accepts connections at ${where} (is the instrument on, and is ${port} its SCPI port?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot find the host of ${where} (check the address)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return `cannot reach ${where} (check the network and the address)`;
    default:
      return `cannot connect to ${where}: ${e.message}`;
  }
}

/**
 * A serial port, opened by `serialport` but read and written through Node's own tty streams.
 *
 * Why not the port's own stream: a script plugin runs in a worker thread, and serialport's native
 * reader (and its Windows writer) hooks into the process's main event loop, not the thread's.
 * Reading through it from a worker takes the whole recorder down ("Entering the V8 API without
 * proper locking"). So serialport does what it does well, setting the line up (baud rate, data
 * bits, parity, stop bits, flow control) and locking the port against other programs, and the
 * bytes go through tty streams, which live on the worker's own loop. The line settings belong
 * to the device, so they hold for every file opened on it.
 */
function openSerial(t: Extract<Target, { kind: 'serial' }>, events: LinkEvents): Promise<Link> {
  if (process.platform === 'win32')
    return Promise.reject(
      new Error(
        `${t.path}: serial instruments are not available to script plugins on Windows yet; use the instrument's LAN port`,
      ),
    );
  return new Promise((resolve, reject) => {
    const port = new SerialPort({
      path: t.path,
      baudRate: t.baudRate,
      dataBits: t.dataBits,
      parity: t.parity,
      stopBits: t.stopBits,
      rtscts: t.rtscts,
      autoOpen: false,
    });
    port.open((err) => {
      if (err) return reject(new Error(explainSerialError(t.path, err)));
      // Bytes the instrument sent before we opened (an answer to someone else's query) would be
      // taken as the answer to our first one.
      port.flush(() => {});
      let input: ReadStream;
      let output: WriteStream;
      try {
        // One file for each direction: two watchers on one file would miss each other's events.
        const flags = fsConstants.O_RDWR | fsConstants.O_NOCTTY | fsConstants.O_NONBLOCK;
        input = new ReadStream(openSync(t.path, flags));
        output = new WriteStream(openSync(t.path, flags));
      } catch (e) {
        port.close(() => {});
        return reject(new Error(`${t.path} opened, but is not a serial port (${(e as Error).message})`));
      }
      let gone = false;
      let quiet = false;
      const end = (why: string): void => {
        if (gone) return;
        gone = true;
        clearInterval(presence);
        input.destroy();
        output.destroy();
        if (port.isOpen) port.close(() => {});
        if (!quiet) events.closed(why);
      };
      input.on('data', (chunk: Buffer) => events.data(chunk));
      input.on('error', (e) => end(`${t.path} failed: ${e.message}`));
      input.on('end', () => end(`${t.path} closed (unplugged?)`));
      output.on('error', (e) => end(`${t.path} failed: ${e.message}`));
      // An unplugged USB adapter, or a pseudo-terminal whose other end died, does not always tell
      // the open file; the device file disappearing does.
      const presence = setInterval(() => {
        if (!existsSync(t.path)) end(`${t.path} disappeared (unplugged?)`);
      }, 500);
      resolve({
        write: (text) =>
          new Promise<void>((res, rej) => {
            if (gone) return rej(new Error(`${t.path} is closed`));
            output.write(text, (e) => (e ? rej(new Error(`writing to ${t.path} failed: ${e.message}`)) : res()));
          }),
        close: () =>
          new Promise<void>((res) => {
            quiet = true;
            if (port.isOpen) {
              const timer = setTimeout(res, 1000); // a port that cannot close must not hold up a stop
              port.once('close', () => {
                clearTimeout(timer);
                res();
              });
            } else setImmediate(res);
            end('closed');
          }),
      });
    });
  });
}

function explainSerialError(path: string, e: Error): string {
  const m = e.message;
  if (/ENOENT|No such file|cannot find|File not found/i.test(m))
    return `there is no serial port ${path} (is the instrument plugged in?)`;
  if (/EACCES|Permission denied|Access denied/i.test(m))
    return `no permission to open ${path} (on Linux, add your user to the "dialout" group and log in again)`;
  if (/lock|EBUSY|busy/i.test(m)) return `${path} is in use by another program`;
  return `cannot open ${path}: ${m}`;
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toPrecision(2))} s`;
}
