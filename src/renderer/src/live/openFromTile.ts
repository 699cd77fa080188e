// What a click or Enter on a tile (or table row) does: open a chart of its metric, or with Shift
// held, overlay it on the newest chart.
import { addToChart, openChart } from '../charts/chartsStore';

export function openFromTile(name: string, shift: boolean): void {
  if (shift) addToChart(null, name);
  else openChart(name);
}

export function tileKeyDown(name: string) {
  return (e: React.KeyboardEvent): void => {
    if (e.target !== e.currentTarget || (e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    openFromTile(name, e.shiftKey);
  };
}
