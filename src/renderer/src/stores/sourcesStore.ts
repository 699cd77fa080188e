// The data sources the host runs: demo sensor, serial devices, cameras, and webcams streamed by windows.
import { create } from 'zustand';
import type { CameraSourceView, SerialSourceView, WebcamView } from '../../../shared/contract';

export interface SourcesStore {
  /** Whether the built-in demo sensor is producing data; null before the first state. */
  demoEnabled: boolean | null;
  /** Serial/USB devices, in the order the host lists them. */
  serial: SerialSourceView[];
  /** FFmpeg cameras (RTSP, HTTP MJPEG, files, local devices). */
  cameras: CameraSourceView[];
  /** Webcams streamed from windows, with the fps the host really received. */
  webcams: WebcamView[];
}

export const useSourcesStore = create<SourcesStore>(() => ({
  demoEnabled: null,
  serial: [],
  cameras: [],
  webcams: [],
}));
