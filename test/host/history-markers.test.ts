// What the host keeps for the window: markers in their own list (a chatty device cannot push them
// out), recent events, the inbox across a restart with outcomes in distinct words, and the
// webcam's health metrics and remote start/stop. Real hosts, SQLite files, a pty and a gateway.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { TestGateway } from '../support/gateway';
import { readLog, sleep, until } from '../helpers/plexus';
import { killAllPtyProcesses, ptyPair, simDevice } from '../helpers/pty';
import { cleanupTempDirs, tempDir } from '../helpers/tmp';
import type { Host } from '../../src/main/host';
import { call, startHost, stopHost, stopHosts } from '../helpers/host';

let gw: TestGateway | null = null;

afterEach(async () => {
  await stopHosts();
  await gw?.close();
  gw = null;
  await killAllPtyProcesses();
  cleanupTempDirs();
});

async function connect(h: Host, name = 'rig-08'): Promise<TestGateway> {
  gw ??= await TestGateway.start();
  await call(h, 'settings.setGateway', { gateway: { mode: 'custom', url: gw.url, wsUrl: gw.wsUrl } });
  await call(h, 'settings.setDeviceName', { name });
  await call(h, 'settings.setApiKey', { apiKey: 'plx_test_key_123' });
  await until(() => h.state().status.status === 'connected', 10_000, 'connected');
  return gw;
}

describe('markers and events kept on the host', () => {
  it('a device sending text 100s of times keeps neither the marker out of its list nor the events from a reload', async () => {
    const h = await startHost();
    await call(h, 'demo.set', { enabled: false });
    const pty = await ptyPair(tempDir());
    await call(h, 'serial.add', { config: { name: 'plc', path: pty.host, baudRate: 115200, parser: 'jsonl' } });
    await until(() => h.state().serial[0]?.state === 'open', 5000, 'the port to open');
    const run = await call(h, 'run.start', { name: 'chatty' });
    const m = await call(h, 'marker.add', { note: 'valve opened' });
    expect(m.runId).toBe(run.id);
    expect(m.message).toBeUndefined();
    simDevice(pty.device, {
      lines: Array.from({ length: 300 }, (_, i) => `{"state":"step-${i}","p":${i}}\n`),
    });
    await until(() => h.state().events.some((e) => e.value === 'step-299'), 15_000, 'the 300 state events');
    const s = h.state();
    expect(s.markers.map((x) => [x.seq, x.note, x.runId])).toEqual([[m.seq, 'valve opened', run.id]]);
    // Recent events are kept for a window that reloads, without the marker (it has its own list).
    expect(s.events.length).toBe(200);
    expect(s.events.at(-1)).toMatchObject({ metric: 'plc.state', value: 'step-299' });
    expect(s.events.some((e) => e.metric === 'marker')).toBe(false);

    // After the run: its markers stay listed as the last run's.
    await call(h, 'run.stop', {});
    await call(h, 'run.start', { name: 'next' });
    expect(h.state().markers.map((x) => x.runId)).toEqual([run.id]);
  }, 60_000);

  it('a marker without a run says where it went; a marker without a note is stored as {} (no made-up text)', async () => {
    const h = await startHost();
    const out = await call(h, 'marker.add', {});
    expect(out.runId).toBeNull();
    expect(out.message).toBe('marker recorded outside a run');
    expect(h.state().markers).toEqual([{ seq: out.seq, t: out.t, note: null, runId: null }]);
    const dir = h.state().settings.dataDir;
    await stopHost(h);
    const marker = readLog(join(dir, 'plexus')).find((p) => p.metric === 'marker');
    expect(marker).toMatchObject({ class: 'event', value: {} });
    expect(marker?.tags?.run_id).toBeUndefined();
  });
});

