// One metric as a dense table row: name, value with its unit, 60 s min/max, points/s and a small
// sparkline. Like the tile, it renders once and the frame loop fills it (the unit is React's);
// click or Enter opens a chart of the metric.
import { memo } from 'react';
import { openFromTile, tileKeyDown } from './openFromTile';
import { useMetricBinding } from './useMetricBinding';

export const MetricRow = memo(function MetricRow({ name }: { name: string }): React.JSX.Element {
  const { rootRef, nameRef, valueRef, canvasRef, minRef, maxRef, rateRef, unit, label } = useMetricBinding<
    HTMLTableRowElement,
    HTMLTableCellElement
  >(name);
  return (
    <tr
      ref={rootRef}
      data-testid={`metric-tile-${name}`}
      tabIndex={0}
      className="metric-row"
      onClick={(e) => openFromTile(name, e.shiftKey)}
      onKeyDown={tileKeyDown(name)}
    >
      <th scope="row" className="row-name" ref={nameRef} title={label ? `${label} (${name})` : name}>
        {name}
      </th>
      <td className="num tabular">
        {/* The frame loop owns the value's text; the unit beside it is static. */}
        <span ref={valueRef} data-testid={`metric-value-${name}`} />
        {unit && (
          <span className="row-unit" data-testid={`metric-unit-${name}`}>
            {unit}
          </span>
        )}
      </td>
      <td className="num tabular muted" ref={minRef} />
      <td className="num tabular muted" ref={maxRef} />
      <td className="num tabular muted" ref={rateRef} />
      <td className="row-spark">
        <canvas ref={canvasRef} aria-hidden />
      </td>
    </tr>
  );
});
