// One metric as a dense table row: name, value with its unit, 60 s min/max, points/s and a small
// sparkline. Like the tile, it renders once and the frame loop fills it (the unit is React's);
// click or Enter opens a chart of the metric.
import { memo, useEffect, useRef } from 'react';
import { useMetricLabel, useMetricUnit } from '../stores/metricInfoStore';
import { bind } from './frameLoop';
import { openFromTile, tileKeyDown } from './openFromTile';

export const MetricRow = memo(function MetricRow({ name }: { name: string }): React.JSX.Element {
  const rootRef = useRef<HTMLTableRowElement>(null);
  const nameRef = useRef<HTMLTableCellElement>(null);
  const valueRef = useRef<HTMLSpanElement>(null);
  const minRef = useRef<HTMLTableCellElement>(null);
  const maxRef = useRef<HTMLTableCellElement>(null);
  const rateRef = useRef<HTMLTableCellElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const unit = useMetricUnit(name);
  const label = useMetricLabel(name);
  useEffect(
    () =>
      bind({
        name,
        root: rootRef.current!,
        label: nameRef.current,
        value: valueRef.current!,
        canvas: canvasRef.current,
        min: minRef.current,
        max: maxRef.current,
        rate: rateRef.current,
      }),
    [name],
  );
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