describe('the last run’s markers across a restart', () => {
  it('a new host on the same data folder lists the last run’s markers, notes whole, read back from the run log', async () => {
    const dir = tempDir();
    const a = await startHost(dir);
    await call(a, 'demo.set', { enabled: false });
    const first = await call(a, 'run.start', { name: 'first run' });
    await call(a, 'marker.add', { note: 'not the last run' });
    await call(a, 'run.stop', {});
    const run = await call(a, 'run.start', { name: 'leak test 7' });
    const long = 'ä'.repeat(150); // 300 UTF-8 bytes: recorded as { note }, not as text
    const marks = [
      await call(a, 'marker.add', { note: 'valve opened' }),
      await call(a, 'marker.add', {}),
      await call(a, 'marker.add', { note: long }),
    ];
    await call(a, 'run.stop', {});
    const outside = await call(a, 'marker.add', { note: 'between runs' });
    expect(outside.runId).toBeNull();
    expect(a.state().markers.filter((m) => m.runId === run.id)).toHaveLength(3);
    await stopHost(a);

    const b = await startHost(dir);
    await until(() => b.state().markers.length === 3, 10_000, 'the last run’s markers read back');
    const s = b.state();
    expect(s.markers).toEqual([
      { seq: marks[0]!.seq, t: marks[0]!.t, note: 'valve opened', runId: run.id },
      { seq: marks[1]!.seq, t: marks[1]!.t, note: null, runId: run.id },
      { seq: marks[2]!.seq, t: marks[2]!.t, note: long, runId: run.id },
    ]);
    // The window names the group by the run, which the state lists as the last one that ended.
    expect(s.runs.find((r) => r.id === run.id)).toMatchObject({ name: 'leak test 7' });
    expect(s.runs.map((r) => r.id)).toContain(first.id);

    // A marker dropped now is listed beside them, once; a new run ending makes them go.
    const next = await call(b, 'run.start', { name: 'after restart' });
    const m = await call(b, 'marker.add', { note: 'new' });
    expect(b.state().markers.map((x) => x.note)).toEqual(['valve opened', null, long, 'new']);
    await call(b, 'run.stop', {});
    expect(b.state().markers).toEqual([{ seq: m.seq, t: m.t, note: 'new', runId: next.id }]);
  }, 60_000);

  it('a run cut short by the recorder quitting keeps its markers too; no run at all lists none', async () => {
    const dir = tempDir();
    const a = await startHost(dir);
    await call(a, 'demo.set', { enabled: false });
    const run = await call(a, 'run.start', { name: 'cut short' });
    const m = await call(a, 'marker.add', { note: 'before the quit' });
    await stopHost(a);
    const b = await startHost(dir);
    await until(() => b.state().markers.length === 1, 10_000, 'the interrupted run’s marker');
    expect(b.state().markers[0]).toEqual({ seq: m.seq, t: m.t, note: 'before the quit', runId: run.id });
    expect(b.state().runs.find((r) => r.id === run.id)).toMatchObject({ name: 'cut short', interrupted: true });

    const fresh = await startHost();
    await sleep(300);
    expect(fresh.state().markers).toEqual([]);
  }, 60_000);
});

