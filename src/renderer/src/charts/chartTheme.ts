// Colours for the charts' canvas, read from CSS custom properties (styles/charts.css) so charts
// follow the light/dark theme; read once per chart build (a theme flip rebuilds the charts).

export interface ChartTheme {
  text: string;
  grid: string;
  marker: string;
  event: string;
  /** One colour per overlaid series, in order. */
  series: string[];
}

const FALLBACK_SERIES = ['#1f5ad6', '#c2410c', '#15803d', '#9333ea', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

export function readChartTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#15191e'),
    grid: v('--chart-grid', 'rgba(120, 130, 140, 0.25)'),
    marker: v('--spark-marker', '#1f5ad6'),
    event: v('--spark-event', 'rgba(90, 100, 114, 0.45)'),
    series: FALLBACK_SERIES.map((c, i) => v(`--chart-${i + 1}`, c)),
  };
}
