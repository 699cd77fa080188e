// Which metric a topic records as. A technician writes rules as a table of topic filters (with
// MQTT's `+` and `#` wildcards) and metric templates; the first rule whose filter matches a topic
// names its metric. Rules are compiled once, when the plugin starts, and each topic's answer is
// remembered: a broker repeats the same few topics at high rates, so the per-message cost is one
// Map lookup, not a split and a walk over the rules.
//
// Templates:
//   {1}, {2}, …  what the filter's wildcards matched, in order (`#` gives its levels joined by ".")
//   {t1}, {t2}…  a level of the topic, counted from 1
//   {t2..}       the levels from the 2nd on, joined by "."
//   {topic}      the whole topic, "/" replaced by "."
// An empty template means the default: drop the first level and join the rest with "."
// (`lab/rig1/temp` → `rig1.temp`), since the first level is usually the site or lab, which the
// plugin instance's own name already says.

/** One rule as the technician writes it (a row of the rules table). */
export interface TopicRule {
  filter: string;
  /** The metric template; empty or missing: the default rule. */
  metric?: string | undefined;
  /** The unit of the numbers it records, e.g. "°C"; empty or missing: none. */
  unit?: string | undefined;
  /** 0 (at most once) or 1 (at least once). */
  qos?: number | undefined;
}

/** Where a topic's values go. */
export interface Target {
  metric: string;
  unit: string | null;
}

export interface Subscription {
  filter: string;
  qos: 0 | 1;
}

type Part = string | { wildcard: number } | { level: number; rest: boolean } | { topic: true };

interface CompiledRule {
  levels: readonly string[];
  /** Does the filter end in `#`? */
  multi: boolean;
  template: readonly Part[] | null;
  unit: string | null;
  qos: 0 | 1;
}

/** Topics remembered; past this the memory is cleared (topics made of serial numbers or ids). */
const CACHE_LIMIT = 10_000;
const PLACEHOLDER = /\{([^{}]*)\}/g;
const PLACEHOLDER_FORMS = '{1}, {t1}, {t2..} or {topic}';

export class TopicMap {
  private readonly cache = new Map<string, Target | null>();

  private constructor(private readonly rules: readonly CompiledRule[]) {}

  /**
   * Compiles the rules. A rule that cannot work is left out and explained in `problems` (the
   * others still run): one typo must not stop every other topic from being recorded.
   */
  static compile(rows: readonly TopicRule[]): { map: TopicMap; problems: string[] } {
    const rules: CompiledRule[] = [];
    const problems: string[] = [];
    rows.forEach((row, i) => {
      const where = `rule ${i + 1} (${JSON.stringify(row.filter)})`;
      try {
        rules.push(compileRule(row));
      } catch (e) {
        problems.push(`${where}: ${(e as Error).message}`);
      }
    });
    return { map: new TopicMap(rules), problems };
  }

  get size(): number {
    return this.rules.length;
  }

  /** The metric (and unit) of a topic, or null when no rule's filter matches it. */
  resolve(topic: string): Target | null {
    const hit = this.cache.get(topic);
    if (hit !== undefined) return hit;
    const target = this.lookUp(topic);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(topic, target);
    return target;
  }

  /**
   * The filters to subscribe to: each rule's, except those another rule's filter already covers.
   * A broker may deliver a message once per matching subscription (Mosquitto does), and the
   * recording must hold each reading once; the covering filter takes the highest QoS it covers.
   */
  subscriptions(): Subscription[] {
    const filters = new Map<string, 0 | 1>();
    for (const r of this.rules) {
      const f = r.levels.join('/');
      filters.set(f, Math.max(filters.get(f) ?? 0, r.qos) as 0 | 1);
    }
    const all = [...filters.keys()];
    const out: Subscription[] = [];
    for (const f of all) {
      if (all.some((g) => g !== f && covers(g, f))) continue;
      let qos = filters.get(f)!;
      for (const g of all) if (g !== f && covers(f, g)) qos = Math.max(qos, filters.get(g)!) as 0 | 1;
      out.push({ filter: f, qos });
    }
    return out;
  }

  private lookUp(topic: string): Target | null {
    const levels = topic.split('/');
    const captures: string[] = [];
    for (const rule of this.rules) {
      captures.length = 0;
      if (!matches(rule, levels, captures)) continue;
      const metric = (rule.template && render(rule.template, levels, captures)) || defaultMetric(levels);
      return { metric, unit: rule.unit };
    }
    return null;
  }
}

