// WCAG AA contrast of every text colour pair in both themes, read from the stylesheets themselves:
// the theme's variables (light, and dark from its prefers-color-scheme block), and every rule that
// sets a text colour, with the background it sits on — its own, the nearest ancestor rule's in
// its selector, or else each surface of the window (page, panel, raised panel). Normal text needs
// 4.5:1, text the CSS makes large (≥ 24px, or ≥ 18.66px bold) 3:1.
import { describe, expect, it } from 'vitest';

// The renderer's tsconfig has no Node types (the window may not use Node), so the test reads the
// stylesheets through a Node module typed here by hand.
const nodeFs = 'node:fs';
const fs = (await import(/* @vite-ignore */ nodeFs)) as {
  readdirSync(dir: URL): string[];
  readFileSync(file: URL, encoding: 'utf8'): string;
};
const DIR = new URL('../../src/renderer/src/styles/', import.meta.url);
/** Every stylesheet of the window, by file name (a new one is checked without being listed here). */
const STYLES: Record<string, string> = Object.fromEntries(
  fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.css'))
    .map((f) => [f, fs.readFileSync(new URL(f, DIR), 'utf8')]),
);

type Rgba = [number, number, number, number];
type Vars = Record<string, string>;

interface Rule {
  file: string;
  selector: string;
  decls: Record<string, string>;
}

/** Flat list of rules (the blocks inside @media are rules like any other; comments dropped). */
function rules(file: string, css: string): Rule[] {
  const out: Rule[] = [];
  const body = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const re = /([^{}]+)\{([^{}]*)\}/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const selector = m[1]!.replace(/@media[^{]*\{/g, '').trim();
    const decls: Record<string, string> = {};
    for (const d of m[2]!.split(';')) {
      const i = d.indexOf(':');
      if (i > 0) decls[d.slice(0, i).trim()] = d.slice(i + 1).trim();
    }
    out.push({ file, selector, decls });
  }
  return out;
}

/** The theme's variables: light from :root, dark = light overridden by the dark :root block. */
function themes(): { light: Vars; dark: Vars } {
  const css = STYLES['theme.css']!.replace(/\/\*[\s\S]*?\*\//g, '');
  const darkAt = css.indexOf('prefers-color-scheme: dark');
  expect(darkAt, 'theme.css has a dark block').toBeGreaterThan(0);
  const vars = (text: string): Vars =>
    Object.fromEntries([...text.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1]!, m[2]!.trim()]));
  const light = vars(css.slice(0, darkAt));
  return { light, dark: { ...light, ...vars(css.slice(darkAt)) } };
}

function parseColour(text: string, vars: Vars): Rgba | null {
  const t = text.trim();
  const v = /^var\((--[\w-]+)\)$/.exec(t);
  if (v) return vars[v[1]!] === undefined ? null : parseColour(vars[v[1]!]!, vars);
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(t);
  if (hex) {
    const h = hex[1]!.length === 3 ? [...hex[1]!].map((c) => c + c).join('') : hex[1]!;
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)).concat(1) as Rgba;
  }
  const rgba = /^rgba?\(([^)]+)\)$/.exec(t);
  if (rgba) {
    const [r, g, b, a] = rgba[1]!.split(',').map((x) => Number(x.trim()));
    return [r!, g!, b!, a ?? 1];
  }
  const mix = /^color-mix\(in srgb,\s*(.+?)\s+(\d+)%,\s*(.+)\)$/.exec(t);
  if (mix) {
    const a = parseColour(mix[1]!, vars);
    const b = parseColour(mix[3]!, vars);
    const p = Number(mix[2]) / 100;
    if (!a || !b) return null;
    return [0, 1, 2].map((i) => a[i]! * p + b[i]! * (1 - p)).concat(1) as Rgba;
  }
  if (t === '#fff' || t === 'white') return [255, 255, 255, 1];
  return null; // inherit, currentColor, none, transparent: not a colour of this rule's own
}

/** A translucent colour as it shows over `under`. */
function over(c: Rgba, under: Rgba): Rgba {
  const a = c[3];
  return [0, 1, 2].map((i) => c[i]! * a + under[i]! * (1 - a)).concat(1) as Rgba;
}

