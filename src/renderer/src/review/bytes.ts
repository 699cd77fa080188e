// Sizes on disk as a technician reads them: "12.4 MB", "980 kB", "1.2 GB" (decimal units, as
// disks are sold and as most file managers count).

const UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** 12_400_000 → "12.4 MB"; three significant digits at most, whole bytes below 1 kB. */
export function bytesText(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1000) return `${Math.round(n)} ${n === 1 ? 'byte' : 'bytes'}`;
  let v = n;
  let u = 0;
  while (v >= 999.5 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  const text = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  // "12.0 MB" reads as more precise than it is: drop trailing zeros.
  return `${text.includes('.') ? text.replace(/\.?0+$/, '') : text} ${UNITS[u]}`;
}
