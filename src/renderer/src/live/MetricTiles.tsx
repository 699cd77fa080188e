// The tile view: each metric large enough to read from a metre away.
import { MetricTile } from './MetricTile';

export function MetricTiles({ names }: { names: readonly string[] }): React.JSX.Element {
  return (
    <div className="tiles" role="list" aria-label="Metrics" data-testid="metric-tiles">
      {names.map((n) => (
        <MetricTile key={n} name={n} />
      ))}
    </div>
  );
}
