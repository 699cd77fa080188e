// Commands the recorder answers by itself (the ones a Plexus dashboard can send about cameras and
// streams). Anything else goes to the technician's inbox.

import type { Plugins } from '../plugins';
import type { CommandInbox } from './inbox';
import type { Sources } from './sources';

function str(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new Error(`param ${name} is required (a string)`);
  return v;
}

function optNumber(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max)
    throw new Error(`param ${name} must be a number from ${min} to ${max}`);
  return n;
}

export function registerBuiltInCommands(
  inbox: CommandInbox,
  sources: Sources,
  plugins: Plugins,
  persist: () => void,
): void {
  const unknownCamera = (id: string): Error => {
    const known = [...sources.cameraIds(), ...sources.webcamIds()];
    return new Error(`no camera "${id}" on this recorder${known.length ? ` (cameras: ${known.join(', ')})` : ''}`);
  };
  const camera = (params: Record<string, unknown>) => {
    const id = str(params.camera_id, 'camera_id');
    const cam = sources.findCamera(id);
    if (!cam) {
      if (sources.webcamIds().includes(id))
        throw new Error(`"${id}" is the webcam of the recorder's window: change it there, in the window`);
      throw unknownCamera(id);
    }
    return cam;
  };
  /** A webcam is captured by the window: the host can stop it but cannot open the camera itself. */
  const webcamId = (params: Record<string, unknown>): string | null => {
    const id = params.camera_id;
    return typeof id === 'string' && !sources.findCamera(id) && sources.webcamIds().includes(id) ? id : null;
  };

  inbox.register(
    'start_camera',
    async (p) => {
      const webcam = webcamId(p);
      if (webcam)
        throw new Error(
          `"${webcam}" is the webcam of the recorder's window: it can only be started there — ask the technician to press Start webcam`,
        );
      const cam = camera(p);
      const fps = optNumber(p.frame_rate ?? p.fps, 'frame_rate', 0.1, 60);
      if (fps !== undefined && fps !== cam.config.fps) await sources.updateCamera(cam.id, { ...cam.config, fps });
      sources.startCamera(cam.id);
      return { ok: true, camera_id: cam.config.cameraId, fps: cam.config.fps ?? 15 };
    },
    'start streaming a camera',
    [
      { name: 'camera_id', type: 'string' },
      { name: 'frame_rate', type: 'float' },
    ],
  );

  inbox.register(
    'stop_camera',
    async (p) => {
      const webcam = webcamId(p);
      if (webcam) {
        sources.requestWebcamStop(webcam);
        return { ok: true, camera_id: webcam, note: 'the window stops the webcam' };
      }
      const cam = camera(p);
      await sources.stopCamera(cam.id);
      return { ok: true, camera_id: cam.config.cameraId };
    },
    'stop streaming a camera',
    [{ name: 'camera_id', type: 'string' }],
  );

  inbox.register(
    'configure_camera',
    async (p) => {
      const cam = camera(p);
      const next = { ...cam.config };
      const fps = optNumber(p.frame_rate ?? p.fps, 'frame_rate', 0.1, 60);
      const quality = optNumber(p.quality, 'quality', 1, 100);
      const width = optNumber(p.width, 'width', 16, 7680);
      const height = optNumber(p.height, 'height', 16, 4320);
      if (fps !== undefined) next.fps = fps;
      if (quality !== undefined) next.quality = Math.round(quality);
      if (width !== undefined) next.width = Math.round(width);
      if (height !== undefined) next.height = Math.round(height);
      await sources.updateCamera(cam.id, next);
      return { ok: true, camera_id: next.cameraId, config: next };
    },
    'change a camera’s frame rate, quality or size',
    [
      { name: 'camera_id', type: 'string' },
      { name: 'frame_rate', type: 'float' },
      { name: 'quality', type: 'int' },
      { name: 'width', type: 'int' },
      { name: 'height', type: 'int' },
    ],
  );

  // A "stream" is a source: a plugin instance (the demo sensor is one) or a network line source
  // (by name), a serial device (by name) or a camera (by id).
  const stream = async (p: Record<string, unknown>, on: boolean) => {
    const which = p.source ?? p.stream ?? p.name;
    const affected: string[] = [];
    const all = which === undefined || which === null || which === '' || which === 'all';
    for (const v of plugins.views()) {
      if (all || v.name === which) {
        await plugins.setEnabled(v.id, on);
        affected.push(v.name);
      }
    }
    for (const n of plugins.networkViews()) {
      if (all || n.config.name === which) {
        await plugins.setNetworkEnabled(n.id, on);
        affected.push(n.config.name);
      }
    }
    for (const s of sources.serialConfigs()) {
      if (all || s.config.name === which) {
        await sources.setSerialEnabled(s.id, on);
        affected.push(s.config.name);
      }
    }
    for (const c of sources.cameraConfigs()) {
      if (all || c.config.cameraId === which) {
        if (on) sources.startCamera(c.id);
        else await sources.stopCamera(c.id);
        affected.push(c.config.cameraId);
      }
    }
    if (!all && affected.length === 0) throw new Error(`no source "${String(which)}" on this recorder`);
    persist();
    return { ok: true, sources: affected };
  };
  inbox.register(
    'start_stream',
    (p) => stream(p, true),
    'start a source (a plugin such as demo, a network source, a serial device or a camera; all if none given)',
    [{ name: 'source', type: 'string' }],
  );
  inbox.register(
    'stop_stream',
    (p) => stream(p, false),
    'stop a source (a plugin such as demo, a network source, a serial device or a camera; all if none given)',
    [{ name: 'source', type: 'string' }],
  );
}
