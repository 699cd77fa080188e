// A run's details as the technician types them (name, operator, description, and fields as
// key = value rows), checked here with the contract's own rules before anything is sent, so a
// wrong key is shown next to its row instead of as a refusal after Save.
import {
  MAX_RUN_FIELDS,
  RESERVED_RUN_FIELDS,
  RUN_FIELD_KEY_RE,
  RUN_FIELD_KEY_RULE,
  type RunMetaView,
} from '../../../shared/contract';

export interface FieldRow {
  key: string;
  value: string;
}

export interface DetailsDraft {
  operator: string;
  description: string;
  fields: FieldRow[];
}

export const EMPTY_DETAILS: DetailsDraft = { operator: '', description: '', fields: [] };

/** The rows of a run's fields, in the order the host lists them. */
export function rowsFrom(fields: Record<string, string> | undefined): FieldRow[] {
  return Object.entries(fields ?? {}).map(([key, value]) => ({ key, value }));
}

export function draftFrom(meta: RunMetaView | undefined): DetailsDraft {
  return { operator: meta?.operator ?? '', description: meta?.description ?? '', fields: rowsFrom(meta?.fields) };
}

/** A row left empty is ignored: adding one and not using it must not block saving. */
const blank = (r: FieldRow): boolean => !r.key.trim() && !r.value.trim();

/** Why each row cannot be saved (null when it can), in the technician's words. */
export function fieldProblems(rows: readonly FieldRow[]): Array<string | null> {
  const seen = new Set<string>();
  let used = 0;
  return rows.map((r) => {
    if (blank(r)) return null;
    const key = r.key.trim();
    used++;
    if (!key) return 'give the field a name';
    if (!RUN_FIELD_KEY_RE.test(key)) return `the name: ${RUN_FIELD_KEY_RULE}`;
    if ((RESERVED_RUN_FIELDS as readonly string[]).includes(key))
      return `"${key}" is set by the recorder itself; choose another name`;
    if (seen.has(key)) return `"${key}" is used twice; keep one`;
    seen.add(key);
    if (!r.value.trim()) return 'give the field a value';
    if (r.value.trim().length > 200) return 'a field value is at most 200 characters';
    if (used > MAX_RUN_FIELDS) return `at most ${MAX_RUN_FIELDS} fields: remove this one`;
    return null;
  });
}

/** The first problem of any row, for a message away from the rows (the Start button). */
export function firstFieldProblem(rows: readonly FieldRow[]): string | null {
  return fieldProblems(rows).find((p) => p !== null) ?? null;
}

/** The fields as the contract takes them (blank rows left out, keys and values trimmed). */
export function fieldsOf(rows: readonly FieldRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) if (!blank(r)) out[r.key.trim()] = r.value.trim();
  return out;
}

/** "part=PSU-7 · fixture=B", for a run's line in a list. */
export function fieldsText(fields: Record<string, string> | undefined): string {
  return Object.entries(fields ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' · ');
}
