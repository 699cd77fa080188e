// One metric as a tile: name, latest value (large, tabular) and a 60 s sparkline. Rendered once
// per name; the frame loop writes the value and draws the canvas directly.
import { memo, useEffect, useRef } from 'react';
import { bind } from './frameLoop';

export const MetricTile = memo(function MetricTile({ name }: { name: string }): React.JSX.Element {
  const rootRef = useRef<HTMLDivElement>(null);
  const valueRef = useRef<HTMLSpanElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => bind({ name, root: rootRef.current!, value: valueRef.current!, canvas: canvasRef.current }), [name]);
  return (
    <div className="tile" ref={rootRef} data-testid={`metric-tile-${name}`} role="listitem">
      <div className="tile-name" title={name}>
        {name}
      </div>
      {/* No React children: the frame loop owns this text. */}
      <span className="tile-value tabular" ref={valueRef} data-testid={`metric-value-${name}`} />
      <canvas className="tile-spark" ref={canvasRef} aria-hidden />
    </div>
  );
});
