// The dense view: hundreds of metrics as table rows.
import { MetricRow } from './MetricRow';

export function MetricTable({ names }: { names: readonly string[] }): React.JSX.Element {
  return (
    <table className="metric-table" data-testid="metric-table">
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col" className="num">
            Value
          </th>
          <th scope="col" className="num">
            Min 60 s
          </th>
          <th scope="col" className="num">
            Max 60 s
          </th>
          <th scope="col" className="num">
            pts/s
          </th>
          <th scope="col">Last 60 s</th>
        </tr>
      </thead>
      <tbody>
        {names.map((n) => (
          <MetricRow key={n} name={n} />
        ))}
      </tbody>
    </table>
  );
}
