// The pure parts behind the Settings dialog, names, the status words and Stop: what Save sends,
// names reported in characters, the one metric prefix rule, the backlog's words in local-only
// mode, when stopping asks first, and per-field units and labels in the serial form.
import { describe, expect, it } from 'vitest';
import { settingsChanges } from '../../src/renderer/src/settings/SettingsDialog';
import { draftFrom } from '../../src/renderer/src/settings/gatewayDraft';
import { ASK_BEFORE_STOP_MS, stopAsksFirst } from '../../src/renderer/src/run/recorderStore';
import { backlogWords, connectionSentence } from '../../src/renderer/src/status/connectionWords';
import { cameraIdFor } from '../../src/renderer/src/sources/CameraForm';
import {
  configFromDraft,
  draftFromConfig,
  draftProblems,
  exampleMetric,
} from '../../src/renderer/src/sources/serialDraft';
import { deviceNameProblem, metricPrefixFrom, metricPrefixProblem } from '../../src/shared/names';
import type { SettingsView } from '../../src/shared/contract';

const saved = {
  deviceName: 'rig-01',
  gateway: { mode: 'cloud' },
  apiKeySet: false,
} as unknown as SettingsView;

describe('Save in the Settings dialog', () => {
  it('sends only what changed, all in one request', () => {
    expect(settingsChanges(saved, 'rig-01', '', draftFrom({ mode: 'cloud' }))).toEqual({});
    expect(
      settingsChanges(saved, 'rig-02', ' plx_key_123 ', { mode: 'custom', url: ' https://p.lab ', wsUrl: '' }),
    ).toEqual({ deviceName: 'rig-02', apiKey: 'plx_key_123', gateway: { mode: 'custom', url: 'https://p.lab' } });
  });
});

describe('names', () => {
  it('reports an emoji as the character it is, never half of it', () => {
    expect(deviceNameProblem('rig😀')).toBe('"😀" is not allowed: use letters, digits, "-" or "_"');
    expect(deviceNameProblem('rig😀')).not.toContain('\uFFFD');
    expect(deviceNameProblem('😀')).toBe('at least 2 characters'); // one character, two UTF-16 units
    expect(deviceNameProblem('a'.repeat(62) + '😀')).toMatch(/is not allowed/); // 63 characters
  });

  it('derives a metric prefix from a display name, by the one rule', () => {
    expect(metricPrefixFrom('Front Cam')).toBe('front_cam');
    expect(metricPrefixFrom('PSU bench')).toBe('psu_bench');
    expect(metricPrefixFrom('Température °C')).toBe('temperature_c');
    expect(metricPrefixFrom('  ', 'camera')).toBe('camera');
    expect(metricPrefixFrom('x'.repeat(100)).length).toBe(63);
    for (const s of ['Front Cam', 'PSU bench', 'Température °C', '😀 cam', '--a--', 'x'.repeat(100)])
      expect(metricPrefixProblem(metricPrefixFrom(s)), s).toBeNull();
    expect(metricPrefixProblem('Front Cam')).toMatch(/no spaces/);
    expect(metricPrefixProblem('cam😀')).toMatch(/"😀" is not allowed/);
  });

  it('a camera keeps its id until its name changes, then the id follows the name', () => {
    expect(cameraIdFor('Front Cam', null)).toBe('front_cam');
    const old = { name: 'Front Cam', cameraId: 'front_cam-2' };
    expect(cameraIdFor('Front Cam', old)).toBe('front_cam-2');
    expect(cameraIdFor('Rear cam', old)).toBe('rear_cam');
  });
});

describe('status words', () => {
  it('in local-only mode the backlog is "kept locally", and expected', () => {
    expect(backlogWords('local-only').label).toBe('kept locally');
    expect(backlogWords('local-only').title).toMatch(/expected/);
    expect(backlogWords('offline').label).not.toBe('kept locally');
    expect(connectionSentence('local-only', 'Local only — add an API key to ship data', 'local')).toMatch(
      /kept on this machine/,
    );
    expect(connectionSentence('local-only', 'host words', 'cloud')).toBe('host words');
  });
});

describe('stopping a run', () => {
  it('asks first only once the run is longer than a minute', () => {
    expect(ASK_BEFORE_STOP_MS).toBe(60_000);
    expect(stopAsksFirst(1_000, 1_000 + 59_999)).toBe(false);
    expect(stopAsksFirst(1_000, 1_000 + 60_000)).toBe(true);
  });
});

describe('serial fields: units and labels', () => {
  const base = { ...draftFromConfig(null), name: 'PSU bench', path: '/dev/ttyS0' };

  it('shows the derived prefix before saving, and keeps rows with a unit or label', () => {
    expect(exampleMetric(base)).toBe('psu_bench.temp');
    expect(exampleMetric(base, 'volts')).toBe('psu_bench.volts');
    const d = {
      ...base,
      fields: [
        { field: 'volts', unit: 'V', label: 'Output' },
        { field: 'amps', unit: ' A ', label: '' },
        { field: 'empty', unit: '', label: '' },
        { field: '', unit: '', label: '' },
      ],
    };
    expect(draftProblems(d)).toEqual({});
    const c = configFromDraft(d);
    expect(c.fields).toEqual({ volts: { unit: 'V', label: 'Output' }, amps: { unit: 'A' } });
    expect(configFromDraft(draftFromConfig(c))).toEqual(c);
  });

  it('names the row that is wrong', () => {
    const twice = {
      ...base,
      fields: [
        { field: 'v', unit: 'V', label: '' },
        { field: 'v', unit: 'mV', label: '' },
      ],
    };
    expect(draftProblems(twice).fields).toEqual({ row: 0, problem: '"v" is listed twice' });
    const unnamed = { ...base, fields: [{ field: ' ', unit: 'V', label: '' }] };
    expect(draftProblems(unnamed).fields?.problem).toMatch(/name the field/);
    const spaced = { ...base, fields: [{ field: 'a b', unit: 'V', label: '' }] };
    expect(draftProblems(spaced).fields?.problem).toMatch(/no spaces/);
  });
});
