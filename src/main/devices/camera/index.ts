// Cameras: any FFmpeg-readable source (RTSP, HTTP MJPEG, a video file, a local camera) streamed as
// live JPEG frames to the Plexus client. See camera-worker.ts for the behaviour, args.ts for the
// accepted source spellings, camera-registry.ts for who stops which cameras.
export {
  streamCamera,
  type CameraHandle,
  type CameraOptions,
  type CameraState,
  type CameraStats,
  type CameraStatus,
} from './camera-worker';
export {
  ACCEPTED_SOURCES,
  buildFfmpegArgs,
  CameraConfigError,
  classifySource,
  qualityToQscale,
  redactSource,
  type CameraSource,
  type CameraSourceKind,
  type FfmpegArgsOptions,
} from './args';
export {
  FFMPEG_INSTALL_HINT,
  FfmpegNotFoundError,
  FfmpegUnusableError,
  ffmpegVersion,
  parseFfmpegVersion,
  resolveFfmpeg,
  type FfmpegVersion,
} from './ffmpeg';
export { CameraRegistry } from './camera-registry';
export { NewestFrameMailbox, type MailboxOutcome } from './frame-mailbox';
export { MjpegSplitter, type SplitterStats } from './mjpeg-splitter';
