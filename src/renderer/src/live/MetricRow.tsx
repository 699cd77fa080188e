// One metric as a dense table row: name, value, 60 s min/max, points/s and a small sparkline.
// Like the tile, it renders once and the frame loop fills it.
import { memo, useEffect, useRef } from 'react';
import { bind } from './frameLoop';

export const MetricRow = memo(function MetricRow({ name }: { name: string }): React.JSX.Element {
  const rootRef = useRef<HTMLTableRowElement>(null);
  const valueRef = useRef<HTMLTableCellElement>(null);
  const minRef = useRef<HTMLTableCellElement>(null);
  const maxRef = useRef<HTMLTableCellElement>(null);
  const rateRef = useRef<HTMLTableCellElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(
    () =>
      bind({
        name,
        root: rootRef.current!,
        value: valueRef.current!,
        canvas: canvasRef.current,
        min: minRef.current,
        max: maxRef.current,
        rate: rateRef.current,
      }),
    [name],
  );
  return (
    <tr ref={rootRef} data-testid={`metric-tile-${name}`}>
      <th scope="row" className="row-name" title={name}>
        {name}
      </th>
      <td className="num tabular" ref={valueRef} data-testid={`metric-value-${name}`} />
      <td className="num tabular muted" ref={minRef} />
      <td className="num tabular muted" ref={maxRef} />
      <td className="num tabular muted" ref={rateRef} />
      <td className="row-spark">
        <canvas ref={canvasRef} aria-hidden />
      </td>
    </tr>
  );
});
