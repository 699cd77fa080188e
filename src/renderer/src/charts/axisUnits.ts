// Each y axis's unit, written level above it (a rotated "V" reads as "<"): the left axis's over
// its left edge, the right one's over the right. Shared by the live charts and the run review.
import type uPlot from 'uplot';

export function placeAxisUnits(u: uPlot, units: readonly string[]): void {
  const wrap = u.over.parentElement;
  if (!wrap) return;
  const dpr = window.devicePixelRatio || 1;
  wrap.querySelectorAll('.chart-axis-unit').forEach((el) => el.remove());
  units.forEach((unit, i) => {
    if (!unit) return;
    const el = document.createElement('span');
    el.className = i === 0 ? 'chart-axis-unit' : 'chart-axis-unit chart-axis-unit-right';
    el.dataset.testid = 'chart-axis-unit';
    el.textContent = unit;
    el.style.left = `${(i === 0 ? u.bbox.left : u.bbox.left + u.bbox.width) / dpr}px`;
    wrap.appendChild(el);
  });
}
