// The rig's sources as the host manages them: serial devices and FFmpeg cameras (configured,
// persisted, connected when enabled), and webcams the window streams.

import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { SerialDevice, type SerialDeviceConfig } from '../devices/serial';
import { CameraRegistry, streamCamera, type CameraHandle, type CameraStatus } from '../devices/camera';
import type {
  CameraConfig,
  CameraSourceView,
  MetricInfo,
  SerialConfig,
  SerialSourceView,
  WebcamView,
} from '../../shared/contract';
import { serialMetric, serialPrefix } from '../../shared/serial-config';
import type { RecordingSink } from './recording-sink';
import { Webcams } from './webcams';

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

interface SerialEntry {
  id: string;
  config: SerialConfig;
  enabled: boolean;
  device: SerialDevice;
}

interface CameraEntry {
  id: string;
  config: CameraConfig;
  enabled: boolean;
  handle: CameraHandle | null;
  status: CameraStatus;
}

const LOG_TAIL = 20;

function serialDevice(config: SerialConfig, sink: RecordingSink): SerialDevice {
  // The contract's schema already checked it; SerialDevice checks again (it is used on its own too).
  // The prefix is always given: derived from the display name when none was set (serialPrefix), so
  // "PSU bench" records psu_bench.volts. Units and labels are the host's to publish, not the device's.
  const { fields: _fields, ...rest } = config;
  const c = {
    ...rest,
    prefix: serialPrefix(config),
    vendorId: config.vendorId?.toLowerCase(),
    productId: config.productId?.toLowerCase(),
  };
  const defined = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
  return new SerialDevice(defined as unknown as SerialDeviceConfig, sink);
}

export class Sources {
  private readonly serial = new Map<string, SerialEntry>();
  private readonly cameras = new Map<string, CameraEntry>();
  private readonly webcams: Webcams;

  constructor(
    private readonly sink: RecordingSink,
    /** Something a person would want to see again changed (persist + tell the window). */
    private readonly onChange: () => void,
    private ffmpegPath: string | null = null,
    /** The recorder's log file: every device's log lines and camera state changes go there too. */
    private readonly log: (source: string, level: 'info' | 'warn' | 'error', message: string) => void = () => {},
    /** The owner's cameras: its stopAll() stops the FFmpeg cameras started here. */
    private readonly cameraRegistry = new CameraRegistry(),
  ) {
    this.webcams = new Webcams(sink, onChange, log);
  }

  // ── serial ──────────────────────────────────────────────────────────────────────────────

  /**
   * Bring back the saved devices. One that cannot be restored (its settings no longer valid) does
   * not stop the others; the first such problem is returned for the settings dialog to show.
   */
  restore(
    serial: ReadonlyArray<{ id: string; config: SerialConfig; enabled: boolean }>,
    cameras: ReadonlyArray<{ id: string; config: CameraConfig; enabled: boolean }>,
  ): string | null {
    let problem: string | null = null;
    for (const s of serial) {
      try {
        this.addSerial(s.config, s.enabled, s.id);
      } catch (e) {
        problem ??= `serial device "${s.config.name}" could not be restored: ${(e as Error).message}`;
      }
    }
    for (const c of cameras) {
      try {
        this.addCamera(c.config, c.enabled, c.id);
      } catch (e) {
        problem ??= `camera "${c.config.cameraId}" could not be restored: ${(e as Error).message}`;
      }
    }
    return problem;
  }

  addSerial(config: SerialConfig, enabled = true, id: string = randomUUID()): string {
    if ([...this.serial.values()].some((e) => e.config.name === config.name)) {
      throw new Error(`a serial device named "${config.name}" exists already; choose another name`);
    }
    const device = serialDevice(config, this.sink);
    device.on('status', () => this.onChange());
    device.on('log', (e) => this.log(`serial ${config.name}`, e.level, e.message));
    const entry = { id, config, enabled, device };
    this.serial.set(id, entry);
    if (enabled) device.start();
    this.onChange();
    return id;
  }

  async updateSerial(id: string, config: SerialConfig): Promise<void> {
    const e = this.serialEntry(id);
    await e.device.stop();
    this.serial.delete(id);
    try {
      this.addSerial(config, e.enabled, id);
    } catch (err) {
      this.serial.set(id, e); // keep the old one rather than lose the device
      if (e.enabled) e.device.start();
      throw err;
    }
  }

