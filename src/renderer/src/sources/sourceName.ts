// Live checks for the name of a plugin instance or network source: it prefixes every metric the
// source records, so it follows the contract's rule and is unique among those sources.
import { SOURCE_NAME_RE, SOURCE_NAME_RULE } from '../../../shared/names';

/** Why `name` cannot be used (null when it can). `taken`: names other sources use. */
export function sourceNameProblem(name: string, taken: ReadonlySet<string>): string | null {
  if (name.length === 0) return 'enter a name';
  if (/[A-Z]/.test(name)) return `lowercase letters only — ${SOURCE_NAME_RULE}`;
  if (!SOURCE_NAME_RE.test(name)) return SOURCE_NAME_RULE;
  if (taken.has(name)) return `another source is named "${name}" — choose another name`;
  return null;
}

/** `base`, or `base-2`, `base-3`… whichever is free (as the host picks when no name is given). */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  let n = base;
  for (let i = 2; taken.has(n); i++) n = `${base}-${i}`;
  return n;
}
