// Long metric names shortened in the middle ("camera.front_…frames_dropped"), so names that share
// a long prefix stay distinguishable by their ends; the full name is in the title. Measuring is
// injected: the window measures with a canvas, the tests with character counts.

const ELLIPSIS = '…';
/** Share of the kept characters taken from the start; the end (the field) matters more. */
const HEAD_SHARE = 0.4;

/** `text` with its middle replaced so that it keeps `keep` characters in all. */
export function middleCut(text: string, keep: number): string {
  const chars = Array.from(text);
  if (chars.length <= keep) return text;
  if (keep <= 0) return ELLIPSIS;
  const head = Math.ceil(keep * HEAD_SHARE);
  const tail = keep - head;
  return chars.slice(0, head).join('') + ELLIPSIS + (tail > 0 ? chars.slice(-tail).join('') : '');
}

/** The longest middle-cut of `text` whose width fits `maxWidth` (the whole text when it fits). */
export function fitMiddle(text: string, maxWidth: number, measure: (s: string) => number): string {
  if (measure(text) <= maxWidth) return text;
  let lo = 0;
  let hi = Array.from(text).length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(middleCut(text, mid)) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return middleCut(text, lo);
}

let ctx: CanvasRenderingContext2D | null = null;
const widths = new Map<string, number>();

/** Width in CSS pixels of `text` in `font` (a computed `font` shorthand), cached per font and text. */
export function textWidth(text: string, font: string): number {
  const key = `${font}\u0000${text}`;
  let w = widths.get(key);
  if (w === undefined) {
    ctx ??= document.createElement('canvas').getContext('2d');
    if (!ctx) return text.length * 7;
    ctx.font = font;
    w = ctx.measureText(text).width;
    if (widths.size > 20_000) widths.clear();
    widths.set(key, w);
  }
  return w;
}
