// Which session holds each device name, per organisation (the Go hub's deviceConns): a second
// connection under a name evicts the first, or, on legacy gateways, is renamed name_2, name_3….

import type { DeviceSession } from './gateway-session';

export class SessionRegistry {
  /** org -> source name -> registered session. */
  private readonly byOrg = new Map<string, Map<string, DeviceSession>>();

  constructor(
    private readonly suffixDuplicates: boolean,
    /** Called when a session leaves the registry (its source-limit entry is forgotten). */
    private readonly onUnregister: (org: string, sourceId: string) => void,
  ) {}

  /** The name a connection gets: the requested one, or name_N in legacy suffix mode. */
  assignName(org: string, sourceId: string): string {
    const taken = this.byOrg.get(org);
    if (!this.suffixDuplicates || !taken?.has(sourceId)) return sourceId;
    let n = 2;
    while (taken.has(`${sourceId}_${n}`)) n++;
    return `${sourceId}_${n}`;
  }

  /** Registers the authenticated session, evicting an older one with the same (org, name). */
  register(s: DeviceSession): void {
    let m = this.byOrg.get(s.org);
    if (!m) this.byOrg.set(s.org, (m = new Map()));
    const old = m.get(s.sourceId);
    m.set(s.sourceId, s);
    if (old && old !== s) old.evict();
  }

  /** Unregisters it if it is still the registered one. */
  unregister(s: DeviceSession): void {
    const m = this.byOrg.get(s.org);
    if (m?.get(s.sourceId) !== s) return; // already superseded by a newer connection
    m.delete(s.sourceId);
    this.onUnregister(s.org, s.sourceId);
  }

  /** The session connected as sourceId, in any organisation; throws when there is none. */
  find(sourceId: string): DeviceSession {
    for (const m of this.byOrg.values()) {
      const s = m.get(sourceId);
      if (s) return s;
    }
    throw new Error(`test gateway: source ${JSON.stringify(sourceId)} is not connected`);
  }

  sources(): string[] {
    const out: string[] = [];
    for (const m of this.byOrg.values()) out.push(...m.keys());
    return out;
  }

  clear(): void {
    this.byOrg.clear();
  }
}
