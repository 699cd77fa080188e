// Units of the metrics the recorder itself writes (its cameras' health), in one place. Plugins
// and devices say their own units (describe(), manifests, the serial form): those arrive in the
// state's metricInfo and win; this table only fills in what nobody described.

/** Suffix of a `camera.<id>.<suffix>` metric → its unit. */
const CAMERA_UNITS: Record<string, string> = {
  fps: 'fps',
  frames_sent: 'frames',
  frames_dropped: 'frames',
  restarts: 'restarts',
};

/** Conventional name endings that state their unit, for the recorder's own counters. */
const SUFFIX_UNITS: Array<[string, string]> = [
  ['points_per_s', 'pts/s'],
  ['points_per_sec', 'pts/s'],
  ['_bytes', 'B'],
  ['_ms', 'ms'],
];

/** The unit the recorder knows for one of its own metrics, or undefined. */
export function ownUnit(name: string): string | undefined {
  if (name.startsWith('camera.')) {
    const dot = name.lastIndexOf('.');
    const unit = CAMERA_UNITS[name.slice(dot + 1)];
    if (unit && dot > 'camera.'.length) return unit;
  }
  for (const [suffix, unit] of SUFFIX_UNITS) if (name.endsWith(suffix)) return unit;
  return undefined;
}

/** The unit to show: the one the source described, else the recorder's own. */
export function unitFor(name: string, described: string | undefined): string | undefined {
  return described || ownUnit(name);
}