  async removeSerial(id: string): Promise<void> {
    const e = this.serialEntry(id);
    this.serial.delete(id);
    await e.device.stop();
    this.onChange();
  }

  async setSerialEnabled(id: string, enabled: boolean): Promise<void> {
    const e = this.serialEntry(id);
    e.enabled = enabled;
    if (enabled) e.device.start();
    else await e.device.stop();
    this.onChange();
  }

  /** Detect the device's line format again (it changed format since it was detected). */
  redetectSerial(id: string): void {
    this.serialEntry(id).device.redetect();
    this.onChange();
  }

  writeSerial(id: string, line: string): Promise<void> {
    return this.serialEntry(id).device.write(line);
  }

  private serialEntry(id: string): SerialEntry {
    const e = this.serial.get(id);
    if (!e) throw new NotFoundError(`no serial device with id ${id}`);
    return e;
  }

  /**
   * The name of the serial source that has `path` open (or is opening it), or null: a plugin
   * asking for the same port is told who has it. Symlinks and their targets are one port.
   */
  serialSourceHolding(path: string): string | null {
    const real = (p: string): string => {
      try {
        return realpathSync(p);
      } catch {
        return resolve(p);
      }
    };
    const wanted = real(path);
    for (const e of this.serial.values()) {
      const s = e.device.status();
      if ((s.state === 'open' || s.state === 'opening') && s.path && real(s.path) === wanted) return e.config.name;
    }
    return null;
  }

  findSerialByName(name: string): SerialEntry | undefined {
    return [...this.serial.values()].find((e) => e.config.name === name);
  }

  serialViews(): SerialSourceView[] {
    return [...this.serial.values()].map((e) => {
      const s = e.device.status();
      const st = e.device.stats();
      return {
        id: e.id,
        config: e.config,
        enabled: e.enabled,
        state: s.state,
        message: s.message,
        path: s.path,
        lines: st.lines,
        points: st.points,
        problems: st.problems,
        parser: st.parser,
        log: e.device.log().slice(-LOG_TAIL),
        formatChanged: st.formatChanged,
      };
    });
  }

  /** Units and labels the technician set per field, by full metric name (shown with the values). */
  serialMetricInfo(): Record<string, MetricInfo> {
    const out: Record<string, MetricInfo> = {};
    for (const { config } of this.serial.values()) {
      for (const [field, info] of Object.entries(config.fields ?? {})) {
        const m: MetricInfo = {};
        if (info.unit) m.unit = info.unit;
        if (info.label) m.label = info.label;
        if (m.unit || m.label) out[serialMetric(config, field)] = m;
      }
    }
    return out;
  }

  serialConfigs(): Array<{ id: string; config: SerialConfig; enabled: boolean }> {
    return [...this.serial.values()].map((e) => ({ id: e.id, config: e.config, enabled: e.enabled }));
  }

  /** The FFmpeg binary cameras start from now on (running ones keep theirs until restarted). */
  setFfmpegPath(path: string | null): void {
    this.ffmpegPath = path;
  }

  // ── cameras ─────────────────────────────────────────────────────────────────────────────

  addCamera(config: CameraConfig, enabled = false, id: string = randomUUID()): string {
    if (
      [...this.cameras.values()].some((e) => e.config.cameraId === config.cameraId) ||
      this.webcams.has(config.cameraId)
    ) {
      throw new Error(`a camera with id "${config.cameraId}" exists already; choose another id`);
    }
    const entry: CameraEntry = {
      id,
      config,
      enabled: false,
      handle: null,
      status: { state: 'stopped', message: 'stopped' },
    };
    this.cameras.set(id, entry);
    if (enabled) this.startCamera(id);
    this.onChange();
    return id;
  }

  async updateCamera(id: string, config: CameraConfig): Promise<void> {
    const e = this.cameraEntry(id);
    const wasOn = e.enabled;
    await this.stopCamera(id);
    e.config = config;
    if (wasOn) this.startCamera(id);
    this.onChange();
  }

