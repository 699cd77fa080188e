// What a tile shows (src/renderer/src/live): decimals that stay put, text values in words, long
// names cut in the middle, staleness judged by each metric's cadence, and which metrics go away
// when their source is removed or reconfigured.
import { describe, expect, it } from 'vitest';
import { Cadence } from '../../src/renderer/src/live/cadence';
import { StableDecimals } from '../../src/renderer/src/live/decimals';
import { formatNumber, formatValue, readableText } from '../../src/renderer/src/live/formatValue';
import { fitMiddle, middleCut } from '../../src/renderer/src/live/middleEllipsis';
import { retiredPrefixes, sourceKeys } from '../../src/renderer/src/live/retire';
import type { SourcesStore } from '../../src/renderer/src/stores/sourcesStore';

describe('StableDecimals', () => {
  it('keeps the decimals a metric has shown: 10.25 → 10.00 → 5.00, never "5" then "5.0"', () => {
    const d = new StableDecimals();
    const shown = [10.25, 10, 5, 5.5, 7].map((v) => {
      d.observe(v);
      return formatNumber(v, d.value);
    });
    expect(shown).toEqual(['10.25', '10.00', '5.00', '5.50', '7.00']);
  });

  it('starts with what the first value needs and only adds decimals', () => {
    const d = new StableDecimals();
    d.observe(3450);
    expect(d.value).toBe(0);
    d.observe(3450.5);
    expect(d.value).toBe(1);
    d.observe(3451);
    expect(d.value).toBe(1);
  });

  it('caps decimals so the largest value seen shows at most 8 digits; ignores NaN and ∞', () => {
    const d = new StableDecimals();
    d.observe(0.000123); // 6 decimals
    expect(d.value).toBe(6);
    d.observe(123_456);
    expect(d.value).toBe(2); // 123,456.00: 8 digits
    d.observe(NaN);
    d.observe(Infinity);
    expect(d.value).toBe(2);
  });
});

describe('readableText', () => {
  it('shows a camera state object by its state, not as JSON', () => {
    expect(readableText('{"state":"streaming","message":"streaming front at 15 fps"}')).toBe('streaming');
    expect(formatValue('{"state":"error","message":"no such file"}', 0)).toBe('error');
  });

  it('reads notes, messages, lists and plain objects as words', () => {
    expect(readableText('{"note":"valve opened"}')).toBe('valve opened');
    expect(readableText('{"message":"warming up"}')).toBe('warming up');
    expect(readableText('["a",1,true]')).toBe('a, 1, true');
    expect(readableText('{"x":1,"y":"up"}')).toBe('x 1 · y up');
    expect(readableText('"quoted"')).toBe('quoted');
  });

  it('finds the state in JSON the host clipped, and leaves plain text and broken JSON alone', () => {
    expect(readableText('{"state":"restarting","message":"ffmpeg exited with code 1: Connection ref…')).toBe(
      'restarting',
    );
    expect(readableText('RUNNING')).toBe('RUNNING');
    expect(readableText('{not json')).toBe('{not json');
    expect(formatValue(true, 0)).toBe('true');
  });
});

describe('middle ellipsis', () => {
  it('keeps the start and more of the end', () => {
    expect(middleCut('camera.front_door.frames_dropped', 20)).toBe('camera.f…ames_dropped'); // 8 + 12 characters;
    expect(middleCut('short', 20)).toBe('short');
    expect(middleCut('abcdef', 0)).toBe('…');
  });

  it('two long names with one prefix stay distinguishable', () => {
    const a = middleCut('plant.line3.press7.hydraulic.pressure_in', 22);
    const b = middleCut('plant.line3.press7.hydraulic.pressure_out', 22);
    expect(a).not.toBe(b);
    expect(a.endsWith('pressure_in')).toBe(true);
  });

  it('fits the longest cut that a width allows (measured by an injected function)', () => {
    const byChars = (s: string): number => Array.from(s).length * 7;
    const name = 'plant.line3.press7.hydraulic.pressure_in';
    expect(fitMiddle(name, 1000, byChars)).toBe(name);
    const fit = fitMiddle(name, 140, byChars);
    expect(byChars(fit)).toBeLessThanOrEqual(140);
    expect(Array.from(fit)).toHaveLength(20); // 19 characters and the ellipsis
    expect(fit).toContain('…');
    expect(fitMiddle('abc', 1, byChars)).toBe('…');
  });
});

describe('Cadence (stale by a metric’s own rhythm)', () => {
  it('a metric that came every 100 ms and stopped is stale after the 5 s floor', () => {
    const c = new Cadence();
    for (let t = 0; t <= 2000; t += 100) c.note(t);
    expect(c.isStale(2000 + 4_999)).toBe(false);
    expect(c.isStale(2000 + 5_001)).toBe(true);
  });

  it('a sparse but regular event (every 60 s) is healthy after a minute of silence', () => {
    const c = new Cadence();
    for (let t = 0; t <= 240_000; t += 60_000) c.note(t);
    expect(c.isStale(240_000 + 61_000)).toBe(false);
    expect(c.isStale(240_000 + 179_000)).toBe(false);
    expect(c.isStale(240_000 + 181_000)).toBe(true); // three of its gaps
  });

  it('is never stale before its cadence is known (fewer than 3 intervals)', () => {
    const c = new Cadence();
    c.note(0);
    c.note(100);
    c.note(200);
    expect(c.isStale(1e9)).toBe(false);
    c.note(300);
    expect(c.isStale(1e9)).toBe(true);
  });
});

describe('retired sources', () => {
  const plugin = (id: string, name: string, config: Record<string, unknown>) =>
    ({ id, name, config }) as unknown as SourcesStore['plugins'][number];
  const camera = (id: string, cameraId: string, fps: number) =>
    ({ id, config: { cameraId, fps } }) as unknown as SourcesStore['cameras'][number];
  const serial = (id: string, name: string, prefix?: string) =>
    ({
      id,
      config: { name, ...(prefix !== undefined ? { prefix } : {}) },
    }) as unknown as SourcesStore['serial'][number];
  const store = (over: Partial<SourcesStore>) => ({ plugins: [], network: [], serial: [], cameras: [], ...over });

  it('a removed source retires its prefix; a reconfigured one too (not removed); an unchanged one stays', () => {
    const before = sourceKeys(
      store({
        plugins: [plugin('p1', 'demo', { hz: 10 }), plugin('p2', 'psu', {})],
        cameras: [camera('c1', 'front', 15)],
      }),
    );
    const after = sourceKeys(store({ plugins: [plugin('p1', 'demo', { hz: 10, metrics: 500 })], cameras: [] }));
    expect(retiredPrefixes(before, after)).toEqual([
      { prefix: 'demo.', removed: false },
      { prefix: 'psu.', removed: true },
      { prefix: 'camera.front.', removed: true },
    ]);
    expect(retiredPrefixes(after, after)).toEqual([]);
  });

  it('a serial device writes under its prefix, else its name; bare field names are not attributed', () => {
    const keys = sourceKeys(
      store({ serial: [serial('s1', 'psu'), serial('s2', 'x', 'bench'), serial('s3', 'y', '')] }),
    );
    expect([...keys.values()].map((k) => k.prefix)).toEqual(['psu.', 'bench.']);
  });
});