describe('the inbox across a restart, in distinct words', () => {
  it('keeps rejected, timed-out and lost commands with their outcomes after a restart', async () => {
    const dir = tempDir();
    const h = await startHost(dir);
    const g = await connect(h);
    const results = (id: string) => g.commandResults.filter((r) => r.msg.id === id).map((r) => r.msg);
    const waiting = (id: string) =>
      until(() => h.state().inbox.some((c) => c.id === id && c.state === 'waiting'), 5000, `${id} waiting`);

    const wipe = g.sendCommand('rig-08', { command: 'wipe', params: {} });
    await waiting(wipe);
    await call(h, 'command.answer', { id: wipe, approve: false, reason: 'a test is running' });
    const late = g.sendCommand('rig-08', { command: 'calibrate', params: { span: 3 } });
    await until(() => results(late).length === 2, 6000, 'calibrate to time out');
    const reboot = g.sendCommand('rig-08', { command: 'reboot', params: {} });
    await waiting(reboot);
    await call(h, 'command.answer', { id: reboot, approve: true });
    const open = g.sendCommand('rig-08', { command: 'flush_valves', params: {} });
    await waiting(open);

    const byId = (id: string) => h.state().inbox.find((c) => c.id === id)!;
    await until(() => byId(reboot).state === 'result', 3000, 'reboot approved');
    expect(byId(wipe)).toMatchObject({ state: 'error', outcome: 'rejected' });
    expect(byId(late)).toMatchObject({ state: 'error', outcome: 'timed-out', answerWithinS: 2 });
    expect(byId(reboot)).toMatchObject({ state: 'result', outcome: 'approved' });

    await stopHost(h);
    expect(existsSync(join(dir, 'inbox.json'))).toBe(true);
    const b = await startHost(dir);
    const inbox = b.state().inbox;
    expect(inbox.map((c) => c.id)).toEqual([open, reboot, late, wipe]);
    expect(inbox.find((c) => c.id === wipe)).toMatchObject({
      outcome: 'rejected',
      error: 'rejected by the technician: a test is running',
    });
    expect(inbox.find((c) => c.id === late)).toMatchObject({ outcome: 'timed-out', params: { span: 3 } });
    expect(inbox.find((c) => c.id === reboot)).toMatchObject({ outcome: 'approved' });
    // It was waiting when the recorder stopped: it can no longer be answered, and says so.
    expect(inbox.find((c) => c.id === open)).toMatchObject({ state: 'error', outcome: 'lost', deadline: null });
  }, 60_000);
});

describe('the webcam as a camera', () => {
  it('records camera.<id>.* health metrics, stops on stop_camera, refuses start_camera in words', async () => {
    const h = await startHost();
    const g = await connect(h, 'rig-09');
    const results = (id: string) => g.commandResults.filter((r) => r.msg.id === id).map((r) => r.msg);
    const jpeg = new Uint8Array(
      await sharp({ create: { width: 32, height: 24, channels: 3, background: '#0f0' } })
        .jpeg()
        .toBuffer(),
    );
    await call(h, 'webcam.state', { cameraId: 'bench-cam', streaming: true, label: 'Fake camera' });
    for (let i = 0; i < 6; i++) {
      await call(h, 'webcam.frame', { cameraId: 'bench-cam', jpeg });
      await sleep(100);
    }
    const names = ['fps', 'frames_sent', 'frames_dropped', 'restarts'].map((n) => `camera.bench-cam.${n}`);
    await until(
      () => names.every((n) => g.points.some((p) => p.metric === n)),
      10_000,
      'the webcam health metrics at the gateway',
    );
    const sent = g.points.filter((p) => p.metric === 'camera.bench-cam.frames_sent').map((p) => p.value as number);
    expect(Math.max(...sent)).toBeGreaterThan(0);
    await until(() => g.points.some((p) => p.metric === 'camera.bench-cam.state'), 5000, 'the state event');

    const start = g.sendCommand('rig-09', { command: 'start_camera', params: { camera_id: 'bench-cam' } });
    await until(() => results(start).length === 2, 5000, 'start_camera answered');
    expect(results(start)[1]).toMatchObject({ event: 'error' });
    expect(String(results(start)[1]!.error)).toMatch(/webcam of the recorder's window: it can only be started there/);

    const stop = g.sendCommand('rig-09', { command: 'stop_camera', params: { camera_id: 'bench-cam' } });
    await until(() => results(stop).length === 2, 5000, 'stop_camera answered');
    expect(results(stop)[1]).toMatchObject({ event: 'result', result: { ok: true, camera_id: 'bench-cam' } });
    expect(h.state().webcams[0]).toMatchObject({ streaming: false, stopRequested: true });
    expect(h.state().webcams[0]!.message).toMatch(/stopped by the platform/);
    const refused = await h.handle('webcam.frame', { cameraId: 'bench-cam', jpeg });
    expect(refused.ok).toBe(false);

    // A window that goes away says so; the webcam shows why it stopped.
    await call(h, 'webcam.state', { cameraId: 'bench-cam', streaming: true });
    await call(h, 'webcam.state', { cameraId: 'bench-cam', streaming: false, reason: 'window-closed' });
    expect(h.state().webcams[0]!.message).toBe('stopped: the window was reloaded/closed');
  }, 60_000);
});
