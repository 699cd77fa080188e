// One metric as a tile: name, latest value (large, tabular) with its unit, and a 60 s sparkline.
// Rendered once per name; the frame loop writes the value and draws the canvas directly. The
// unit is static per metric, so React renders it and the frame loop never touches it.
import { memo, useEffect, useRef } from 'react';
import { useMetricLabel, useMetricUnit } from '../stores/metricInfoStore';
import { bind } from './frameLoop';

export const MetricTile = memo(function MetricTile({ name }: { name: string }): React.JSX.Element {
  const rootRef = useRef<HTMLDivElement>(null);
  const valueRef = useRef<HTMLSpanElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const unit = useMetricUnit(name);
  const label = useMetricLabel(name);
  useEffect(() => bind({ name, root: rootRef.current!, value: valueRef.current!, canvas: canvasRef.current }), [name]);
  return (
    <div className="tile" ref={rootRef} data-testid={`metric-tile-${name}`} role="listitem">
      <div className="tile-name" title={label ? `${label} (${name})` : name}>
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
