// The demo sensor is a shipped plugin like any other; a new data folder starts with it on, so the
// window shows moving values before any device is connected.

import { randomUUID } from 'node:crypto';
import type { SavedPlugins } from '../plugins';

/** The shipped demo sensor's folder (in the built-in plugins). */
export const DEMO_DIR = 'demo-signals';

/** Plugins of a data folder that has none saved yet: the demo sensor, on unless it was turned off. */
export function firstPlugins(demoEnabled: boolean): SavedPlugins {
  return {
    added: [],
    trusted: {},
    instances: [{ id: randomUUID(), folder: `builtin:${DEMO_DIR}`, name: 'demo', enabled: demoEnabled, config: {} }],
    network: [],
  };
}
