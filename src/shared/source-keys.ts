// Which metrics leave with their source. Each configured source writes its metrics under a prefix
// ("demo.", "camera.front.", "psu."); when a source disappears its metrics are forgotten, and when
// its settings change, the metrics it no longer writes are forgotten once it had a few seconds to
// send the new ones. The window forgets their tiles by this rule, and the host their history, so
// a reload does not bring back the tiles of a source that is gone.

import type { CameraSourceView, NetworkSourceView, PluginView, SerialSourceView } from './views';

/** The configured sources, as the state and the ticks carry them. */
export interface SourceLists {
  plugins: PluginView[];
  network: NetworkSourceView[];
  serial: SerialSourceView[];
  cameras: CameraSourceView[];
}

export interface SourceKey {
  /** Metric name prefix, with its trailing dot. */
  prefix: string;
  /** The settings that decide which metrics it writes. */
  fingerprint: string;
}

/** Time a reconfigured source (or a plugin restarting with new settings) gets to send again, ms. */
export const RETIRE_GRACE_MS = 5_000;
/** Ticks already on their way when a source was removed still carry its metrics, ms. */
export const RETIRE_LATE_MS = 1_000;

/** Every configured source's prefix and settings, by a key that survives renames of the prefix. */
export function sourceKeys(s: SourceLists): Map<string, SourceKey> {
  const out = new Map<string, SourceKey>();
  for (const p of s.plugins)
    out.set(`plugin:${p.id}`, { prefix: `${p.name}.`, fingerprint: JSON.stringify([p.name, p.config]) });
  for (const n of s.network)
    out.set(`network:${n.id}`, { prefix: `${n.config.name}.`, fingerprint: JSON.stringify(n.config) });
  for (const d of s.serial) {
    const prefix = d.config.prefix ?? d.config.name;
    // Bare field names (no prefix) cannot be told apart from other sources' metrics.
    if (prefix) out.set(`serial:${d.id}`, { prefix: `${prefix}.`, fingerprint: JSON.stringify(d.config) });
  }
  for (const c of s.cameras)
    out.set(`camera:${c.id}`, { prefix: `camera.${c.config.cameraId}.`, fingerprint: JSON.stringify(c.config) });
  return out;
}

export interface Retired {
  prefix: string;
  /** The source is gone (forget at once), rather than reconfigured (forget what it stopped writing). */
  removed: boolean;
}

/** What changed between two snapshots of the sources. */
export function retiredPrefixes(prev: Map<string, SourceKey>, next: Map<string, SourceKey>): Retired[] {
  const out: Retired[] = [];
  for (const [key, was] of prev) {
    const now = next.get(key);
    if (!now) out.push({ prefix: was.prefix, removed: true });
    else if (now.fingerprint !== was.fingerprint) out.push({ prefix: was.prefix, removed: false });
  }
  return out;
}
