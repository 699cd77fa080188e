// A plugin's config as the settings form edits it — text for number and text fields, true/false
// for checkboxes — and back to the values plugin.configure takes, with a problem per field. Pure
// functions, so the rules match the host's: both use valueProblem from the shared schema module.
import { valueProblem, type ConfigField, type ConfigSchema, type ConfigValues } from '../../../shared/plugin-config';

export type ConfigDraft = Record<string, string | boolean>;

/** The form's starting values: the instance's config (the host sends the effective one). */
export function draftFromConfig(schema: ConfigSchema, config: ConfigValues): ConfigDraft {
  const d: ConfigDraft = {};
  for (const [k, f] of Object.entries(schema.properties)) {
    const v = config[k];
    if (f.type === 'boolean') d[k] = typeof v === 'boolean' ? v : (f.default ?? false);
    else if (f.type === 'string' && f.enum) d[k] = typeof v === 'string' ? v : (f.default ?? '');
    else d[k] = v === undefined ? '' : String(v);
  }
  return d;
}

type Parsed = { set: true; value: string | number | boolean } | { set: false } | { problem: string };

/** One field's draft as a value: unset (the default applies) or a value, or why it is wrong. */
function parseField(f: ConfigField, raw: string | boolean | undefined, required: boolean): Parsed {
  if (f.type === 'boolean') return { set: true, value: raw === true };
  const text = typeof raw === 'string' ? raw : '';
  const blank = f.type === 'string' ? text === '' : text.trim() === '';
  if (blank) {
    // An empty field means "the default"; without one, only a required field must be filled.
    if (f.default === undefined && required) return { problem: 'is required' };
    return { set: false };
  }
  const value = f.type === 'string' ? text : Number(text.trim());
  const problem = valueProblem(f, value);
  return problem ? { problem } : { set: true, value };
}

/** Human words for a field's range, e.g. "from 0.1 to 1000 Hz" (null when unbounded). */
export function rangeWords(f: ConfigField): string | null {
  if (f.type !== 'number' && f.type !== 'integer') return null;
  const unit = f.unit ? ` ${f.unit}` : '';
  const whole = f.type === 'integer' ? 'a whole number ' : '';
  if (f.minimum !== undefined && f.maximum !== undefined) return `${whole}from ${f.minimum} to ${f.maximum}${unit}`;
  if (f.minimum !== undefined) return `${whole}of at least ${f.minimum}${unit}`;
  if (f.maximum !== undefined) return `${whole}of at most ${f.maximum}${unit}`;
  return f.type === 'integer' ? 'a whole number' : null;
}

/** The values to send and the problem of each field that has one (empty when all are fine). */
export function configFromDraft(
  schema: ConfigSchema,
  draft: ConfigDraft,
): { config: ConfigValues; problems: Record<string, string> } {
  const config: ConfigValues = {};
  const problems: Record<string, string> = {};
  for (const [k, f] of Object.entries(schema.properties)) {
    const r = parseField(f, draft[k], schema.required?.includes(k) ?? false);
    if ('problem' in r) problems[k] = r.problem;
    else if (r.set) config[k] = r.value;
  }
  return { config, problems };
}
