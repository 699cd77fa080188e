// Small formatters for counts, durations and times shown in the window.

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return grouped.format(n);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Milliseconds → "00:12:31" (hours grow past 99 if they must). */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** Epoch ms → "14:03:27" local time. */
export function clockTime(t: number): string {
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Epoch ms → "14:03:27.481" local time. */
export function clockTimeMs(t: number): string {
  return `${clockTime(t)}.${String(Math.floor(t % 1000)).padStart(3, '0')}`;
}

/** Epoch ms → "2025-03-14 14:03" local time. */
export function dateTime(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Milliseconds as "3 ms", "1.2 s" or "4 min" for clock offsets. */
export function shortMs(ms: number): string {
  const a = Math.abs(ms);
  if (a < 1) return `${ms.toFixed(1)} ms`;
  if (a < 1000) return `${Math.round(ms)} ms`;
  if (a < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** A value for one line of text: JSON for objects, trimmed to `max` characters. */
export function brief(v: unknown, max = 120): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
