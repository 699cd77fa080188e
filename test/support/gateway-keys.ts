// API key checks of the fake gateway, as the real one makes them (docs/protocol.md §10): a key is checked
// against the platform, the answer is cached (valid 60 s, invalid 10 s), and the platform check
// allows 30 checks per minute per client IP. Every test client comes from 127.0.0.1, so they
// share one budget. A check refused by that limit answers like an unreachable key service
// ("invalid"), and is not cached.
//
// In dev mode ('any') every key is valid and nothing is checked, cached or counted.

import { hrNow } from './gateway-records';
import type { KeyInfo } from './gateway-ingest';

export type KeyTable = Record<string, { org: string; scopes: string[] }> | 'any';

export interface KeyCheckRecord {
  /** The key as presented (tests use short fake keys; nothing secret). */
  key: string;
  result: 'valid' | 'invalid' | 'limited';
  /** Answered from the cache, without asking the platform. */
  cached: boolean;
  at: number;
}

export interface KeyCheckOptions {
  validCacheMs?: number; // default 60_000
  invalidCacheMs?: number; // default 10_000
  checksPerMinute?: number; // default 30
}

const DEV: KeyInfo = { org: 'dev', scopes: [] };

export class KeyChecker {
  /** Every verification, cached or not, in order. */
  readonly records: KeyCheckRecord[] = [];
  private table: KeyTable;
  private readonly cache = new Map<string, { info: KeyInfo | null; until: number }>();
  /** Times (performance.now) of the platform checks of the last minute. */
  private checks: number[] = [];
  private readonly validMs: number;
  private readonly invalidMs: number;
  private readonly perMinute: number;

  constructor(table: KeyTable, opts: KeyCheckOptions = {}) {
    this.table = table;
    this.validMs = opts.validCacheMs ?? 60_000;
    this.invalidMs = opts.invalidCacheMs ?? 10_000;
    this.perMinute = opts.checksPerMinute ?? 30;
  }

  /** The platform's keys change (a key created, revoked): cached answers stay until they expire. */
  setTable(table: KeyTable): void {
    this.table = table;
  }

  verify(key: string): KeyInfo | null {
    const table = this.table;
    if (table === 'any') return DEV;
    const now = performance.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) {
      this.records.push({ key, result: hit.info ? 'valid' : 'invalid', cached: true, at: hrNow() });
      return hit.info;
    }
    this.checks = this.checks.filter((t) => now - t < 60_000);
    if (this.checks.length >= this.perMinute) {
      this.records.push({ key, result: 'limited', cached: false, at: hrNow() });
      return null;
    }
    this.checks.push(now);
    const info = table[key] ?? null;
    this.cache.set(key, { info, until: now + (info ? this.validMs : this.invalidMs) });
    this.records.push({ key, result: info ? 'valid' : 'invalid', cached: false, at: hrNow() });
    return info;
  }

  /** The gateway process restarted: its cache and its limiter start empty. */
  forget(): void {
    this.cache.clear();
    this.checks = [];
  }
}
