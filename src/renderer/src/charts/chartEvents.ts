// Markers and events as labelled vertical lines on a chart: the lines on the canvas behind the
// data, the labels as DOM text over the plot (readable, selectable, and found by tests). All
// markers are drawn; plain events only of the metrics the chart shows (a text metric overlaid on
// a chart appears as its changes), so a chatty state metric elsewhere does not bury the data.
import type uPlot from 'uplot';
import type { PreviewEvent } from '../../../shared/contract';
import { readableText } from '../live/formatValue';
import { eventsBetween, isMarker } from '../live/liveData';
import type { ChartTheme } from './chartTheme';

/** Labels closer than this (CSS px) to one already placed go to the next row. */
const LABEL_GAP_PX = 90;
const LABEL_ROWS = 3;
/** Longest label text; the line's title keeps the whole of it. */
const LABEL_CHARS = 24;
/** A label's width estimated from its length (12 px type), to decide its side before drawing it. */
const APPROX_CHAR_PX = 7;

export function eventLabel(e: PreviewEvent): string {
  const text = typeof e.value === 'string' ? readableText(e.value) : e.value == null ? '' : JSON.stringify(e.value);
  if (isMarker(e)) return `⚑ ${text && text !== 'marker' ? text : 'marker'}`;
  return text ? `${e.metric.slice(e.metric.lastIndexOf('.') + 1)}: ${text}` : e.metric;
}

/** The events a chart of `metrics` draws within [from, to]. */
export function chartEvents(metrics: readonly string[], from: number, to: number): PreviewEvent[] {
  return eventsBetween(from, to).filter((e) => isMarker(e) || metrics.includes(e.metric));
}

/** Vertical lines on the canvas (called from uPlot's drawAxes hook: behind the series). */
export function drawEventLines(u: uPlot, events: readonly PreviewEvent[], theme: ChartTheme): void {
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  const dpr = uPlotPxRatio();
  ctx.save();
  for (const e of events) {
    const x = Math.round(u.valToPos(e.t, 'x', true)) + 0.5;
    const marker = isMarker(e);
    ctx.strokeStyle = marker ? theme.marker : theme.event;
    ctx.lineWidth = (marker ? 2 : 1) * dpr;
    ctx.setLineDash(marker ? [] : [4 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
  }
  ctx.restore();
}

function uPlotPxRatio(): number {
  return window.devicePixelRatio || 1;
}

/** Labels over the plot, at the lines' x, in up to LABEL_ROWS rows so neighbours do not overlap. */
export function placeEventLabels(u: uPlot, layer: HTMLElement, events: readonly PreviewEvent[]): void {
  const lastInRow = new Array<number>(LABEL_ROWS).fill(-Infinity);
  const items: Array<{ x: number; row: number; text: string; full: string; marker: boolean; flip: boolean }> = [];
  const width = u.bbox.width / (window.devicePixelRatio || 1); // no layout read per draw
  for (const e of events) {
    const x = u.valToPos(e.t, 'x');
    const row = lastInRow.findIndex((last) => x - last >= LABEL_GAP_PX);
    if (row < 0) continue; // crowded: the line is drawn, its label is left out
    lastInRow[row] = x;
    const full = eventLabel(e);
    const text = full.length > LABEL_CHARS ? `${full.slice(0, LABEL_CHARS - 1)}…` : full;
    // A label that would run off the right (where new markers appear) sits left of its line.
    const est = text.length * APPROX_CHAR_PX + 12;
    items.push({ x, row, text, full, marker: isMarker(e), flip: x + est > width && x - est >= 0 });
  }
  // The labels move with time at every redraw: the elements are kept and only updated.
  while (layer.children.length > items.length) layer.lastElementChild!.remove();
  while (layer.children.length < items.length) layer.appendChild(document.createElement('span'));
  items.forEach((i, k) => {
    const el = layer.children[k] as HTMLElement;
    const cls = `chart-event${i.marker ? ' chart-marker' : ''}${i.flip ? ' chart-event-flip' : ''}`;
    if (el.className !== cls) el.className = cls;
    const id = i.marker ? 'chart-marker' : 'chart-event';
    if (el.dataset.testid !== id) el.dataset.testid = id;
    if (el.textContent !== i.text) el.textContent = i.text;
    if (el.title !== i.full) el.title = i.full;
    el.style.left = `${i.x}px`;
    el.style.top = `${i.row * 18}px`;
  });
}
