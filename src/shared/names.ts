// The naming rules, once for both sides: the client and host (Node) refuse a bad name, the window
// checks the same rule as the technician types. No Node or zod imports: the renderer bundles it,
// and the Plexus client uses it without pulling in the window's contract.

/**
 * The device name rule (Plexus device setup): also the Plexus source id. Stricter than what the
 * gateway accepts (docs/protocol.md), so a name that passes here is never refused there.
 */
export const DEVICE_NAME_RE = /^[a-z0-9][a-z0-9_-]{1,62}$/;
export const DEVICE_NAME_RULE =
  '2–63 characters: lowercase letters, digits, "-" or "_", starting with a letter or digit';

/** Why a device name is not valid, or null when it is (for live validation in the window). */
export function deviceNameProblem(name: string): string | null {
  // Counted and reported in characters (code points), not UTF-16 units: an emoji is one character
  // and must be shown whole, never as half a surrogate pair ("�").
  const chars = [...name].length;
  if (chars === 0) return 'enter a name';
  if (chars < 2) return 'at least 2 characters';
  if (chars > 63) return `at most 63 characters (this one has ${chars})`;
  if (/[A-Z]/.test(name)) return 'lowercase letters only';
  if (!/^[a-z0-9]/.test(name)) return 'must start with a letter or digit';
  const bad = name.match(/[^a-z0-9_-]/u);
  if (bad) return `"${bad[0]}" is not allowed: use letters, digits, "-" or "_"`;
  return DEVICE_NAME_RE.test(name) ? null : DEVICE_NAME_RULE;
}

/**
 * A plugin instance's or a network source's name: also the prefix of its metric names. The device
 * name rule, except that one character is enough.
 */
export const SOURCE_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const SOURCE_NAME_RULE =
  '1–63 characters: lowercase letters, digits, "-" or "_", starting with a letter or digit (it prefixes the metric names)';

/**
 * The one rule for the part of a metric name a source contributes: a serial device's prefix, a
 * camera's id (`camera.<id>.fps`), a plugin instance's or network source's name. The source name
 * rule, so every metric a source records starts the same way, whatever kind of source it is.
 */
export const METRIC_PREFIX_RE = SOURCE_NAME_RE;
export const METRIC_PREFIX_MAX = 63;
export const METRIC_PREFIX_RULE = 'lowercase letters, digits, "-" or "_", starting with a letter or digit';

/** Why `prefix` cannot start metric names (null when it can), in characters (code points). */
export function metricPrefixProblem(prefix: string): string | null {
  const chars = [...prefix].length;
  if (chars === 0) return 'enter a name';
  if (chars > METRIC_PREFIX_MAX) return `at most ${METRIC_PREFIX_MAX} characters (this one has ${chars})`;
  if (/\s/.test(prefix)) return `no spaces: ${METRIC_PREFIX_RULE}`;
  if (/[A-Z]/.test(prefix)) return `lowercase letters only: ${METRIC_PREFIX_RULE}`;
  if (!/^[a-z0-9]/.test(prefix)) return 'must start with a letter or digit';
  const bad = prefix.match(/[^a-z0-9_-]/u);
  if (bad) return `"${bad[0]}" is not allowed: ${METRIC_PREFIX_RULE}`;
  return METRIC_PREFIX_RE.test(prefix) ? null : METRIC_PREFIX_RULE;
}

/**
 * A valid metric prefix derived from a free-text display name ("Front Cam" → `front_cam`,
 * "Température °C" → `temperature_c`): accents dropped, anything else that is not a letter or
 * digit becomes one "_". The window shows it before saving and the host applies the same rule, so
 * a display name never reaches a metric name. `fallback` when nothing usable is left.
 */
export function metricPrefixFrom(display: string, fallback = 'source'): string {
  const p = display
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '_')
    .replace(/^[_-]+/, '')
    .slice(0, METRIC_PREFIX_MAX)
    .replace(/[_-]+$/, '');
  return p || fallback;
}
