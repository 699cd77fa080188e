// Draws one metric's last 60 s into a canvas: the min–max envelope per pixel column, the last
// value as a line, and events as vertical lines (markers stronger). Cost is bounded by the
// canvas width, not by the number of samples, so 500 metrics × 20 ticks/s stay cheap. The canvas
// says how many pixel columns show data (data-columns), which end-to-end tests read.
import type { PreviewEvent } from '../../../shared/contract';
import { canvasTheme } from './canvasTheme';
import { isMarker } from './liveData';
import { WINDOW_MS, type Series } from './series';

/** A gap longer than this between samples breaks the line (the source paused). */
const GAP_MS = 2_000;
/** Plain events beyond this many in the window are not drawn (markers always are). */
const MAX_PLAIN_EVENTS = 60;

// Scratch columns reused across draws (no allocation per frame).
let colLo = new Float32Array(0);
let colHi = new Float32Array(0);
let colLast = new Float32Array(0);
let colT = new Float64Array(0);

function ensureColumns(w: number): void {
  if (colLo.length >= w) return;
  colLo = new Float32Array(w);
  colHi = new Float32Array(w);
  colLast = new Float32Array(w);
  colT = new Float64Array(w);
}

/** Written only when it changes, so a steady sparkline costs no attribute write per frame. */
function noteColumns(canvas: HTMLCanvasElement, n: number): void {
  const v = String(n);
  if (canvas.dataset.columns !== v) canvas.dataset.columns = v;
}

export function drawSparkline(
  canvas: HTMLCanvasElement,
  s: Series | undefined,
  end: number,
  events: readonly PreviewEvent[],
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const w = canvas.width;
  const h = canvas.height;
  const dpr = window.devicePixelRatio || 1;
  const theme = canvasTheme();
  ctx.clearRect(0, 0, w, h);
  if (w < 2 || h < 2) return;
  const start = end - WINDOW_MS;
  const xOf = (t: number): number => ((t - start) / WINDOW_MS) * (w - 1);

  // Events behind the data.
  const plain = events.length <= MAX_PLAIN_EVENTS;
  for (const e of events) {
    const marker = isMarker(e);
    if (!marker && !plain) continue;
    const x = Math.round(xOf(e.t)) + 0.5;
    if (x < 0 || x > w) continue;
    ctx.strokeStyle = marker ? theme.marker : theme.event;
    ctx.lineWidth = marker ? 2 * dpr : dpr;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, h);
    ctx.stroke();
  }
  if (!s || s.size === 0) {
    noteColumns(canvas, 0);
    return;
  }

  if (typeof s.value === 'string') {
    // Text-valued metric: a tick where the text changed.
    ctx.fillStyle = theme.line;
    for (const t of s.changes) if (t >= start) ctx.fillRect(Math.round(xOf(t)), h * 0.25, dpr * 2, h * 0.5);
    noteColumns(canvas, 0);
    return;
  }

  // Bin samples into pixel columns.
  ensureColumns(w);
  colLo.fill(Infinity, 0, w);
  colHi.fill(-Infinity, 0, w);
  colT.fill(NaN, 0, w);
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < s.size; k++) {
    const j = s.at(k);
    const t = s.t[j]!;
    if (t < start) continue;
    const c = Math.min(w - 1, Math.max(0, Math.round(xOf(t))));
    const a = s.min[j]!;
    const b = s.max[j]!;
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    if (a < colLo[c]!) colLo[c] = a;
    if (b > colHi[c]!) colHi[c] = b;
    colLast[c] = s.last[j]!;
    colT[c] = t;
    if (a < lo) lo = a;
    if (b > hi) hi = b;
  }
  if (lo === Infinity) {
    noteColumns(canvas, 0);
    return;
  }
  if (hi - lo < 1e-12) {
    const pad = Math.abs(hi) * 0.01 || 1;
    lo -= pad;
    hi += pad;
  }
  const pad = 2 * dpr;
  const yOf = (v: number): number => pad + (1 - (v - lo) / (hi - lo)) * (h - 2 * pad);

  // The envelope as one path of one-pixel vertical strokes: a single drawing operation instead of
  // one rectangle per column. (Canvas drawing is replayed when the frame is made, on the window's
  // main thread when there is no GPU; with hundreds of operations per sparkline that replay cost
  // more than everything else in a tick's frame.)
  ctx.strokeStyle = theme.band;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let c = 0; c < w; c++) {
    if (Number.isNaN(colT[c]!)) continue;
    const y1 = yOf(colHi[c]!);
    const y2 = yOf(colLo[c]!);
    ctx.moveTo(c + 0.5, y1);
    ctx.lineTo(c + 0.5, Math.max(y1 + 1, y2));
  }
  ctx.stroke();

  // One device pixel wide: thin lines are drawn far faster than wide ones without a GPU.
  ctx.strokeStyle = theme.line;
  ctx.lineWidth = 1;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  let prevT = NaN;
  let lastC = -1;
  let columns = 0;
  for (let c = 0; c < w; c++) {
    const t = colT[c]!;
    if (Number.isNaN(t)) continue;
    columns++;
    const y = yOf(colLast[c]!);
    if (Number.isNaN(prevT) || t - prevT > GAP_MS) ctx.moveTo(c, y);
    else ctx.lineTo(c, y);
    prevT = t;
    lastC = c;
  }
  ctx.stroke();
  noteColumns(canvas, columns);
  // The newest value as a dot, so a lone sample is visible and the eye finds "now".
  if (lastC >= 0) {
    ctx.fillStyle = theme.line;
    ctx.beginPath();
    ctx.arc(lastC, yOf(colLast[lastC]!), 2 * dpr, 0, Math.PI * 2);
    ctx.fill();
  }
}
