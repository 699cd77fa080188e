// The data sources the host runs: serial devices, cameras, webcams streamed by windows, plugin
// instances (the demo sensor is one) and loopback network line sources.
import { create } from 'zustand';
import type {
  CameraSourceView,
  NetworkSourceView,
  PluginView,
  SerialSourceView,
  WebcamView,
} from '../../../shared/contract';

export interface SourcesStore {
  /** Whether the demo plugin is switched on (mirrors its instance); null before the first state. */
  demoEnabled: boolean | null;
  /** Serial/USB devices, in the order the host lists them. */
  serial: SerialSourceView[];
  /** FFmpeg cameras (RTSP, HTTP MJPEG, files, local devices). */
  cameras: CameraSourceView[];
  /** Webcams streamed from windows, with the fps the host really received. */
  webcams: WebcamView[];
  /** Plugin instances, shipped (the demo) and added by the technician, in the host's order. */
  plugins: PluginView[];
  /** Loopback TCP/UDP line sources. */
  network: NetworkSourceView[];
}

export const useSourcesStore = create<SourcesStore>(() => ({
  demoEnabled: null,
  serial: [],
  cameras: [],
  webcams: [],
  plugins: [],
  network: [],
}));

/** Every name a plugin instance or network source uses (they share one namespace: metric prefixes). */
export function usedSourceNames(s: SourcesStore, exceptId?: string): Set<string> {
  const names = new Set<string>();
  for (const p of s.plugins) if (p.id !== exceptId) names.add(p.name);
  for (const n of s.network) if (n.id !== exceptId) names.add(n.config.name);
  return names;
}
