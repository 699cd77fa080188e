// The sources a run can be told to record, by the keys `run.start` takes (`plugin:<id>` — the demo
// sensor is a plugin — `network:<id>`, `serial:<id>`, `camera:<id>`, as source-keys.ts names them)
// and the names the technician knows them by. Webcams streamed from a window have no such key:
// they are listed apart, as not choosable.
import type { SourcesStore } from '../stores/sourcesStore';

export interface SourceChoice {
  key: string;
  name: string;
  /** What kind of source, in a word: "plugin", "serial device"… */
  kind: string;
  /** Switched on now (a source that is off records nothing, ticked or not). */
  on: boolean;
}

export function configuredSources(s: Pick<SourcesStore, 'plugins' | 'network' | 'serial' | 'cameras'>): SourceChoice[] {
  return [
    ...s.plugins.map((p) => ({ key: `plugin:${p.id}`, name: p.name, kind: 'plugin', on: p.enabled })),
    ...s.serial.map((d) => ({ key: `serial:${d.id}`, name: d.config.name, kind: 'serial device', on: d.enabled })),
    ...s.network.map((n) => ({ key: `network:${n.id}`, name: n.config.name, kind: 'network', on: n.enabled })),
    ...s.cameras.map((c) => ({
      key: `camera:${c.id}`,
      name: c.config.name || c.config.cameraId,
      kind: 'camera',
      on: c.enabled,
    })),
  ];
}
