// Text for a metric's value: fixed decimals with thousands separators for numbers, the text for
// strings and booleans. Formatters are cached per decimal count (Intl construction is costly).

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

export function formatValue(v: number | string | boolean | null, decimals: number): string {
  if (v === null) return '—';
  if (typeof v === 'number') return formatNumber(v, decimals);
  return String(v);
}
