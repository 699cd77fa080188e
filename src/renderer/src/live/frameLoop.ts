// The one animation-frame loop that puts live data on screen. Tiles and table rows register
// their DOM nodes once (on mount); each frame, if a tick arrived since the last frame, the loop
// writes the changed value texts of the visible bindings, and redraws their sparklines once "now"
// has moved a pixel (see sparklineDue).
// React never re-renders for a tick. Charts hook in with onFrame() and draw in the same frame.
import { benchPerf } from '../perf';
import { canvasThemeVersion } from './canvasTheme';
import { hostNow } from './clock';
import { formatNumber, formatValue } from './formatValue';
import { eventsInWindow, getSeries, live } from './liveData';
import { fitMiddle, textWidth } from './middleEllipsis';
import { WINDOW_MS } from './series';
import { drawSparkline } from './sparkline';
/** Window for the min/max/rate columns of the table. */
const STATS_MS = 60_000;

export interface Binding {
  name: string;
  /** Element toggled visible/stale; observed for visibility. */
  root: HTMLElement;
  value: HTMLElement;
  /** The element showing the name, shortened in the middle to its width. */
  label?: HTMLElement | null;
  canvas: HTMLCanvasElement | null;
  /** Table only: min, max and points/s over the window. */
  min?: HTMLElement | null;
  max?: HTMLElement | null;
  rate?: HTMLElement | null;
}

interface Bound extends Binding {
  visible: boolean;
  /** Series version whose value text is on screen. */
  textVersion: number;
  /** Force a canvas redraw (resized, just became visible). */
  dirty: boolean;
  stale: boolean;
  /** The pixel column "now" fell in, and the events seen, when the sparkline was last drawn. */
  drawnColumn: number;
  drawnEvents: number;
}

const bound = new Set<Bound>();
const byRoot = new Map<Element, Bound>();
const byCanvas = new Map<Element, Bound>();
const byLabel = new Map<Element, Bound>();
let drawnVersion = -1;
let drawnTheme = -1;
let lastStaleSweep = 0;

const visibility = new IntersectionObserver(
  (entries) => {
    for (const e of entries) {
      const b = byRoot.get(e.target);
      if (!b) continue;
      b.visible = e.isIntersecting;
      if (b.visible) b.dirty = true;
    }
  },
  { rootMargin: '100px' },
);

const sizes = new ResizeObserver((entries) => {
  const dpr = window.devicePixelRatio || 1;
  for (const e of entries) {
    const l = byLabel.get(e.target);
    if (l) fitLabel(l, e.contentRect.width);
    const b = byCanvas.get(e.target);
    if (!b || !b.canvas) continue;
    const w = Math.max(1, Math.round(e.contentRect.width * dpr));
    const h = Math.max(1, Math.round(e.contentRect.height * dpr));
    if (b.canvas.width !== w || b.canvas.height !== h) {
      b.canvas.width = w;
      b.canvas.height = h;
      b.dirty = true;
    }
  }
});

/** Register a tile or row; returns the function that unregisters it (call on unmount). */
export function bind(binding: Binding): () => void {
  const b: Bound = {
    ...binding,
    visible: false,
    textVersion: -1,
    dirty: true,
    stale: false,
    drawnColumn: NaN,
    drawnEvents: -1,
  };
  bound.add(b);
  byRoot.set(b.root, b);
  visibility.observe(b.root);
  if (b.canvas) {
    byCanvas.set(b.canvas, b);
    sizes.observe(b.canvas);
  }
  if (b.label) {
    byLabel.set(b.label, b);
    sizes.observe(b.label);
  }
  writeText(b);
  ensureRunning();
  return () => {
    bound.delete(b);
    byRoot.delete(b.root);
    visibility.unobserve(b.root);
    if (b.canvas) {
      byCanvas.delete(b.canvas);
      sizes.unobserve(b.canvas);
    }
    if (b.label) {
      byLabel.delete(b.label);
      sizes.unobserve(b.label);
    }
  };
}

/** Shows the name whole when it fits, else cut in the middle (the title keeps it whole). */
function fitLabel(b: Bound, width: number): void {
  if (!b.label || width <= 0) return;
  const font = getComputedStyle(b.label).font;
  setText(
    b.label,
    fitMiddle(b.name, width, (t) => textWidth(t, font)),
  );
}

