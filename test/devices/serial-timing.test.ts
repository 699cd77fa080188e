// Serial lines over a real pseudo-terminal (socat): each line gets its own arrival time, even when
// many arrive in one read, and a device that changes its line format is noticed and re-detected.
import { afterEach, describe, expect, it } from 'vitest';
import { ptyPair, writeAtOnce } from '../helpers/pty';
import { readLog, until } from '../helpers/plexus';
import { serialBench } from '../helpers/serial';
import { tempDir } from '../helpers/tmp';

const { localClient, device, cleanup } = serialBench('rig');

afterEach(cleanup);

describe('serial line timing', () => {
  it('gives each of 25 lines read in one chunk its own time, increasing, within the read interval', async () => {
    const dir = tempDir();
    const pty = await ptyPair(dir, 'timing');
    const c = localClient();
    const d = device({ path: pty.host, parser: 'plotter' }, c);
    await until(() => d.status().state === 'open', 5000, 'the port to open');
    writeAtOnce(pty.device, 'v:0\n');
    await until(() => d.stats().lines >= 1, 5000, 'the first line');
    const before = c.now();
    writeAtOnce(pty.device, Array.from({ length: 25 }, (_, i) => `v:${i + 1}\n`).join(''));
    await until(() => d.stats().lines >= 26, 5000, '25 more lines');
    const after = c.now();
    await c.persisted();
    const pts = readLog(c.dataDir).filter((p) => p.metric === 'rig.v');
    expect(pts).toHaveLength(26);
    const times = pts.map((p) => p.timestamp);
    // Never equal, always increasing, in the order the lines came.
    expect(new Set(times).size).toBe(26);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    expect(pts.map((p) => p.value)).toEqual(Array.from({ length: 26 }, (_, i) => i));
    // The burst's lines lie between the first line and the moment they were all read.
    for (const t of times.slice(1)) {
      expect(t).toBeGreaterThan(times[0]!);
      expect(t).toBeLessThanOrEqual(after + 1);
    }
    expect(times[25]!).toBeGreaterThanOrEqual(before - 1);
  });

  it('says when the detected format stops fitting, and detects it again on request', async () => {
    const dir = tempDir();
    const pty = await ptyPair(dir, 'format');
    const c = localClient();
    const d = device({ path: pty.host }, c);
    await until(() => d.status().state === 'open', 5000, 'the port to open');
    for (let i = 0; i < 6; i++) writeAtOnce(pty.device, `temp:${20 + i},rpm:${1000 + i}\n`);
    await until(() => d.stats().parser === 'plotter', 5000, 'plotter to be detected');
    // The sketch was re-flashed: JSON lines now.
    for (let i = 0; i < 10; i++) writeAtOnce(pty.device, `{"temp":${30 + i},"state":"run"}\n`);
    await until(() => d.stats().formatChanged !== null, 5000, 'the format change to be noticed');
    expect(d.stats().formatChanged).toMatch(/^the lines no longer look like plotter: re-detect\?/);
    expect(d.status().message).toMatch(/no longer look like plotter/);
    expect(d.log().some((e) => e.level === 'warn' && /no longer look like plotter/.test(e.message))).toBe(true);
    expect(d.stats().parser).toBe('plotter'); // nothing changes until the technician asks

    d.redetect();
    expect(d.stats().formatChanged).toBeNull();
    for (let i = 0; i < 6; i++) writeAtOnce(pty.device, `{"temp":${40 + i},"state":"run"}\n`);
    await until(() => d.stats().parser === 'jsonl', 5000, 'JSON lines to be detected');
    await until(() => d.stats().lines >= 16 + 6, 5000, 'the JSON lines to be read');
    await c.persisted();
    const temps = readLog(c.dataDir)
      .filter((p) => p.metric === 'rig.temp')
      .map((p) => p.value);
    expect(temps.slice(-6)).toEqual([40, 41, 42, 43, 44, 45]);
    expect(d.status().message).not.toMatch(/no longer look like/);
  });
});
