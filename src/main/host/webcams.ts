// Webcams the window captures and streams to the host, one per camera id. The host is where they
// are recorded, so it keeps the same health metrics as for FFmpeg cameras (camera.<id>.fps,
// .frames_sent, .frames_dropped, .restarts, and a .state event on every change), and it is where a
// stop is decided when the window cannot say: a window that was reloaded or closed stops sending,
// and its webcam shows why instead of looking as if it still streamed.

import type { WebcamView } from '../../shared/contract';
import { NewestFrameMailbox } from '../devices/camera';
import type { RecordingSink } from './recording-sink';

type VideoResult = Awaited<ReturnType<RecordingSink['sendVideoFrame']>>;

interface WebcamEntry extends WebcamView {
  message: string | null;
  stopRequested: boolean;
  /** Frames the client sent, by wall time, over the last 2 s (the achieved fps). */
  window: number[];
  /** Last sign of life from the window: a frame or a state change (wall ms). */
  lastSeen: number;
  /** Newest frame wins, as for FFmpeg cameras (see Sources). */
  mailbox: NewestFrameMailbox<{ jpeg: Uint8Array; capturedAt: number | undefined }, VideoResult>;
}

export const WINDOW_CLOSED = 'stopped: the window was reloaded/closed';
export const STOP_REQUESTED = 'stopped by the platform (stop_camera): start it again in the window';
/** A streaming webcam whose window sent nothing for this long is taken as stopped. */
const SILENT_MS = 15_000;
const METRICS_EVERY_MS = 1000;

export class Webcams {
  private readonly entries = new Map<string, WebcamEntry>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly sink: RecordingSink,
    private readonly onChange: () => void,
    private readonly log: (source: string, level: 'info' | 'warn' | 'error', message: string) => void,
  ) {
    this.timer = setInterval(() => this.everySecond(), METRICS_EVERY_MS);
    this.timer.unref?.();
  }

  has(cameraId: string): boolean {
    return this.entries.has(cameraId);
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  set(cameraId: string, streaming: boolean, label?: string, reason?: 'window-closed'): void {
    const w = this.entries.get(cameraId) ?? this.create(cameraId);
    const was = w.streaming;
    w.streaming = streaming;
    w.lastSeen = Date.now();
    if (label !== undefined) w.label = label;
    if (streaming) {
      w.message = null;
      w.stopRequested = false;
    } else {
      w.fps = 0;
      w.message = reason === 'window-closed' ? WINDOW_CLOSED : w.stopRequested ? STOP_REQUESTED : 'stopped';
    }
    this.entries.set(cameraId, w);
    if (was !== streaming || !streaming) this.stateChanged(w);
    this.onChange();
  }

  /** The platform asked to stop it (stop_camera): the window streaming it stops when it sees this. */
  requestStop(cameraId: string): void {
    const w = this.entries.get(cameraId);
    if (!w) throw new Error(`no webcam "${cameraId}"`);
    w.stopRequested = true;
    if (w.streaming) {
      w.streaming = false;
      w.fps = 0;
      w.message = STOP_REQUESTED;
      this.stateChanged(w);
    }
    this.onChange();
  }

  async frame(cameraId: string, jpeg: Uint8Array, capturedAt?: number): Promise<{ sent: boolean; reason?: string }> {
    const w = this.entries.get(cameraId);
    if (!w || !w.streaming)
      throw new Error(
        `webcam "${cameraId}" is not streaming${w?.message ? ` (${w.message})` : ''}; send webcam.state first`,
      );
    w.lastSeen = Date.now();
    const o = await w.mailbox.post({ jpeg, capturedAt });
    if (o.kind === 'failed') throw o.error;
    if (o.kind !== 'sent') {
      w.framesDropped++;
      return { sent: false, reason: 'superseded by a newer frame' };
    }
    const r = o.result;
    if (r.sent) {
      w.framesSent++;
      w.window.push(Date.now());
    } else w.framesDropped++;
    return r.reason ? { sent: r.sent, reason: r.reason } : { sent: r.sent };
  }

  views(): WebcamView[] {
    return [...this.entries.values()].map((w) => ({
      cameraId: w.cameraId,
      streaming: w.streaming,
      label: w.label,
      fps: this.fps(w),
      framesSent: w.framesSent,
      framesDropped: w.framesDropped,
      message: w.message,
      stopRequested: w.stopRequested,
    }));
  }

  close(): void {
    clearInterval(this.timer);
  }

  private create(cameraId: string): WebcamEntry {
    return {
      cameraId,
      streaming: false,
      label: null,
      fps: 0,
      framesSent: 0,
      framesDropped: 0,
      message: null,
      stopRequested: false,
      window: [],
      lastSeen: Date.now(),
      mailbox: new NewestFrameMailbox(({ jpeg, capturedAt }) =>
        this.sink.sendVideoFrame(jpeg, cameraId, capturedAt !== undefined ? { timestamp: capturedAt } : {}),
      ),
    };
  }

  /** Achieved fps: frames the client really sent over the last 2 s. */
  private fps(w: WebcamEntry): number {
    const now = Date.now();
    w.window = w.window.filter((t) => now - t <= 2000);
    w.fps = w.streaming ? Math.round((w.window.length / 2) * 10) / 10 : 0;
    return w.fps;
  }

  private everySecond(): void {
    const now = Date.now();
    for (const w of this.entries.values()) {
      if (w.streaming && now - w.lastSeen > SILENT_MS) {
        // No frame and no word: the page went away without saying so (killed, crashed, lost).
        w.streaming = false;
        w.fps = 0;
        w.message = `${WINDOW_CLOSED} (no frames for ${SILENT_MS / 1000} s)`;
        this.stateChanged(w);
        this.onChange();
      }
      if (!w.streaming) continue;
      const timestamp = Math.round(this.sink.now());
      const m = `camera.${w.cameraId}`;
      try {
        this.sink.sendBatch([
          { metric: `${m}.fps`, value: this.fps(w), timestamp },
          { metric: `${m}.frames_sent`, value: w.framesSent, timestamp },
          { metric: `${m}.frames_dropped`, value: w.framesDropped, timestamp },
          { metric: `${m}.restarts`, value: 0, timestamp },
        ]);
      } catch {
        // The client is closed or refused the points: the views still carry the counters.
      }
    }
  }

  private stateChanged(w: WebcamEntry): void {
    const state = w.streaming ? 'streaming' : 'stopped';
    const message = w.streaming
      ? `streaming from the window${w.label ? ` (${w.label})` : ''}`
      : (w.message ?? 'stopped');
    this.log(`webcam ${w.cameraId}`, 'info', `${state}: ${message}`);
    try {
      this.sink.send(`camera.${w.cameraId}.state`, { state, message });
    } catch {
      // As above: the client is closing.
    }
  }
}
