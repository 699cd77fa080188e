// What went wrong with a read, in a technician's words, and of which kind: the poller counts each
// kind per group. modbus-serial reports timeouts, exception responses and CRC errors as plain
// Errors with a name, a `modbusCode` or a message; they are sorted here, in one place.
import { FUNCTION_INFO, type ReadRequest } from './register-map';

export type FaultKind = 'timeout' | 'exception' | 'crc' | 'offline' | 'garbled';
export const FAULT_KINDS: readonly FaultKind[] = ['timeout', 'exception', 'crc', 'offline', 'garbled'];

export class ModbusFault extends Error {
  override name = 'ModbusFault';
  constructor(
    readonly kind: FaultKind,
    message: string,
    /** The exception code, for kind "exception". */
    readonly code?: number,
  ) {
    super(message);
  }
}

/** The standard's exception codes, named as the Modbus Application Protocol names them. */
export const EXCEPTIONS: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge (still working on an earlier request)',
  6: 'server device busy',
  7: 'negative acknowledge',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** "1 s", "0.25 s". */
export const seconds = (ms: number): string => `${Math.round(ms) / 1000} s`;

/** What a request reads: "holding register 40100", "holding registers 100–219". */
export function describeRead(req: Pick<ReadRequest, 'fn' | 'address' | 'count'>): string {
  const info = FUNCTION_INFO[req.fn];
  return req.count === 1 ? `${info.one} ${req.address}` : `${info.many} ${req.address}–${req.address + req.count - 1}`;
}

/**
 * The fault for an error modbus-serial gave for `req`. `where` is the connection
 * ("at 127.0.0.1:502", "on /dev/ttyUSB0").
 */
export function faultOf(e: unknown, req: ReadRequest, where: string, timeoutMs: number): ModbusFault {
  if (e instanceof ModbusFault) return e;
  const err = e as { name?: unknown; message?: unknown; modbusCode?: unknown; errno?: unknown } | null;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const unit = `unit ${req.unitId}`;
  if (err?.name === 'TransactionTimedOutError' || err?.errno === 'ETIMEDOUT')
    return new ModbusFault('timeout', `no answer from ${unit} ${where} within ${seconds(timeoutMs)}`);
  if (typeof err?.modbusCode === 'number') {
    const code = err.modbusCode;
    const name = EXCEPTIONS[code] ?? `exception code ${code}`;
    // A request that bridges a gap between fields may be refused for an address no row asked for.
    const hint =
      code === 2 && req.fields.length > 1
        ? ' (one request reads them all: if the device leaves gaps between them, set "Read across gaps" to 0)'
        : '';
    return new ModbusFault('exception', `${unit} refused ${describeRead(req)}: ${name}${hint}`, code);
  }
  if (/crc/i.test(message))
    return new ModbusFault(
      'crc',
      `garbled answer from ${unit} ${where} (CRC error): noise on the line, a wrong baud rate or parity, or two devices with unit id ${req.unitId}`,
    );
  if (err?.name === 'PortNotOpenError') return new ModbusFault('offline', `not connected ${where}`);
  return new ModbusFault('garbled', `unexpected answer from ${unit} ${where}: ${message}`);
}

/** A TCP connection error (refused, unreachable, no such host) in words. */
export function connectionProblem(e: unknown, timeoutMs: number): string {
  const err = e as { code?: unknown; message?: unknown } | null;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const code = typeof err?.code === 'string' ? err.code : (/\b(E[A-Z]+)\b/.exec(message)?.[1] ?? '');
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the device on, and is this its Modbus port?)';
    case 'ECONNRESET':
      return 'the device reset the connection';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the network cannot reach it (check the cable and the address)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'no such host name';
  }
  if (/timed out/i.test(message)) return `no answer within ${seconds(timeoutMs)}`;
  return message;
}
