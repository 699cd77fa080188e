// Units shown beside values (src/renderer/src/live/units.ts, formatValue.ts): what sources
// describe wins; the recorder's own camera metrics have theirs; value and unit read naturally.
import { describe, expect, it } from 'vitest';
import { withUnit } from '../../src/renderer/src/live/formatValue';
import { ownUnit, unitFor } from '../../src/renderer/src/live/units';

describe('units', () => {
  it('knows the recorder’s own camera metrics', () => {
    expect(ownUnit('camera.front.fps')).toBe('fps');
    expect(ownUnit('camera.front.frames_sent')).toBe('frames');
    expect(ownUnit('camera.front.frames_dropped')).toBe('frames');
    expect(ownUnit('camera.front.restarts')).toBe('restarts');
    expect(ownUnit('camera.front.state')).toBeUndefined();
    expect(ownUnit('camera.fps')).toBeUndefined(); // no camera id: not one of ours
    expect(ownUnit('demo.fps')).toBeUndefined();
  });

  it('reads conventional name endings: points per second, bytes, milliseconds', () => {
    expect(ownUnit('recorder.points_per_s')).toBe('pts/s');
    expect(ownUnit('disk.free_bytes')).toBe('B');
    expect(ownUnit('link.rtt_ms')).toBe('ms');
    expect(ownUnit('demo.coolant_temp_c')).toBeUndefined();
  });

  it('a unit the source described wins over the recorder’s guess', () => {
    expect(unitFor('camera.front.fps', 'Hz')).toBe('Hz');
    expect(unitFor('camera.front.fps', undefined)).toBe('fps');
    expect(unitFor('camera.front.fps', '')).toBe('fps');
    expect(unitFor('demo.x', undefined)).toBeUndefined();
  });

  it('writes a value with its unit; % sits close', () => {
    expect(withUnit('82.3', '°C')).toBe('82.3 °C');
    expect(withUnit('45', '%')).toBe('45%');
    expect(withUnit('7', undefined)).toBe('7');
  });
});
