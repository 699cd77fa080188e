// The tile and the table row show a metric the same way: React renders them once, with the unit
// and the label from the metric info store, and the frame loop is bound to their elements to write
// the value, the name's fitted text, the sparkline and (a row only) min, max and points/s.
import { useEffect, useRef } from 'react';
import { useMetricLabel, useMetricUnit } from '../stores/metricInfoStore';
import { bind } from './frameLoop';

/** Refs to attach to a metric's elements, bound to the frame loop for as long as the name is shown. */
export function useMetricBinding<Root extends HTMLElement, Name extends HTMLElement>(name: string) {
  const rootRef = useRef<Root>(null);
  const nameRef = useRef<Name>(null);
  const valueRef = useRef<HTMLSpanElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  // Only a table row attaches these; a tile leaves them null and the frame loop skips them.
  const minRef = useRef<HTMLTableCellElement>(null);
  const maxRef = useRef<HTMLTableCellElement>(null);
  const rateRef = useRef<HTMLTableCellElement>(null);
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
  return { rootRef, nameRef, valueRef, canvasRef, minRef, maxRef, rateRef, unit, label };
}
