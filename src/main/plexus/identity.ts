// Device identity: an install id generated once per data dir (PLEXUS_INSTALL_ID wins), and the
// source id, including a name the gateway assigned instead of the one we asked for.

import { randomUUID } from 'node:crypto';
import type { Store } from './store';
import { SOURCE_ID_RE } from './limits';

export function installId(store: Store, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.PLEXUS_INSTALL_ID?.trim();
  if (fromEnv) return fromEnv;
  let id = store.getMeta('install_id');
  if (!id) {
    id = randomUUID().replace(/-/g, '');
    store.setMeta('install_id', id);
  }
  return id;
}

/** The name to ask for: the one the gateway assigned last time we asked for `requested`, if any. */
export function effectiveSourceId(store: Store, requested: string): string {
  const assigned = store.getMeta(`assigned:${requested}`);
  return assigned && SOURCE_ID_RE.test(assigned) ? assigned : requested;
}

/** Remember that asking for `requested` got us `assigned`. */
export function rememberAssigned(store: Store, requested: string, assigned: string): void {
  store.setMeta(`assigned:${requested}`, assigned);
}

export function lastSourceId(store: Store): string | undefined {
  return store.getMeta('source_id');
}

export function rememberSourceId(store: Store, id: string): void {
  store.setMeta('source_id', id);
}

/** What device_auth says about this device besides its name, key and install id. */
export interface DeviceInfo {
  platform: string;
  agentVersion: string;
  sensors: unknown;
}

/** The first WebSocket message (protocol §2); cameras and sensors only when there are any. */
export function deviceAuthMessage(
  device: DeviceInfo & { installId: string; sourceId: string; apiKey: string },
  commands: unknown[],
  cameras: Array<{ camera_id: string; video_type: string }>,
): Record<string, unknown> {
  const msg: Record<string, unknown> = {
    type: 'device_auth',
    api_key: device.apiKey,
    source_id: device.sourceId,
    platform: device.platform,
    agent_version: device.agentVersion,
    install_id: device.installId,
    commands,
  };
  if (cameras.length > 0) msg.cameras = cameras;
  if (device.sensors !== undefined) msg.sensors = device.sensors;
  return msg;
}
