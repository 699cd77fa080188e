// The open charts, side by side above the tiles (wrapping to rows when there are many). Nothing
// is rendered while no chart is open.
import 'uplot/dist/uPlot.min.css';
import '../styles/charts.css';
import { ChartCard } from './ChartCard';
import { useChartsStore } from './chartsStore';

export function ChartArea(): React.JSX.Element | null {
  const charts = useChartsStore((s) => s.charts);
  if (charts.length === 0) return null;
  return (
    <div className="charts" aria-label="Charts" role="region" data-testid="charts">
      {charts.map((c) => (
        <ChartCard key={c.id} chart={c} />
      ))}
    </div>
  );
}
