// One metric as a tile: name (cut in the middle when long), latest value (large, tabular) with its
// unit, and a 60 s sparkline. Rendered once per name; the frame loop writes the value and draws the
// canvas directly. The unit is static per metric, so React renders it and the frame loop never
// touches it. Click or Enter opens a chart of the metric (Shift adds it to the newest chart).
import { memo, useEffect, useRef } from 'react';
import { useMetricLabel, useMetricUnit } from '../stores/metricInfoStore';
import { bind } from './frameLoop';
import { openFromTile, tileKeyDown } from './openFromTile';

export const MetricTile = memo(function MetricTile({ name }: { name: string }): React.JSX.Element {
  const rootRef = useRef<HTMLDivElement>(null);
  const nameRef = useRef<HTMLDivElement>(null);
  const valueRef = useRef<HTMLSpanElement>(null);
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
      }),
    [name],
  );
  return (
    <div
      className="tile"
      ref={rootRef}
      data-testid={`metric-tile-${name}`}
      role="listitem"
      tabIndex={0}
      aria-label={`${label ? `${label}, ` : ''}${name}${unit ? ` in ${unit}` : ''}: Enter opens a chart`}
      onClick={(e) => openFromTile(name, e.shiftKey)}
      onKeyDown={tileKeyDown(name)}
    >
      {/* The frame loop fits the name to the width (cut in the middle); the title keeps it whole. */}
      <div className="tile-name" ref={nameRef} title={label ? `${label} (${name})` : name}>
        {name}
      </div>
      <div className="tile-reading">
        {/* No React children: the frame loop owns this text. */}
        <span className="tile-value tabular" ref={valueRef} data-testid={`metric-value-${name}`} />
        {unit && (
          <span className="tile-unit" data-testid={`metric-unit-${name}`}>
            {unit}
          </span>
        )}
      </div>
      <canvas className="tile-spark" ref={canvasRef} aria-hidden />
    </div>
  );
});
