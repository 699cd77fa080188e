// Text for a metric's value: fixed decimals with thousands separators for numbers, readable words
// for text. The host sends objects (a camera's `{state, message}`) as JSON text; a technician
// reads "streaming", not braces and quotes. Formatters are cached per decimal count (Intl
// construction is costly).

const formatters = new Map<number, Intl.NumberFormat>();

function formatter(decimals: number): Intl.NumberFormat {
  let f = formatters.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    formatters.set(decimals, f);
  }
  return f;
}

export function formatNumber(v: number, decimals: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return formatter(decimals).format(v);
}

/** Keys that, when an object has them, say what it is on their own (in this order). */
const HEADLINE_KEYS = ['state', 'status', 'note', 'message', 'text', 'value', 'name'];

function scalar(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return '—';
  return null;
}

/** A parsed JSON value as words: scalars as they are, lists joined, objects by their headline key. */
function readable(v: unknown): string {
  const s = scalar(v);
  if (s !== null) return s;
  if (Array.isArray(v)) return v.map(readable).join(', ');
  const o = v as Record<string, unknown>;
  for (const k of HEADLINE_KEYS) {
    const h = scalar(o[k]);
    if (h !== null && h !== '') return h;
  }
  const parts = Object.entries(o).map(([k, x]) => `${k} ${scalar(x) ?? '…'}`);
  return parts.length ? parts.join(' · ') : '—';
}

/**
 * A text value as a technician reads it. JSON objects and lists become words; the host clips long
 * JSON (ending "…"), so a clipped object still yields its `"state":"…"` when that came first.
 */
export function readableText(text: string): string {
  const t = text.trim();
  const first = t[0];
  if (first !== '{' && first !== '[' && first !== '"') return text;
  try {
    return readable(JSON.parse(t));
  } catch {
    for (const k of HEADLINE_KEYS) {
      const m = new RegExp(`"${k}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(t);
      if (m?.[1]) return m[1];
    }
    return text;
  }
}

export function formatValue(v: number | string | boolean | null, decimals: number): string {
  if (v === null) return '—';
  if (typeof v === 'number') return formatNumber(v, decimals);
  if (typeof v === 'string') return readableText(v);
  return String(v);
}

/** A value with its unit, as the legend and readouts show it ("82.3 °C"; "%" sits close). */
export function withUnit(text: string, unit: string | undefined): string {
  if (!unit) return text;
  return unit === '%' ? `${text}%` : `${text} ${unit}`;
}