function setText(el: HTMLElement | null | undefined, text: string): void {
  if (el && el.textContent !== text) el.textContent = text;
}

function writeText(b: Bound): void {
  const s = getSeries(b.name);
  if (!s) {
    setText(b.value, '—');
    return;
  }
  if (s.version !== b.textVersion) {
    b.textVersion = s.version;
    const text = formatValue(s.value, s.decimals.value);
    setText(b.value, text);
    // Text values are often longer than a tile: the whole reading is on hover.
    if (typeof s.value === 'string' && b.value.title !== text) b.value.title = text;
  }
  if (b.visible && (b.min || b.max || b.rate)) {
    const st = s.stats(live.latestT - STATS_MS, live.latestT);
    const d = s.decimals.value;
    setText(b.min, Number.isNaN(st.min) || typeof s.value !== 'number' ? '' : formatNumber(st.min, d));
    setText(b.max, Number.isNaN(st.max) || typeof s.value !== 'number' ? '' : formatNumber(st.max, d));
    setText(b.rate, Number.isNaN(st.rate) ? '' : formatNumber(st.rate, st.rate < 10 ? 1 : 0));
  }
}

/** The pixel column of the sparkline that "now" falls in: it moves every WINDOW_MS ÷ width ms. */
function nowColumn(canvas: HTMLCanvasElement): number {
  return Math.floor(live.latestT / (WINDOW_MS / Math.max(1, canvas.width)));
}

/**
 * A sparkline is redrawn when "now" reached its next pixel column (every third of a second for a
 * minute on a 180-pixel tile) or an event arrived, not on every tick: a tick moves it a fifth of a
 * pixel, and redrawing 20 canvases 15 times a second was most of the window's frame time without
 * a GPU. The newest value meanwhile shows in the tile's number at once.
 */
function sparklineDue(b: Bound, canvas: HTMLCanvasElement): boolean {
  return nowColumn(canvas) !== b.drawnColumn || live.events !== b.drawnEvents;
}

/** Greys the metrics that arrived regularly and stopped, each judged by its own cadence. */
function sweepStale(): void {
  const now = hostNow();
  for (const b of bound) {
    const s = getSeries(b.name);
    const stale = !!s && s.cadence.isStale(now);
    if (stale !== b.stale) {
      b.stale = stale;
      b.root.classList.toggle('stale', stale);
      const after = s?.cadence.staleAfterMs() ?? 0;
      b.root.title = stale ? `no new value for over ${Math.round(after / 1000)} s` : '';
    }
  }
}

/** Per-frame drawers besides tiles (the charts); each decides itself whether it has work. */
const frameHooks = new Set<() => void>();

/** Run `hook` once per animation frame until the returned function is called. */
export function onFrame(hook: () => void): () => void {
  frameHooks.add(hook);
  ensureRunning();
  return () => frameHooks.delete(hook);
}

function frame(now: number): void {
  requestAnimationFrame(frame);
  const moved = live.version !== drawnVersion;
  const themeChanged = canvasThemeVersion() !== drawnTheme;
  drawnVersion = live.version;
  drawnTheme = canvasThemeVersion();
  const events = moved || themeChanged ? eventsInWindow(live.latestT) : null;
  let drew = moved || themeChanged;
  for (const b of bound) {
    drew ||= b.dirty;
    // A tile off screen gets its text when it comes into view (dirty): new text in a skipped
    // (content-visibility) subtree still cost its ancestors a layout pass each tick, 500 of them.
    if ((moved && b.visible) || b.dirty) writeText(b);
    if (b.visible && b.canvas && (themeChanged || b.dirty || (moved && sparklineDue(b, b.canvas)))) {
      drawSparkline(b.canvas, getSeries(b.name), live.latestT, events ?? eventsInWindow(live.latestT));
      b.drawnColumn = nowColumn(b.canvas);
      b.drawnEvents = live.events;
    }
    b.dirty = false;
  }
  if (drew) benchPerf.frames++;
  for (const h of frameHooks) h();
  if (now - lastStaleSweep > 1000) {
    lastStaleSweep = now;
    sweepStale();
  }
}

let running = false;
function ensureRunning(): void {
  if (running) return;
  running = true;
  requestAnimationFrame(frame);
}

/** Start the loop at start-up so `__benchPerf.frames` counts from the first frame. */
export function startFrameLoop(): void {
  ensureRunning();
}
