// The two ways to reach an SCPI instrument, behind one small interface: a raw TCP socket (LAN
// instruments listen on port 5025) and a serial port (USB-serial or RS-232). Both carry the same
// newline-terminated text, so everything above this file is the same for both.
import { connect, type Socket } from 'node:net';
import type { SerialPorts } from 'plexus-bench/plugin';

export type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space';

export type TcpTarget = { kind: 'tcp'; host: string; port: number };
export type SerialTarget = {
  kind: 'serial';
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: Parity;
  stopBits: 1 | 2;
};
export type Target = TcpTarget | SerialTarget;

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

/**
 * Opens the link. `serial` is the plugin's ctx.serial (the recorder opens serial ports for it);
 * a TCP target needs none.
 */
export function openLink(target: TcpTarget, connectTimeoutMs: number, events: LinkEvents): Promise<Link>;
export function openLink(
  target: Target,
  connectTimeoutMs: number,
  events: LinkEvents,
  serial: SerialPorts,
): Promise<Link>;
export function openLink(
  target: Target,
  connectTimeoutMs: number,
  events: LinkEvents,
  serial?: SerialPorts,
): Promise<Link> {
  if (target.kind === 'tcp') return openTcp(target, connectTimeoutMs, events);
  // Only reachable past the overloads' types.
  if (!serial) return Promise.reject(new Error(`${target.path}: no serial ports to open it with`));
  return openSerial(target, serial, events);
}

function openTcp(t: TcpTarget, timeoutMs: number, events: LinkEvents): Promise<Link> {
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
 * A serial port, opened by the recorder on the plugin's behalf (ctx.serial). A script plugin runs
 * in a worker thread, where serial drivers cannot run; the recorder's own thread holds the port,
 * sets the line up and notices an unplugged adapter, and the bytes cross to this thread.
 */
async function openSerial(t: SerialTarget, serial: SerialPorts, events: LinkEvents): Promise<Link> {
  // The recorder's message already names the port and says what to do (plug it in, join a group,
  // close the program holding it).
  const link = await serial.open(t.path, {
    baudRate: t.baudRate,
    dataBits: t.dataBits,
    parity: t.parity,
    stopBits: t.stopBits,
  });
  // Copied: the line splitter keeps pieces of a chunk until their line ends, and the API does not
  // promise a chunk stays untouched once its listener returned.
  link.onData((bytes) => events.data(Buffer.from(bytes)));
  // Not called for our own close(), as the owner expects.
  link.onClose((why) => events.closed(why));
  return {
    write: (text) => link.write(text),
    close: () =>
      new Promise<void>((res) => {
        // A port that cannot close must not hold up a stop (the recorder closes it then anyway).
        const timer = setTimeout(res, 1000);
        const done = (): void => {
          clearTimeout(timer);
          res();
        };
        link.close().then(done, done);
      }),
  };
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toPrecision(2))} s`;
}