function luminance(c: Rgba): number {
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

export function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Large text per WCAG: 18pt (24px), or 14pt (18.66px) bold. */
function isLarge(r: Rule): boolean {
  const size = Number(/^([\d.]+)px$/.exec(r.decls['font-size'] ?? '')?.[1] ?? 0);
  const weight = Number(r.decls['font-weight'] ?? 400);
  return size >= 24 || (size >= 18.66 && weight >= 700);
}

const SURFACES = ['var(--bg)', 'var(--panel)', 'var(--panel-2)'];

interface Pair {
  where: string;
  fg: string;
  bg: string;
  large: boolean;
}

/** Every (text colour, background) pair the stylesheets put together. */
function textPairs(all: Rule[]): Pair[] {
  const bgOf = (r: Rule): string | undefined => {
    const b = r.decls.background ?? r.decls['background-color'];
    return b && !/^(none|transparent|currentColor)$/.test(b) ? b : undefined;
  };
  const pairs: Pair[] = [];
  for (const r of all) {
    const fg = r.decls.color;
    if (!fg || /^(inherit|currentColor)$/.test(fg)) continue;
    const large = isLarge(r);
    for (const sel of r.selector.split(',').map((s) => s.trim())) {
      let bgs: string[] | undefined;
      const own = bgOf(r);
      if (own) bgs = [own];
      else {
        // The nearest ancestor in the selector that paints a background ("A B C": "A B", then "A").
        const parts = sel.split(/\s+/);
        for (let n = parts.length - 1; n > 0 && !bgs; n--) {
          const anc = parts.slice(0, n).join(' ');
          const a = all.find((x) => x.selector.split(',').some((s) => s.trim() === anc) && bgOf(x));
          if (a) bgs = [bgOf(a)!];
        }
      }
      for (const bg of bgs ?? SURFACES) pairs.push({ where: `${r.file}: ${sel}`, fg, bg, large });
    }
  }
  return pairs;
}

const files = Object.keys(STYLES).filter((f) => f !== 'theme.css');
const allRules = files.flatMap((f) => rules(f, STYLES[f]!));
const pairs = textPairs(allRules);
const { light, dark } = themes();

describe('text contrast in both themes (WCAG AA)', () => {
  it('finds the text colour pairs the window uses', () => {
    expect(files).toEqual(expect.arrayContaining(['base.css', 'status.css', 'run.css', 'sources.css', 'live.css']));
    expect(pairs.length).toBeGreaterThan(40);
    // The pairs named in the issue are among them.
    expect(pairs.some((p) => p.where.endsWith('.sb-rec') && p.fg === 'var(--on-rec)' && p.bg === 'var(--rec)')).toBe(
      true,
    );
    expect(pairs.some((p) => p.fg === 'var(--muted)' && p.bg === 'var(--panel-2)')).toBe(true);
  });

  it('computes contrast as WCAG does', () => {
    expect(contrast([255, 255, 255, 1], [0, 0, 0, 1])).toBeCloseTo(21, 5);
    expect(contrast([255, 255, 255, 1], [0xe5, 0x38, 0x3b, 1])).toBeCloseTo(4.23, 2); // the figure
  });

  for (const [theme, vars] of [
    ['light', light],
    ['dark', dark],
  ] as const) {
    it(`${theme}: every text colour is readable on its background`, () => {
      const failures: string[] = [];
      for (const p of pairs) {
        const base = parseColour(vars['--panel']!, vars)!;
        const bgRaw = parseColour(p.bg, vars);
        const fgRaw = parseColour(p.fg, vars);
        if (!bgRaw || !fgRaw) continue; // images, gradients: none in text rules today
        const bg = over(bgRaw, base);
        const ratio = contrast(over(fgRaw, bg), bg);
        const need = p.large ? 3 : 4.5;
        if (ratio < need) failures.push(`${p.where}: ${p.fg} on ${p.bg} is ${ratio.toFixed(2)}:1 (needs ${need}:1)`);
      }
      expect(failures).toEqual([]);
    });
  }
});
