// Streams this machine's webcam to the host: getUserMedia → <video> → canvas → JPEG →
// `webcam.frame`, at the chosen rate, with never more than one frame in flight (frames due while
// one is pending are skipped and counted), so a slow host or link cannot build a queue here.
import { errorText, getBench } from '../bridge';
import { hostNow } from '../live/clock';

/** Largest frame edge sent; a 4K webcam would otherwise blow the 1 MB frame limit. */
const MAX_EDGE = 1280;
const MAX_BYTES = 1_000_000;

export interface StreamerStats {
  /** Frames the host accepted. */
  sent: number;
  /** Frames skipped because the previous one was still in flight. */
  skipped: number;
  /** Frames the host answered with sent: false (and why, in lastProblem). */
  refused: number;
  /** Frames that failed to encode or whose request failed. */
  failed: number;
  lastProblem: string | null;
}

export interface StreamOptions {
  deviceId: string | null;
  cameraId: string;
  fps: number;
  label: string | undefined;
}

/** Words for getUserMedia's errors, with what to do. */
export function mediaErrorText(e: unknown): string {
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'NotAllowedError') return 'Camera access was refused — allow the camera for this window and try again';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'That camera is not available — pick another';
  if (name === 'NotReadableError') return 'The camera is busy — close other programs using it and try again';
  return errorText(e);
}

export class WebcamStreamer {
  readonly stats: StreamerStats = { sent: 0, skipped: 0, refused: 0, failed: 0, lastProblem: null };
  private stream: MediaStream | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private inFlight = false;
  private quality = 0.75;
  private opts: StreamOptions | null = null;
  private readonly canvas = document.createElement('canvas');

  constructor(
    private readonly video: HTMLVideoElement,
    /** Called when the camera went away by itself (unplugged, revoked). */
    private readonly onEnded: (why: string) => void,
  ) {}

  get streaming(): boolean {
    return this.stream !== null;
  }

  async start(opts: StreamOptions): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('This window cannot use a camera: open it at http://127.0.0.1 or http://localhost');
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: opts.deviceId ? { deviceId: { exact: opts.deviceId } } : true,
        audio: false,
      });
    } catch (e) {
      throw new Error(mediaErrorText(e), { cause: e });
    }
    this.stream = stream;
    this.opts = opts;
    for (const track of stream.getVideoTracks()) {
      track.addEventListener('ended', () => {
        void this.stop().then(() => this.onEnded('The camera stopped (unplugged or taken by another program)'));
      });
    }
    this.video.srcObject = stream;
    await this.video.play().catch(() => undefined); // autoplay of a muted preview; frames flow regardless
    try {
      await getBench().invoke('webcam.state', {
        cameraId: opts.cameraId,
        streaming: true,
        fps: opts.fps,
        ...(opts.label ? { label: opts.label.slice(0, 200) } : {}),
      });
    } catch (e) {
      this.release();
      throw e;
    }
    this.schedule(opts.fps);
  }

  /** Change the frame rate while streaming. */
  async setFps(fps: number): Promise<void> {
    if (!this.opts || !this.stream) return;
    this.opts = { ...this.opts, fps };
    this.schedule(fps);
    await getBench().invoke('webcam.state', { cameraId: this.opts.cameraId, streaming: true, fps });
  }

  /** Stop; `reason`: the page is going away (the host then says the window was reloaded/closed). */
  async stop(reason?: 'window-closed'): Promise<void> {
    const opts = this.opts;
    if (!this.stream || !opts) return;
    this.release();
    await getBench().invoke('webcam.state', {
      cameraId: opts.cameraId,
      streaming: false,
      ...(reason ? { reason } : {}),
    });
  }

  private release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    this.opts = null;
    this.video.srcObject = null;
  }

  private schedule(fps: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.capture(), 1000 / fps);
  }

  private async capture(): Promise<void> {
    const opts = this.opts;
    if (!opts) return;
    if (this.inFlight) {
      this.stats.skipped++;
      return;
    }
    const v = this.video;
    if (v.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || !v.videoWidth) return;
    this.inFlight = true;
    try {
      const scale = Math.min(1, MAX_EDGE / Math.max(v.videoWidth, v.videoHeight));
      this.canvas.width = Math.round(v.videoWidth * scale);
      this.canvas.height = Math.round(v.videoHeight * scale);
      this.canvas.getContext('2d')?.drawImage(v, 0, 0, this.canvas.width, this.canvas.height);
      const capturedAt = hostNow();
      const blob = await new Promise<Blob | null>((r) => this.canvas.toBlob(r, 'image/jpeg', this.quality));
      if (!blob) throw new Error('the frame could not be encoded as JPEG');
      if (blob.size > MAX_BYTES) {
        // Too big for the protocol: lower the quality for the next frames rather than fail forever.
        this.quality = Math.max(0.3, this.quality - 0.15);
        throw new Error(`frame too large (${Math.round(blob.size / 1000)} kB); lowering JPEG quality`);
      }
      const jpeg = new Uint8Array(await blob.arrayBuffer());
      const r = await getBench().invoke('webcam.frame', { cameraId: opts.cameraId, jpeg, capturedAt });
      if (r.sent) this.stats.sent++;
      else {
        this.stats.refused++;
        this.stats.lastProblem = r.reason ?? 'the host did not send the frame';
      }
    } catch (e) {
      this.stats.failed++;
      this.stats.lastProblem = errorText(e);
    } finally {
      this.inFlight = false;
    }
  }
}
