// One metric as a tile: name (cut in the middle when long), latest value (large, tabular) with its
// unit, and a 60 s sparkline. Rendered once per name; the frame loop writes the value and draws the
// canvas directly. The unit is static per metric, so React renders it and the frame loop never
// touches it. Click or Enter opens a chart of the metric (Shift adds it to the newest chart).
import { memo } from 'react';
import { openFromTile, tileKeyDown } from './openFromTile';
import { useMetricBinding } from './useMetricBinding';

export const MetricTile = memo(function MetricTile({ name }: { name: string }): React.JSX.Element {
  const { rootRef, nameRef, valueRef, canvasRef, unit, label } = useMetricBinding<HTMLDivElement, HTMLDivElement>(name);
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