  async removeCamera(id: string): Promise<void> {
    await this.stopCamera(id);
    this.cameras.delete(id);
    this.onChange();
  }

  startCamera(id: string): void {
    const e = this.cameraEntry(id);
    if (e.handle) {
      // Still running: nothing to do. Ended in an error (or stopped by itself): start afresh.
      if (e.status.state !== 'error' && e.status.state !== 'stopped') return;
      e.handle.stop().catch((err: unknown) => this.log(`camera ${e.config.cameraId}`, 'error', String(err)));
      e.handle = null;
    }
    const c = e.config;
    const opts: Parameters<typeof streamCamera>[3] = { ffmpegPath: this.ffmpegPath, registry: this.cameraRegistry };
    if (c.fps !== undefined) opts.fps = c.fps;
    if (c.quality !== undefined) opts.quality = c.quality;
    if (c.width !== undefined) opts.width = c.width;
    if (c.height !== undefined) opts.height = c.height;
    // Problems a retry cannot fix (bad source, no FFmpeg) throw here, with a message for the person.
    const handle = streamCamera(this.sink, c.url, c.cameraId, opts);
    e.handle = handle;
    e.enabled = true;
    e.status = handle.status;
    handle.on('status', (s) => {
      if (s.state !== e.status.state || s.message !== e.status.message)
        this.log(`camera ${c.cameraId}`, s.state === 'error' ? 'error' : 'info', `${s.state}: ${s.message}`);
      e.status = s;
      this.onChange();
    });
    this.onChange();
  }

  async stopCamera(id: string): Promise<void> {
    const e = this.cameraEntry(id);
    e.enabled = false;
    const h = e.handle;
    e.handle = null;
    if (h) await h.stop();
    e.status = { state: 'stopped', message: 'stopped' };
    this.onChange();
  }

  private cameraEntry(id: string): CameraEntry {
    const e = this.cameras.get(id);
    if (!e) throw new NotFoundError(`no camera with id ${id}`);
    return e;
  }

  findCamera(cameraId: string): CameraEntry | undefined {
    return [...this.cameras.values()].find((e) => e.config.cameraId === cameraId);
  }

  cameraIds(): string[] {
    return [...this.cameras.values()].map((e) => e.config.cameraId);
  }

  cameraViews(): CameraSourceView[] {
    return [...this.cameras.values()].map((e) => {
      const st = e.handle?.stats();
      return {
        id: e.id,
        config: e.config,
        enabled: e.enabled,
        state: e.status.state,
        message: e.status.message,
        fps: st?.fps ?? 0,
        framesSent: st?.framesSent ?? 0,
        framesDropped: st?.framesDropped ?? 0,
      };
    });
  }

  cameraConfigs(): Array<{ id: string; config: CameraConfig; enabled: boolean }> {
    return [...this.cameras.values()].map((e) => ({ id: e.id, config: e.config, enabled: e.enabled }));
  }

  // ── webcams (captured in the window) ────────────────────────────────────────────────────

  setWebcam(cameraId: string, streaming: boolean, label?: string, reason?: 'window-closed'): void {
    if (this.findCamera(cameraId))
      throw new Error(`camera id "${cameraId}" is used by a configured camera; choose another`);
    this.webcams.set(cameraId, streaming, label, reason);
  }

  webcamFrame(cameraId: string, jpeg: Uint8Array, capturedAt?: number): Promise<{ sent: boolean; reason?: string }> {
    return this.webcams.frame(cameraId, jpeg, capturedAt);
  }

  webcamViews(): WebcamView[] {
    return this.webcams.views();
  }

  /** Webcam ids known to the host (the window streams them). */
  webcamIds(): string[] {
    return this.webcams.ids();
  }

  /** The platform asked to stop a webcam: the window streaming it stops. */
  requestWebcamStop(cameraId: string): void {
    this.webcams.requestStop(cameraId);
  }

  async stopAll(): Promise<void> {
    this.webcams.close();
    await Promise.all([...this.serial.values()].map((e) => e.device.stop()));
    await Promise.all(
      [...this.cameras.values()].map(async (e) => {
        const h = e.handle;
        e.handle = null;
        if (h) await h.stop();
      }),
    );
  }
}
