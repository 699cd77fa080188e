// Colours for canvas drawing, read from the CSS custom properties so the sparklines follow the
// light/dark theme. Re-read when the OS theme flips; the frame loop then redraws everything.

export interface CanvasTheme {
  line: string;
  band: string;
  event: string;
  marker: string;
  text: string;
}

let theme: CanvasTheme | null = null;
let version = 0;

function read(): CanvasTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return {
    line: v('--spark-line', '#2563eb'),
    band: v('--spark-band', 'rgba(37, 99, 235, 0.18)'),
    event: v('--spark-event', 'rgba(120, 120, 120, 0.55)'),
    marker: v('--spark-marker', '#d97706'),
    text: v('--muted', '#666'),
  };
}

export function canvasTheme(): CanvasTheme {
  return (theme ??= read());
}

/** Bumped when the theme changed; drawers compare it to force a redraw. */
export function canvasThemeVersion(): number {
  return version;
}

if (typeof window !== 'undefined' && window.matchMedia) {
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    theme = null;
    version++;
  });
}
