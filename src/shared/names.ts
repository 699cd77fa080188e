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
  if (name.length === 0) return 'enter a name';
  if (name.length < 2) return 'at least 2 characters';
  if (name.length > 63) return `at most 63 characters (this one has ${name.length})`;
  if (/[A-Z]/.test(name)) return 'lowercase letters only';
  if (!/^[a-z0-9]/.test(name)) return 'must start with a letter or digit';
  const bad = name.match(/[^a-z0-9_-]/);
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
