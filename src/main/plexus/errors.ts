// The client's error tree. It separates "your input or configuration is wrong" (fix the call)
// from "the gateway or network refused" (the client copes and reports), so a caller can tell
// at a glance whether to change code or wait.

export class PlexusError extends Error {
  override name = 'PlexusError';
}

/** A point or argument broke one of the gateway's rules (docs/protocol.md §3); nothing was buffered. */
export class ValidationError extends PlexusError {
  override name = 'ValidationError';
  constructor(
    /** Short id of the rule, e.g. `metric.length`, `value.finite`, `tags.count`. */
    readonly rule: string,
    /** The offending value (possibly shortened for display). */
    readonly value: unknown,
    message: string,
  ) {
    // Every validation message names its rule, so a log line alone says what to fix.
    super(message.includes(`rule ${rule}`) ? message : `${message} (rule ${rule})`);
  }
}

/** The client was configured in a way that cannot work (bad URL, bad source id, bad option). */
export class ConfigError extends PlexusError {
  override name = 'ConfigError';
}

/** The gateway refused our API key (invalid, lacks write scope, or billing-disabled). */
export class AuthError extends PlexusError {
  override name = 'AuthError';
}

/** A network or gateway failure the client retries on its own. Reported, never thrown at send(). */
export class TransportError extends PlexusError {
  override name = 'TransportError';
}

/** The local buffer (SQLite) failed: disk full, permissions, corruption. */
export class StorageError extends PlexusError {
  override name = 'StorageError';
}

/** The client was used after close(). */
export class ClosedError extends PlexusError {
  override name = 'ClosedError';
  constructor() {
    super('this Plexus client is closed');
  }
}

/** Render a value for an error message: short, single line, never huge. */
export function describeValue(v: unknown, max = 60): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (typeof v === 'bigint') s = `${v}n`;
  else if (typeof v === 'number' || typeof v === 'boolean' || v == null) s = String(v);
  else if (typeof v === 'function') s = 'a function';
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = Object.prototype.toString.call(v);
    }
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
