// The serial part of the host ↔ worker protocol. The host's thread holds the port; bytes cross in
// batches (a few milliseconds' worth, transferred, not copied) so a fast stream costs a few hundred
// messages a second, not one per driver read. Both directions are bounded: the host stops reading
// a port while the worker has too many bytes unacknowledged, and the worker keeps its writes
// (not the host) once too many bytes are on their way.

import type { SerialPortInfo } from '../api';

/** Bytes read are held this long at most before they cross (ms). */
export const SERIAL_FLUSH_MS = 2;
/** …or cross at once when this many collected. */
export const SERIAL_FLUSH_BYTES = 64 * 1024;
/** Above this many bytes sent to the worker and not yet taken, the host stops reading the port. */
export const SERIAL_READ_HIGH = 1024 * 1024;
/** …and reads again once the worker is down to this many. */
export const SERIAL_READ_LOW = 256 * 1024;
/** A write crosses in pieces of at most this many bytes… */
export const SERIAL_WRITE_PIECE = 64 * 1024;
/** …with at most this many bytes handed to the host and not yet taken by the driver. */
export const SERIAL_WRITE_WINDOW = 256 * 1024;

export type SerialHostMessage =
  | { t: 'serial-opened'; req: number; ok: true; id: number; path: string }
  | { t: 'serial-opened'; req: number; ok: false; error: string }
  | { t: 'serial-data'; id: number; bytes: Uint8Array }
  /** A piece of a write was taken (`last`: the whole write was drained), or failed. */
  | { t: 'serial-written'; id: number; seq: number; error: string | null }
  /** The link closed; `requested`: the plugin's own close() (no onClose then). */
  | { t: 'serial-closed'; id: number; reason: string; requested: boolean }
  | { t: 'serial-ports'; req: number; ok: true; ports: SerialPortInfo[] }
  | { t: 'serial-ports'; req: number; ok: false; error: string };

export type SerialWorkerMessage =
  | { t: 'serial-open'; req: number; path: unknown; options: unknown }
  | { t: 'serial-write'; id: number; seq: number; bytes: Uint8Array; last: boolean }
  | { t: 'serial-close'; id: number }
  /** The worker took `n` bytes of data (handed them to its listeners). */
  | { t: 'serial-ack'; id: number; n: number }
  | { t: 'serial-list'; req: number };