function compileRule(row: TopicRule): CompiledRule {
  const filter = row.filter.trim();
  if (filter === '') throw new Error('the topic filter is empty');
  if (filter.includes('\u0000')) throw new Error('a topic filter cannot hold a NUL character');
  const levels = filter.split('/');
  let wildcards = 0;
  levels.forEach((level, i) => {
    if (level === '+' || (level === '#' && i === levels.length - 1)) wildcards++;
    else if (level.includes('#')) throw new Error('"#" must be a whole level, and the last one (like lab/#)');
    else if (level.includes('+')) throw new Error('"+" must be a whole level (like lab/+/temp)');
  });
  const multi = levels[levels.length - 1] === '#';
  const qos = row.qos ?? 0;
  if (qos !== 0 && qos !== 1) throw new Error(`QoS must be 0 or 1, not ${qos}`);
  const unit = row.unit?.trim() || null;
  const text = row.metric?.trim() ?? '';
  const template = text === '' ? null : compileTemplate(text, wildcards, multi ? null : levels.length);
  return { levels, multi, template, unit, qos };
}

/**
 * Parses a template into literal text and placeholders, refusing placeholders that could never
 * be filled (a {3} with two wildcards): better said once at start than an odd metric name later.
 */
function compileTemplate(text: string, wildcards: number, fixedLevels: number | null): Part[] {
  const parts: Part[] = [];
  let from = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > from) parts.push(text.slice(from, m.index));
    from = m.index + m[0].length;
    const inner = m[1]!.trim();
    let match: RegExpExecArray | null;
    if (inner === 'topic') parts.push({ topic: true });
    else if ((match = /^(\d+)$/.exec(inner))) {
      const n = Number(match[1]);
      if (n < 1 || n > wildcards)
        throw new Error(
          wildcards === 0
            ? `{${n}} refers to a wildcard, but the filter has none (use {t1}, {t2}… for its levels)`
            : `{${n}} refers to wildcard ${n}, but the filter has ${wildcards}`,
        );
      parts.push({ wildcard: n - 1 });
    } else if ((match = /^t(\d+)(\.\.)?$/.exec(inner))) {
      const n = Number(match[1]);
      if (n < 1) throw new Error(`{${inner}}: topic levels are counted from 1`);
      if (fixedLevels !== null && n > fixedLevels)
        throw new Error(`{${inner}} refers to level ${n}, but the filter's topics have ${fixedLevels}`);
      parts.push({ level: n - 1, rest: match[2] !== undefined });
    } else throw new Error(`unknown placeholder {${inner}} in the metric (use ${PLACEHOLDER_FORMS})`);
  }
  if (from < text.length) parts.push(text.slice(from));
  if (/[{}]/.test(parts.filter((p) => typeof p === 'string').join('')))
    throw new Error(`unbalanced "{" or "}" in the metric (placeholders are ${PLACEHOLDER_FORMS})`);
  return parts;
}

/** MQTT's matching, collecting what the wildcards matched. */
function matches(rule: CompiledRule, levels: readonly string[], captures: string[]): boolean {
  const f = rule.levels;
  // Topics starting with "$" ($SYS/…) are the broker's own; wildcards at the first level never
  // match them, as MQTT specifies, so a "#" rule does not record the broker's statistics.
  if (levels[0]!.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  const fixed = rule.multi ? f.length - 1 : f.length;
  if (rule.multi ? levels.length < fixed : levels.length !== fixed) return false;
  for (let i = 0; i < fixed; i++) {
    const want = f[i]!;
    if (want === '+') captures.push(levels[i]!);
    else if (want !== levels[i]) return false;
  }
  if (rule.multi) captures.push(levels.slice(fixed).join('.'));
  return true;
}

function render(template: readonly Part[], levels: readonly string[], captures: readonly string[]): string {
  let out = '';
  for (const p of template) {
    if (typeof p === 'string') out += p;
    else if ('wildcard' in p) out += captures[p.wildcard] ?? '';
    else if ('topic' in p) out += levels.join('.');
    else out += p.rest ? levels.slice(p.level).join('.') : (levels[p.level] ?? '');
  }
  return tidy(out);
}

/** The default rule: drop the first level, join the rest with "." (the whole topic if one level). */
function defaultMetric(levels: readonly string[]): string {
  return tidy(levels.length > 1 ? levels.slice(1).join('.') : levels[0]!) || tidy(levels.join('.')) || '_';
}

/**
 * Drops empty name parts: a `#` that matched nothing, or an empty topic level (`lab//temp`),
 * would otherwise leave names like `rig1..temp` or `rig1.`.
 */
function tidy(name: string): string {
  if (!name.includes('..') && !name.startsWith('.') && !name.endsWith('.')) return name;
  return name
    .split('.')
    .filter((s) => s !== '')
    .join('.');
}

/** Does every topic that filter `b` matches also match filter `a`? */
export function covers(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  // "$" topics are only matched by filters naming them ($SYS/#), never by a leading wildcard.
  if ((x[0] === '+' || x[0] === '#') && y[0]!.startsWith('$')) return false;
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!;
    if (p === '#') return true;
    const q = y[i];
    if (q === undefined) return false;
    if (q === '#') return false; // b reaches any depth; a (without # here) does not
    if (p !== '+' && p !== q) return false;
  }
  return x.length === y.length;
}

/** Does the filter match this topic (a topic has no wildcards, so it is a filter `covers`)? */
export function filterMatches(filter: string, topic: string): boolean {
  return covers(filter, topic);
}
